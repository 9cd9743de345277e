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
from jinja2.exceptions import SecurityError

from commonslint import fastpath, fastrun
from commonslint.config import Config
from commonslint.engine import Compiler, Engine, FastExpression, FastTemplate, _environment
from commonslint.findings import Severity
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
    if isinstance(value, (Undefined, fastrun.StrictUndefined)):
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
    jinja, fast = _both("d.__class__.__subclasses__")
    with pytest.raises(fastrun.SecurityError):
        fast(VARIABLES)
    with pytest.raises(SecurityError):
        jinja(VARIABLES)
    assert _outcome(fast, VARIABLES) == _outcome(jinja, VARIABLES)


def _rule(code: str, when: str, builtin: bool) -> Rule:
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
    with pytest.raises(fastrun.UndefinedError, match="'dict object' has no attribute 'no_such"):
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
        message = compiler.fast_template(rule.message)
        assert message is not None, f"{rule.code} message is not translated: {rule.message}"
        pairs[(rule.code, "message")] = (compiler.template(rule.message).render, message.render)
    compared = items = cards = rendered = 0
    messages: set[str] = set()
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
                # The message too, fired or not: where a rule does not fire its message often
                # reads a missing fact, and the failure must be the same one.
                for what in ("when", "at", "severity_from", "fix", "message"):
                    if (rule.code, what) in pairs:
                        jinja, fast = pairs[(rule.code, what)]
                        outcome = _outcome(fast, context)
                        assert outcome == _outcome(jinja, context), (rule.code, what)
                        compared += 1
                        if what == "message" and outcome[0] == "value":
                            messages.add(rule.code)
                            rendered += 1
    assert cards >= 274 and items > 500 and compared > 50_000, (cards, items, compared)
    # Messages really rendered (not only failed alike), for most rules.
    assert rendered > 5_000 and len(messages) > 30, (rendered, sorted(messages))


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


# ------------------------------------------------------------ messages


def _every_rule_fires(tmp: Path) -> list[Path]:
    """Repositories that, between them, fire every built-in rule: `test_rules`' failing cases,
    lineage through the known table and a lock file, and the licence-text cases."""
    from tests.test_lineage_rules import SCENARIOS, card
    from tests.test_rules import CASES, GOOD_CARD
    from tests.test_rules import repo as good_repo

    repos = [write_repo(tmp / code, failing) for code, (failing, _passing) in CASES.items()]
    for name, (licence, known, meta, _codes) in SCENARIOS.items():
        repos.append(write_repo(tmp / name, {"README.md": card(meta, base=known)}))
        entry = {"id": "acme/p", "kind": "dataset", "license": [licence], "files": []}
        lock = json.dumps({"version": 1, "parents": {"dataset:acme/p": {**entry}}})
        files = {"README.md": card(meta, datasets=["acme/p"]), "commonslint.lock": lock}
        repos.append(write_repo(tmp / f"{name}-dataset", files))
    unknown = "license: mit\nbase_model_relation: mergd"
    repos.append(write_repo(tmp / "unknown", {"README.md": card(unknown, base="acme/nobody")}))
    bigcode = card("license: bigcode-openrail-m", base="bigcode/starcoder", body="# C\n")
    repos.append(write_repo(tmp / "bigcode", {"README.md": bigcode}))
    licences = CORPUS / "licenses"
    if licences.exists():
        rail = (licences / "creativeml-openrail-m__CompVis-stable-diffusion.txt").read_text()
        ours = "These are the terms we wrote ourselves for this model, in our own words, " * 5
        for name, licence, text in (
            ("rail-cut", "creativeml-openrail-m", rail[: rail.index("\nAttachment A")]),
            ("ours", "apache-2.0", ours),
        ):
            files = good_repo(GOOD_CARD.replace("license: mit", f"license: {licence}"))
            repos.append(write_repo(tmp / name, {**files, "LICENSE": text}))
    return repos


def test_every_builtin_message_matches_jinja_where_its_rule_fires(tmp_path: Path) -> None:
    """Each rule's message, translated, renders what Jinja2 renders on real findings (rules
    that never fire on the corpus sample included)."""
    fast, jinja = Linter(Config()), _jinja_only_linter()
    assert not any(c.uses_jinja for c in fast.engine.rules)  # every part translated
    fired: set[str] = set()
    for root in _every_rule_fires(tmp_path):
        found = fast.lint(open_local(str(root)), root.name).findings
        assert found == jinja.lint(open_local(str(root)), root.name).findings, root.name
        fired |= {f.code for f in found}
    builtin = {r.code for r in fast.rules}
    missing = builtin - fired
    if not (CORPUS / "licenses").exists():
        missing -= {"CL110", "CL301"}
    assert not missing, sorted(missing)


@pytest.mark.parametrize(
    "source",
    [
        "plain text, no tags",
        "`{{ d.name }}` has {{ lst | length }} {{ lst | length | plural('item') }}",
        "{{ n | plural('card') }} / {{ 1 | plural('card') }} / {{ n | plural('y', 'ies') }}",
        "{{ none }} {{ nothing }} {{ true }} {{ 1.5 }} {{ [1, 'a'] }} {{ d.nested }}",
        "{{ lst | map(attribute='b') | list | codes }}",
        "{{ lst | map(attribute='b') | join('/') }} {{ lst | join(', ', attribute='a') }}",
        "{{ lst | map(attribute='zz', default='?') | join }}",
        "{{ empty | map(attribute='b') | list }}{{ lst | map(attribute='b') | first }}",
        "{{ ['x', 'y'] | first }}{{ ['x', 'y'] | last }}{{ s | string | upper }}{{ s | lower }}",
        "{{ d.name if s is string else s | join(', ') }}",
        "a {%- if n > 1 %} many {% elif n == 1 %} one {% else %} none {%- endif %} z",
        "{% if d.missing is defined %}{{ d.missing }}{% else %}absent{% endif %}",
        "{% for x in lst %}{{ loop.index }}/{{ loop.length }}:{{ x.b }}"
        "{% if not loop.last %}, {% endif %}{% endfor %}.",
        "{% for x in lst %}{% for y in [1, 2] %}{{ x.a }}{{ y }}{{ loop.first }}"
        "{% endfor %}{{ loop.revindex }}{% endfor %}",
        "{% for s in lst %}{{ s.b }}{% endfor %}{{ s }}{% for x in empty %}no{% endfor %}",
        "{{ d.name }}\n{{ s }}\n",
        # failures, which must be the same errors with the same messages
        "{{ d.missing }}",
        "{{ nosuchname }}",
        "{% if d.missing %}x{% endif %}",
        "{% for x in nosuchname %}{{ x }}{% endfor %}",
        "{{ d.missing | codes }}",
        "{{ empty | first }}",
        "{{ nothing | length }}",
        "{{ lst | map(attribute='zz') | join }}",
    ],
)
def test_message_translation_matches_jinja(source: str) -> None:
    compiler = Compiler(_environment(), "test-translation")
    fast = compiler.fast_template(source)
    assert fast is not None, f"not translated: {source}"
    jinja = compiler.template(source)
    assert _outcome(fast.render, VARIABLES) == _outcome(jinja.render, VARIABLES)


@pytest.mark.parametrize(
    "source",
    [
        "{% set x = 1 %}{{ x }}",
        "{{ s ~ s }}",
        "{% for k, v in d.items() %}{{ k }}{% endfor %}",
        "{% for x in lst %}{{ loop.cycle('a', 'b') }}{% endfor %}",
        "{% for x in lst %}{{ loop }}{% endfor %}",
        "{% for x in lst %}{{ x }}{% else %}none{% endfor %}",
        "{% for x in lst if x %}{{ x }}{% endfor %}",
        "{% macro m() %}x{% endmacro %}{{ m() }}",
        "{{ range(3) | list }}",  # Jinja2's globals stay with Jinja2
        "{{ lst | map('upper') | list }}",
        "{{ lst | sort }}",
        "{{ s.format(1) }}",
        "{{ d.name if n }}",
        "{{ s | e }}",
    ],
)
def test_unsupported_templates_fall_back_to_jinja(source: str) -> None:
    compiler = Compiler(_environment(), "test-translation")
    assert compiler.fast_template(source) is None
    rule = Rule(
        code="X001",
        name="test-rule",
        severity=Severity.parse("error"),
        summary="s",
        when="true",
        at="'README.md'",
        message=source,
        pack="rule pack test",
        builtin=True,
    )
    compiled = Engine([rule]).rules[0]
    assert compiled.uses_jinja and not isinstance(compiled.message, FastTemplate)


def test_a_filter_the_environment_replaced_stays_on_jinja() -> None:
    env = _environment()
    env.filters["plural"] = lambda n, word: word.upper()
    compiler = Compiler(env, "test-replaced-filter")
    assert compiler.fast_template("{{ n | plural('x') }}") is None
    assert compiler.fast_expression("n | plural('x')") is None
    assert compiler.fast_template("{{ n | length }}") is not None


def test_a_missing_fact_in_a_message_names_the_rule_and_the_fact() -> None:
    rule = Rule(
        code="CL998",
        name="test-rule",
        severity=Severity.parse("error"),
        summary="s",
        when="card.exists",
        at="card.at",
        message="about {{ card.no_such_fact }}",
        pack="rule pack test",
        builtin=True,
    )
    engine = Engine([rule])
    assert not engine.rules[0].uses_jinja
    from commonslint.engine import RuleError

    expected = r"rule 'CL998': `message` failed: UndefinedError: 'dict object' has no attribute"
    with pytest.raises(RuleError, match=expected):
        engine.run({"card": {"kind": "model", "at": "README.md", "exists": True}})
