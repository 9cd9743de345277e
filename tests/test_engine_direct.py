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
from commonslint.engine import _UNKNOWN, Engine, RuleError, _fix, _location, _Shared
from commonslint.findings import Finding, Fix, Location, Severity
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


def _reference_location(value: Any, facts: dict[str, Any]) -> Location:
    """`engine._location` as it was before its fast branch for location mappings."""
    if isinstance(value, str):
        return Location(value, 1, 1, 1, 1)
    if isinstance(value, dict) and isinstance(value.get("path"), str):
        line = int(value.get("line") or 1)
        column = int(value.get("column") or 1)
        return Location(
            value["path"],
            line,
            column,
            int(value.get("end_line") or line),
            int(value.get("end_column") or column),
        )
    if value is None:
        card = facts.get("card", {})
        return Location(card.get("path", "README.md"), 1, 1, 1, 1)
    raise RuleError(f"`at` gave {type(value).__name__}; expected a location or a path")


class _Str(str):
    pass


class _Dict(dict):  # type: ignore[type-arg]
    pass


LOCATIONS: list[Any] = [
    "LICENSE",
    _Str("x.md"),
    None,
    {"path": "README.md"},
    {"path": "README.md", "line": 7, "column": 3, "end_line": 9, "end_column": 1},
    # Full mappings that must not take the all-ints fast branch as they are.
    {"path": "README.md", "line": 7, "column": 3, "end_line": 9, "end_column": 0},
    {"path": "README.md", "line": 0, "column": 3, "end_line": 9, "end_column": 2},
    {"path": "README.md", "line": 7, "column": 0, "end_line": 0, "end_column": 2},
    {"path": "README.md", "line": 7, "column": True, "end_line": 9, "end_column": 2},
    {"path": "README.md", "line": -1, "column": 3, "end_line": 9, "end_column": 2},
    {"path": "README.md", "line": 7, "column": 3, "end_line": "9", "end_column": 2},
    {"path": _Str("c.md"), "line": 7, "column": 3, "end_line": 9, "end_column": 2},
    {"path": None, "line": 7, "column": 3, "end_line": 9, "end_column": 2},
    {"path": "README.md", "line": 7, "column": 3, "end_line": 9},
    {"path": "README.md", "line": 0, "column": None, "end_line": 0, "end_column": 0},
    {
        "path": "README.md",
        "line": "4",
        "column": 2.0,
        "end_line": True,
        "end_column": Severity.ERROR,
    },
    {"path": "README.md", "line": "x"},
    {"path": "README.md", "line": [1]},
    {"path": "README.md", "line": 3.7, "end_line": False},
    {"path": _Str("a.md"), "line": 2},
    _Dict(path="b.md", line="5"),
    {"path": 3, "line": 1},
    {"line": 1},
    {},
    3,
    [("path", "x")],
]


@pytest.mark.parametrize("value", LOCATIONS, ids=[repr(v) for v in LOCATIONS])
@pytest.mark.parametrize("facts", [{}, {"card": {"path": "MODEL.md"}}])
def test_location_matches_the_reference(value: Any, facts: dict[str, Any]) -> None:
    def outcome(function: Any) -> Any:
        try:
            location = function(value, facts)
        except (RuleError, ValueError, TypeError) as exc:
            return (type(exc), str(exc))
        return (location, [type(v) for v in vars(location).values()])

    assert outcome(_location) == outcome(_reference_location)


def _exact(value: Any) -> Any:
    """`value` with each location field as `_location` would make it, when that is an int:
    the fields under which the value's `Location` is stored in `engine._LOCATIONS`."""
    if type(value) is not dict:
        return value
    exact = dict(value)
    for key in ("line", "column", "end_line", "end_column"):
        with contextlib.suppress(TypeError, ValueError):
            exact[key] = int(value.get(key) or 1)
    if isinstance(value.get("path"), str):
        exact["path"] = str(value["path"])
    return exact


@pytest.mark.parametrize("value", LOCATIONS, ids=[repr(v) for v in LOCATIONS])
def test_location_from_the_store_matches_the_reference(value: Any) -> None:
    """A value equal to a stored one's fields (`True` for 1, `2.0` for 2, a str subclass for
    its str) gives what the reference gives, whatever was stored before it."""
    from commonslint import engine

    def outcome(function: Any) -> Any:
        try:
            location = function(value, {})
        except (RuleError, ValueError, TypeError) as exc:
            return (type(exc), str(exc))
        return (location, [type(v) for v in vars(location).values()])

    engine._LOCATIONS.clear()
    expected = outcome(_reference_location)
    for warm in (_exact(value), value, *LOCATIONS):
        with contextlib.suppress(RuleError, ValueError, TypeError):
            _location(warm, {})
        assert outcome(_location) == expected
    assert len(engine._LOCATIONS) > 0


def test_location_store_stays_small() -> None:
    from commonslint import engine

    for line in range(1, 10_000):
        place = {"path": "README.md", "line": line, "column": 1, "end_line": line}
        assert _location({**place, "end_column": 2}, {}) == Location("README.md", line, 1, line, 2)
    assert len(engine._LOCATIONS) <= 4096


def _reference_fix(value: Any, location: Location, rule: Rule) -> Fix | None:
    """`engine._fix` as it was, with keyword arguments."""
    if value is None or value is False:
        return None
    if not isinstance(value, dict) or "text" not in value:
        raise RuleError("`fix` must give a mapping with `text` (and `start`/`end`, or `create`)")
    return Fix(
        path=str(value.get("path", location.path)),
        start=int(value.get("start", 0)),
        end=int(value.get("end", 0)),
        text=str(value["text"]),
        fixer=rule.name,
        description=str(value.get("description") or rule.fix_description or ""),
        create=bool(value.get("create", False)),
    )


FIXES: list[Any] = [
    None,
    False,
    0,
    "text",
    {},
    {"text": "x"},
    {"text": "x", "start": 3, "end": "5", "description": "d", "path": "LICENSE"},
    {"text": 7, "create": 1, "description": None, "path": 3},
    {"text": "x", "start": "a", "end": "b"},
    {"text": "x", "start": 1.5, "end": None},
    # Already typed (the fast branch), and near misses of it.
    {"path": "README.md", "start": 4, "end": 4, "text": "t", "description": "d"},
    {"path": "README.md", "start": 4, "end": 9, "text": "t", "create": False},
    {"path": "L", "start": 0, "end": 0, "text": "", "create": True, "description": ""},
    {"start": True, "end": 2, "text": "t", "create": 0},
    {"start": 1, "end": 2, "text": _Str("t"), "path": _Str("p"), "description": _Str("d")},
    {"start": 1, "end": 2, "text": "t", "description": 0, "create": None},
    _Dict(text="t", start=1, end=2),
]


@pytest.mark.parametrize("value", FIXES, ids=[repr(v) for v in FIXES])
@pytest.mark.parametrize("described", [None, "the rule's description"])
def test_fix_matches_the_reference(value: Any, described: str | None) -> None:
    rule = _rule(fix="none", fix_description=described)

    def outcome(function: Any) -> Any:
        try:
            fix = function(value, Location("README.md", 2), rule)
        except (RuleError, ValueError, TypeError) as exc:
            return (type(exc), str(exc))
        return fix if fix is None else (fix, [type(v) for v in vars(fix).values()])

    assert outcome(_fix) == outcome(_reference_fix)


def _gate_view(gated: list[tuple[Any, Any]]) -> list[tuple[str, Any]]:
    """Comparable gates: the rule's code, and its gate (`_UNKNOWN` by name; an undefined by
    its type, as two undefineds for the same name are equal in behaviour, not identity)."""
    view = []
    for compiled, gate in gated:
        if gate is _UNKNOWN:
            shown: Any = "unknown"
        elif type(gate).__name__.endswith("Undefined"):
            shown = ("undefined", type(gate).__name__)
        else:
            shown = gate
        view.append((compiled.rule.code, shown))
    return view


def test_combined_gates_match_each_probe_on_real_cards() -> None:
    """`fastpath.translate_gates` (one function for all of a run's probes, with the paths read
    more than once computed once) gives each rule the gate its own probe gives."""
    from commonslint.engine import _probe_each

    linter = Linter(Config())
    engine = linter.engine
    selected = engine._selected("facts", "model")
    combined = engine._gated("facts", "model")
    assert combined.__name__ == "_gates"  # the combined function, not the per-probe fallback
    each = _probe_each(selected)
    seen = set()
    for facts in _facts(linter):
        got = _gate_view(combined(facts))
        assert got == _gate_view(each(facts))
        seen.update(code for code, _ in got)
    assert len(seen) >= 20


BROKEN_FACTS: list[dict[str, Any]] = [
    {},  # every variable undefined
    {"card": None, "licence": [], "lineage": "text"},
    {"card": {"front": None, "section": {"bias": 3}}, "licence": {"link": {"is_url": 1}}},
    {"card": {"readable": True, "front": {"status": "missing"}, "meta": None}},
    # A path read by several gates that fails at its first use, and again at each later one
    # (`card.section`, hoisted and computed lazily); one that fails only deeper down.
    {"card": {"readable": True, "section": None, "meta": {}}, "licence": {"rail": True}},
    {"card": {"readable": True, "section": {"bias": {}}, "meta": {}}, "licence": {"rail": 1}},
    # Variables read once at the top of the gates: a dict subclass takes the sandbox's lookup.
    {"card": _Dict(readable=True, front={"status": "missing"}), "lineage": _Dict(unresolved=1)},
]


@pytest.mark.parametrize("facts", BROKEN_FACTS, ids=range(len(BROKEN_FACTS)))
def test_combined_gates_match_each_probe_when_facts_are_broken(facts: dict[str, Any]) -> None:
    """A probe that fails (a missing or ill-typed fact) gives `_UNKNOWN` in both, so the rule
    is evaluated in full and its failure reported with its name; one failing probe does not
    change its neighbours' gates."""
    from commonslint.engine import _probe_each

    engine = Linter(Config()).engine
    combined = engine._gated("facts", "model")
    each = _probe_each(engine._selected("facts", "model"))
    assert _gate_view(combined(facts)) == _gate_view(each(facts))


def test_a_probe_giving_an_undefined_fails_with_the_rule_named() -> None:
    """A `for_each` naming a missing fact gives an undefined, whose truth cannot be asked: the
    run fails with the rule's name, not with a bare Jinja2-style error."""
    engine = Engine([_rule(for_each="things"), _rule(code="CL996", for_each="no_such_fact")])
    assert engine._gated("facts", "model").__name__ == "_gates"  # the combined gates
    with pytest.raises(RuleError, match=r"rule 'CL996'.*no_such_fact"):
        engine.run(FACTS)


def test_run_matches_each_rule_evaluated_alone_on_real_cards() -> None:
    """A whole run (combined gates, `_direct`, one `Location` per `at` value shared by the
    run's findings) gives what evaluating each selected rule on its own, from the start,
    gives: the same findings, in the same order, with the same locations and fixes."""
    linter = Linter(Config())
    engine = linter.engine
    shared_places = 0
    for facts in _facts(linter):
        kind = facts.get("card", {}).get("kind", "model")
        for stage in ("facts", "suppressions"):
            expected: list[Finding] = []
            for compiled in engine._selected(stage, kind):
                expected += engine._evaluate(compiled, facts, _Shared(facts))
            got = engine.run(facts, stage)
            assert _full(got) == _full(expected)
            locations = [f.location for f in got]
            shared_places += len(locations) - len({id(loc) for loc in locations})
    assert shared_places > 100  # the run really shared locations between findings


IDLE_RULES: list[dict[str, Any]] = [
    {"for_each": "suppressions.unused"},
    {"for_each": " things "},
    {"for_each": "card.n"},
    {"for_each": "card.missing.more"},
    {"for_each": "card.items"},  # the dict's method, not a key
    {"for_each": "true"},
    {"for_each": "things | list"},
    {"when": "true"},
]
IDLE_FACTS: list[dict[str, Any]] = [
    {"card": {"kind": "model"}, "suppressions": {"unused": []}, "things": []},
    {"card": {"kind": "dataset", "n": []}, "suppressions": {"unused": [{"x": 1}]}},
    {"suppressions": {"unused": ()}, "things": "", "card": {"n": [], "items": []}},
    {"suppressions": None, "things": {}, "card": {"missing": {"more": []}}},
    {"suppressions": {"unused": [], "extra": 1}, "true": [], "things": None},
]


@pytest.mark.parametrize("facts", IDLE_FACTS, ids=range(len(IDLE_FACTS)))
@pytest.mark.parametrize("stage", ["facts", "suppressions"])
def test_idle_only_when_the_run_finds_nothing(facts: dict[str, Any], stage: str) -> None:
    """`Engine.idle` says a run finds nothing only when each rule of the stage loops over an
    empty list; where it says so, the run (through Jinja2 too) indeed finds nothing."""
    for count in (1, 2):
        for chosen in itertools.combinations(IDLE_RULES, count):
            rules = [
                _rule(code=f"CL99{i}", stage=stage, message="{{ item }}", at="none", **parts)
                for i, parts in enumerate(chosen)
            ]
            for fast in (True, False):
                engine = Engine(rules, fast=fast)
                if engine.idle(facts, stage):
                    assert all("for_each" in parts for parts in chosen)
                    assert engine.run(facts, stage) == []
    engine = Engine([_rule(stage="suppressions", for_each="suppressions.unused")])
    unused = (facts.get("suppressions") or {}).get("unused")
    assert engine.idle(facts, "suppressions") is (type(unused) is list and not unused)
    assert engine.idle(facts, "facts")  # a stage with no rule finds nothing


def test_idle_on_real_cards() -> None:
    """On real cards the suppressions stage (CL901) is idle exactly when `unused` is empty."""
    linter = Linter(Config())
    idle = 0
    for facts in _facts(linter):
        empty = not facts["suppressions"]["unused"]
        assert linter.engine.idle(facts, "suppressions") is empty
        if empty:
            assert linter.engine.run(facts, "suppressions") == []
        idle += empty
    assert idle > 100
