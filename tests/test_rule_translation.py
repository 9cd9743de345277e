"""The built-in rules' expressions, translated to Python, give exactly what Jinja2 gives.

`commonslint.fastpath` evaluates the packs we ship without Jinja2's template machinery; these
tests hold it to Jinja2's answers: on crafted expressions (including the failures a missing fact
must still cause), on every built-in rule expression over the facts of real cards (the 274
corpus repositories and a sample of the bulk cards, each `for_each` item included), and on the
findings of the bulk corpus, compared with the engine forced onto the Jinja2 path. A user's pack
never takes the fast path.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Undefined
from jinja2.exceptions import SecurityError, UndefinedError

from commonslint import fastpath
from commonslint.config import Config
from commonslint.engine import Compiler, Engine, FastExpression, _environment
from commonslint.lint import Linter
from commonslint.rulepacks import Rule
from commonslint.sources import MemoryRepo, open_local
from tests.conftest import CORPUS, run_cli, write_repo

BULK = CORPUS / "bulk" / "hub-readmes-2023.jsonl.gz"
CARDS = CORPUS / "cards"
needs_bulk = pytest.mark.skipif(not BULK.exists(), reason="the shared bulk corpus is not here")
_EXPRESSIONS = ("when", "for_each", "at", "severity_from", "fix")


def _outcome(function: Any, variables: dict[str, Any]) -> tuple[Any, ...]:
    """What evaluating gave, in a form that compares: a value, an undefined, or an error."""
    try:
        value = function(variables)
    except Exception as exc:  # the failure itself is what is compared
        return ("error", type(exc).__name__, str(exc))
    if isinstance(value, Undefined):
        return ("undefined", type(value).__name__, value._undefined_message)
    return ("value", type(value).__name__, value)


def _both(source: str) -> tuple[Any, Any]:
    """The expression on the Jinja2 path and translated, over one environment."""
    compiler = Compiler(_environment(), "test-translation")
    fast = compiler.fast_expression(source)
    assert fast is not None, f"not translated: {source}"
    return compiler.expression(source), fast


VARIABLES = {
    "d": {"name": "x", "items": [1, 2], "keys": "k", "nested": {"inner": 3}, "none": None},
    "lst": [{"a": 1, "b": "p"}, {"a": 2, "b": "q"}],
    "s": "text",
    "n": 2,
    "empty": [],
    "nothing": None,
}


@pytest.mark.parametrize(
    "source",
    [
        "d.name",
        "d.nested.inner",
        "d.items",  # a dict's own attribute wins over the key, as in Jinja2
        "d['items']",
        "d.keys is callable",
        "d.get('name')",
        "d.get('missing', 'fallback')",
        "d.get('missing')",
        "d.none is none",
        "d.none is not none",
        "d.missing is defined",
        "d.missing is undefined",
        "d.missing is none",
        "d is mapping",
        "s is string",
        "lst is sequence",
        "n == 2 and s != 'x' or false",
        "not (n < 3) or n >= 2",
        "1 < n <= 2",
        "s in ['text', 'other']",
        "'t' not in s",
        "'name' in d",
        "(d.name, n)",
        "[d.name, s, none, true, 1.5]",
        "{'k': n, 'l': [s]}",
        "d.name if n > 1 else s",
        "nothing.at",  # an attribute of None is undefined, not an error, until used
        "lst | length",
        "lst | first",
        "lst | map(attribute='b') | join(', ')",
        "lst | map(attribute='b') | list",
        "['a', 'b'] | codes",
        "n | plural('card')",
        "1 | plural('card')",
        "lst[0].b",
        "lst[5]",
        "empty or nothing",
        "s.upper",
        # failures, which must be the same errors with the same messages
        "d.missing == 1",
        "d.missing.deeper",
        "not d.missing",
        "nosuchname",
        "nosuchname.attribute",
        "nosuchname in lst",
        "n in nosuchname",
        "nothing.at == 1",
        "s.get('x')",
        "n.get('x')",
        "nothing | length",
    ],
)
def test_translation_matches_jinja(source: str) -> None:
    jinja, fast = _both(source)
    assert isinstance(fast, FastExpression)
    assert _outcome(fast, VARIABLES) == _outcome(jinja, VARIABLES)


@pytest.mark.parametrize(
    "source",
    [
        "s.upper()",  # calls other than mapping.get
        "n + 1",  # arithmetic
        "s[1:]",  # slices
        "d.name if n",  # if without else
        "[s] | map(*lst) | list",  # *args
    ],
)
def test_unsupported_expressions_fall_back_to_jinja(source: str) -> None:
    compiler = Compiler(_environment(), "test-translation")
    assert compiler.fast_expression(source) is None
    rule = _rule("X001", source, builtin=True)
    engine = Engine([rule])
    assert not isinstance(engine.rules[0].when, FastExpression)


def test_translated_code_and_fallbacks_are_cached() -> None:
    first = Compiler(_environment(), "test-cache")
    first.fast_expression("d.name == 'x'")
    first.fast_expression("n + 1")
    first.save()
    again = Compiler(_environment(), "test-cache")
    assert "fast\0d.name == 'x'" in again.codes and again.codes["fast\0n + 1"] is False
    again.codes["fast\0d.name == 'x'"] = fastpath.translate(again.env, "d.name == 'y'")
    # the cached code object is what runs: no translation when the cache is warm
    assert again.fast_expression("d.name == 'x'")(VARIABLES) is False  # type: ignore[misc]


def test_sandbox_checks_still_apply_on_the_fast_path() -> None:
    _jinja, fast = _both("d.get.__self__")
    assert _outcome(fast, VARIABLES)[0] == "undefined"  # the sandbox's unsafe-attribute answer
    _jinja, fast = _both("d.__class__.__subclasses__")
    with pytest.raises(SecurityError):
        fast(VARIABLES)


def _rule(code: str, when: str, builtin: bool) -> Rule:
    from commonslint.findings import Severity

    return Rule(
        code=code,
        name="test-rule",
        severity=Severity.parse("error"),
        summary="s",
        when=when,
        at="card.at",
        message="m",
        pack="rule pack test",
        builtin=builtin,
    )


def test_user_rules_never_take_the_fast_path() -> None:
    engine = Engine([_rule("ORG001", "card.exists", builtin=False)])
    assert not isinstance(engine.rules[0].when, FastExpression)
    assert engine.rules[0].probe is None
    builtin = Engine([_rule("CL999", "card.exists", builtin=True)])
    assert isinstance(builtin.rules[0].when, FastExpression)
    forced = Engine([_rule("CL999", "card.exists", builtin=True)], fast=False)
    assert not isinstance(forced.rules[0].when, FastExpression)


def test_a_user_pack_still_cannot_escape_the_sandbox(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "r", {"README.md": "---\nlicense: mit\n---\n# Model\n"})
    (root / "policy.yaml").write_text(
        "rules:\n"
        "  - id: ORG001\n"
        "    name: escape\n"
        "    severity: error\n"
        "    summary: tries to reach Python's classes\n"
        '    when: "card.meta.__class__.__mro__[1].__subclasses__() | length > 0"\n'
        "    at: card.at\n"
        "    message: escaped\n",
        encoding="utf-8",
    )
    (root / "commonslint.toml").write_text('rule-packs = ["policy.yaml"]\n', encoding="utf-8")
    result = run_cli(".", cwd=root)
    assert result.returncode == 2, result.stdout
    assert "ORG001" in result.stderr and "escaped" not in result.stdout
    assert "Traceback" not in result.stderr


def test_a_missing_fact_still_fails_loudly_naming_the_rule() -> None:
    rule = _rule("CL999", "card.no_such_fact and true", builtin=True)
    engine = Engine([rule])
    assert isinstance(engine.rules[0].when, FastExpression)
    from commonslint.engine import RuleError

    with pytest.raises(RuleError, match=r"rule 'CL999': `when` failed: UndefinedError"):
        engine.run({"card": {"kind": "model", "at": "README.md"}})
    with pytest.raises(UndefinedError):
        engine.rules[0].when({"card": {}})


# ------------------------------------------------------------ every built-in rule, real cards


def _corpus_facts(linter: Linter) -> Iterator[dict[str, Any]]:
    for folder in sorted(CARDS.iterdir()):
        if folder.is_dir():
            yield linter.lint(open_local(str(folder)), folder.name).facts
    if BULK.exists():
        with gzip.open(BULK, "rt", encoding="utf-8") as handle:
            for line in itertools.islice(handle, 0, None, 12):  # ~2,100 cards
                card = json.loads(line)["card"]
                yield linter.lint(MemoryRepo({"README.md": card}, card_only=True), "x").facts


@pytest.mark.skipif(not CARDS.exists(), reason="the shared corpus is not beside the project")
def test_every_builtin_expression_matches_jinja_on_real_cards() -> None:
    linter = Linter(Config())
    assert all(rule.builtin for rule in linter.rules)
    compiler = linter.engine.compiler
    pairs: dict[tuple[str, str], tuple[Any, Any]] = {}
    for rule in linter.rules:
        for what in _EXPRESSIONS:
            source = getattr(rule, what)
            if source:
                fast = compiler.fast_expression(source)
                assert fast is not None, f"{rule.code} {what} is not translated: {source}"
                pairs[(rule.code, what)] = (compiler.expression(source), fast)
    compared = items = cards = 0
    for facts in _corpus_facts(linter):
        cards += 1
        variables = {**linter.engine.globals, **facts}
        for rule in linter.rules:
            contexts = [variables]
            if rule.for_each:
                jinja, fast = pairs[(rule.code, "for_each")]
                outcome = _outcome(fast, variables)
                assert outcome == _outcome(jinja, variables), (rule.code, "for_each")
                found = outcome[2] if outcome[0] == "value" and outcome[2] else []
                contexts = [dict(variables, item=item) for item in found]
                items += len(contexts)
            for context in contexts:
                for what in ("when", "at", "severity_from", "fix"):
                    if (rule.code, what) in pairs:
                        jinja, fast = pairs[(rule.code, what)]
                        assert _outcome(fast, context) == _outcome(jinja, context), (
                            rule.code,
                            what,
                        )
                        compared += 1
    assert cards >= 274 and items > 500 and compared > 50_000, (cards, items, compared)


# ------------------------------------------------------------ findings on the bulk corpus


def _findings_digest(linter: Linter, every: int) -> tuple[int, str]:
    digest = hashlib.sha256()
    count = 0
    with gzip.open(BULK, "rt", encoding="utf-8") as handle:
        for line in itertools.islice(handle, 0, None, every):
            record = json.loads(line)
            repo = MemoryRepo({"README.md": record["card"]}, card_only=True)
            for f in linter.lint(repo, record["source_path"]).findings:
                fields = (record["source_path"], f.code, f.name, f.severity, f.message)
                digest.update(repr((*fields, f.location, f.fix)).encode())
                count += 1
    return count, digest.hexdigest()


def _jinja_only_linter() -> Linter:
    linter = Linter(Config())
    linter.engine = Engine(linter.rules, fast=False)
    return linter


@needs_bulk
def test_findings_identical_to_the_jinja_path_on_a_bulk_sample() -> None:
    fast = _findings_digest(Linter(Config()), every=25)
    assert fast[0] > 2000
    assert fast == _findings_digest(_jinja_only_linter(), every=25)


@needs_bulk
@pytest.mark.slow
def test_findings_identical_to_the_jinja_path_on_the_whole_bulk_corpus() -> None:
    fast = _findings_digest(Linter(Config()), every=1)
    assert fast[0] > 80_000
    assert fast == _findings_digest(_jinja_only_linter(), every=1)
