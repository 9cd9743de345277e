"""`Engine._direct` (built-in rules whose parts are all translated functions) against
`Engine._evaluate` (the general path, through the wrappers): the same findings, fixes and
errors, on real cards and on crafted rules that fail at each step."""

from __future__ import annotations

import contextlib
import gzip
import itertools
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from commonslint.config import Config
from commonslint.engine import _UNKNOWN, Engine, RuleError, _Shared
from commonslint.findings import Finding, Severity
from commonslint.lint import Linter
from commonslint.rulepacks import Rule
from commonslint.sources import MemoryRepo, open_local
from tests.conftest import CORPUS

BULK = CORPUS / "bulk" / "hub-readmes-2023.jsonl.gz"
CARDS = CORPUS / "cards"


def _facts(linter: Linter) -> Iterator[dict[str, Any]]:
    for folder in sorted(CARDS.iterdir()):
        if folder.is_dir():
            yield linter.lint(open_local(str(folder)), folder.name).facts
    if BULK.exists():
        with gzip.open(BULK, "rt", encoding="utf-8") as handle:
            for line in itertools.islice(handle, 0, 6000, 10):  # 600 cards
                card = json.loads(line)["card"]
                yield linter.lint(MemoryRepo({"README.md": card}, card_only=True), "x").facts


def _full(findings: list[Finding]) -> list[tuple[Any, ...]]:
    """Everything about the findings, fixes included (`Finding.__eq__` leaves the fix out)."""
    return [(f, repr(f), f.fix) for f in findings]


def _outcome(call: Any) -> Any:
    try:
        return _full(call())
    except RuleError as exc:
        return ("error", str(exc))


def test_direct_path_matches_the_general_one_on_real_cards() -> None:
    linter = Linter(Config())
    engine = linter.engine
    direct = [c for c in engine.rules if c.functions is not None]
    assert len(direct) == len(engine.rules)  # every built-in rule takes the direct path
    fired = set()
    for facts in _facts(linter):
        for compiled in direct:
            gates = [_UNKNOWN]
            if compiled.probe is not None:
                with contextlib.suppress(Exception):  # the _UNKNOWN gate covers a failure
                    gates.append(compiled.probe(facts))
            for gate in gates:
                expected = _outcome(lambda: engine._evaluate(compiled, facts, _Shared(facts), gate))  # noqa: B023
                got = _outcome(lambda: engine._direct(compiled, facts, gate))  # noqa: B023
                assert got == expected, compiled.rule.code
                if expected and expected[0] != "error":
                    fired.add(compiled.rule.code)
    assert len(fired) >= 20  # most rules really produced findings


def _rule(**parts: Any) -> Rule:
    values: dict[str, Any] = {
        "code": "CL997",
        "name": "test-rule",
        "severity": Severity.parse("warning"),
        "summary": "s",
        "when": "true",
        "at": "card.at",
        "message": "m",
        "pack": "rule pack test",
        "builtin": True,
    }
    values.update(parts)
    return Rule(**values)


FACTS: dict[str, Any] = {
    "card": {"kind": "model", "at": {"path": "README.md", "line": 3, "column": 2}, "n": 2},
    "things": [
        {"name": "a", "at": "A.md"},
        {"name": "b  \u2028c\xa0", "at": None},
        {"name": 3, "at": {"path": "B.md", "line": "4", "end_column": 9}},
    ],
    "text": "not a list",
}
RULES = [
    {"for_each": "things", "at": "item.at", "message": " {{ item.name }}\t x "},
    {"for_each": "things", "when": "item.name != 'a'", "message": "{{ item.name }}"},
    {"for_each": "text"},
    {"for_each": "card.n"},
    {"for_each": "card.missing"},
    {"for_each": "things", "at": "item.missing"},
    {"at": "card.n"},
    {"at": "card.n | length"},
    {"at": "card.nothing"},
    {"message": "{{ card.n | length }}"},
    {"message": "{{ card.nothing }}"},
    {"severity_from": "'info'"},
    {"severity_from": "'loud'"},
    {"severity_from": "card.nothing"},
    {"fix": "{'text': 'x', 'start': 1, 'end': 2, 'description': 'd'}"},
    {"fix": "{'text': 'x', 'create': true, 'path': 'LICENSE'}"},
    {"fix": "'text'"},
    {"fix": "card.nothing"},
    {"fix": "none"},
    {"when": "card.nothing"},
    {"when": "card.n > 1", "message": "\x1cspaced\x85out\u3000 "},
    {"when": "card.n > 5"},
]


@pytest.mark.parametrize("parts", RULES, ids=[re.sub(r"\W+", "-", repr(p)) for p in RULES])
def test_direct_path_matches_the_general_one_on_crafted_rules(parts: dict[str, Any]) -> None:
    engine = Engine([_rule(**parts)])
    compiled = engine.rules[0]
    assert compiled.functions is not None, "not translated, so not a test of the direct path"
    gates = [_UNKNOWN]
    with contextlib.suppress(Exception):  # the _UNKNOWN gate covers a failure
        gates.append(compiled.probe(FACTS))  # type: ignore[misc]
    for gate in gates:
        expected = _outcome(lambda: engine._evaluate(compiled, FACTS, _Shared(FACTS), gate))  # noqa: B023
        for _ in range(2):  # the second time, messages come from the memo
            assert _outcome(lambda: engine._direct(compiled, FACTS, gate)) == expected  # noqa: B023


def test_message_memo_stays_small() -> None:
    engine = Engine([_rule(for_each="things", message="{{ item }}")])
    compiled = engine.rules[0]
    facts = {"things": list(range(10_000)), "card": FACTS["card"]}
    found = engine._direct(compiled, facts, _UNKNOWN)
    assert [f.message for f in found] == [str(i) for i in range(10_000)]
    assert len(engine._normalised) <= 4096
