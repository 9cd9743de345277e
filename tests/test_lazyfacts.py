"""`LazyFacts`: a dict whose pending values are worked out on first read, the same to every
reader as the dict it stands for; and the emissions facts that use it."""

from __future__ import annotations

import copy
import json
import pickle
from pathlib import Path
from typing import Any

import pytest

from commonslint import facts as facts_mod
from commonslint.config import Config
from commonslint.engine import Engine
from commonslint.jinjaenv import environment
from commonslint.lazyfacts import PENDING, LazyFacts
from commonslint.lint import Linter
from commonslint.rulepacks import load_rules
from commonslint.sources import MemoryRepo
from tests.conftest import run_cli, write_repo

SETTLED = {"present": False, "unit": "3 kg", "at": {"line": 4}, "tail": [1, 2]}


class Counter:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> dict[str, Any]:
        self.calls += 1
        return {"unit": "3 kg", "at": {"line": 4}}


def lazy() -> tuple[LazyFacts, Counter]:
    settle = Counter()
    items = {"present": False, "unit": PENDING, "at": PENDING, "tail": [1, 2]}
    return LazyFacts(items, settle), settle


READS = {
    "index": lambda d: (d["present"], d["unit"], d["at"], d["tail"]),
    "get": lambda d: (d.get("unit"), d.get("nothing", 7)),
    "values": lambda d: list(d.values()),
    "items": lambda d: list(d.items()),
    "eq": lambda d: (d == SETTLED, d != SETTLED, SETTLED == d),  # noqa: SIM300 - both sides
    "repr": repr,
    "json": json.dumps,
    "dict": dict,
    "unpack": lambda d: {**d},
    "kwargs": lambda d: (lambda **k: k)(**d),
    "or": lambda d: (d | {"x": 1}, {"x": 1} | d),
    "copy": lambda d: d.copy(),
    "copy.copy": copy.copy,
    "deepcopy": copy.deepcopy,
    "pickle": lambda d: pickle.loads(pickle.dumps(d)),
    "jinja": lambda d: (
        environment().from_string("{{ e }}|{{ e|tojson }}|{{ e|dictsort }}").render(e=d)
    ),
}


@pytest.mark.parametrize("read", READS, ids=list(READS))
def test_every_read_sees_the_settled_dict(read: str) -> None:
    got = READS[read](lazy()[0])
    assert got == READS[read](dict(SETTLED))
    assert "PENDING" not in repr(got)


@pytest.mark.parametrize("read", ["copy", "copy.copy", "deepcopy", "pickle", "dict"])
def test_copies_are_plain_dicts(read: str) -> None:
    got = READS[read](lazy()[0])
    assert type(got) is dict and got == SETTLED


def test_settled_once_and_only_when_a_pending_value_is_read() -> None:
    facts, settle = lazy()
    assert facts["present"] is False and facts.get("tail") == [1, 2]
    assert list(facts) == list(SETTLED) and list(facts.keys()) == list(SETTLED)
    assert len(facts) == 4 and "unit" in facts and "nothing" not in facts
    assert settle.calls == 0
    assert facts["unit"] == "3 kg" and facts["at"] == {"line": 4} and facts == SETTLED
    assert settle.calls == 1


def test_a_value_given_by_hand_is_kept() -> None:
    facts, _ = lazy()
    facts["unit"] = "mine"
    assert facts["at"] == {"line": 4} and facts["unit"] == "mine"
    with pytest.raises(KeyError):
        facts["nothing"]


# ------------------------------------------------------------------ the emissions facts

CARD = "---\nlicense: mit\n---\n# Model\n\nTraining emitted 3 kg of CO2.\n"


def test_emissions_of_a_card_without_them_are_worked_out_only_when_read() -> None:
    facts, _ = facts_mod.compute(MemoryRepo({"README.md": CARD}, card_only=True))
    emissions = facts["emissions"]
    assert type(emissions) is LazyFacts
    assert dict.__getitem__(emissions, "unit_in_text") is PENDING  # no rule read it yet
    assert emissions["unit_in_text"] == "Training emitted 3 kg of CO2."
    assert emissions["unit_in_text_at"]["line"] == 6


# A rule of one's own that reads the unit in the text when the card gives no emissions.
PACK = """
rules:
  - id: ORG002
    name: emissions-in-text-only
    severity: warning
    summary: The text gives emissions that the metadata does not.
    when: "not emissions.present and emissions.unit_in_text"
    at: "emissions.unit_in_text_at"
    message: "put this in co2_eq_emissions: {{ emissions.unit_in_text }}"
"""


@pytest.mark.parametrize("fast", [True, False], ids=["translated", "jinja"])
def test_a_rule_pack_reads_the_pending_fact(tmp_path: Path, fast: bool) -> None:
    (tmp_path / "policy.yaml").write_text(PACK, encoding="utf-8")
    rules = [r for r in load_rules([tmp_path / "policy.yaml"]) if r.code == "ORG002"]
    engine = Engine(rules, fast=fast)
    for text, expected in ((CARD, 1), (CARD.replace("3 kg of CO2", "well"), 0)):
        facts, _ = facts_mod.compute(MemoryRepo({"README.md": text}, card_only=True))
        found = engine.run(facts)
        assert len(found) == expected
        if found:
            assert found[0].message == "put this in co2_eq_emissions: Training emitted 3 kg of CO2."
            assert found[0].location.line == 6


def test_the_rule_pack_through_the_cli(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "r", {"README.md": CARD})
    (root / "policy.yaml").write_text(PACK, encoding="utf-8")
    (root / "commonslint.toml").write_text(
        'rule-packs = ["policy.yaml"]\nselect = ["ORG"]\n', encoding="utf-8"
    )
    result = run_cli(".", cwd=root)
    line = "README.md:6:1: ORG002 [warning] put this in co2_eq_emissions: Training emitted 3 kg"
    assert line in result.stdout
    assert result.returncode == 0, result.stderr  # a warning: below the default `fail-on`


def test_built_in_rules_never_read_it() -> None:
    # The point of the pending value: the built-in packs do not settle it on such a card.
    linter = Linter(Config())
    result = linter.lint(MemoryRepo({"README.md": CARD}, card_only=True), "x")
    assert dict.__getitem__(result.facts["emissions"], "unit_in_text") is PENDING


# ------------------------------------------------------------------ read by rules

SOURCES = [
    "d.unit",
    "d['unit']",
    "d.get('unit')",
    "d.at.line",
    "d.items is callable",  # a dict's own attribute wins over its key, as on a dict
    "d.missing is defined",
    "d._settle is defined",  # its own attribute is not a fact
    "d | length",
    "d.present or d.unit",
]


@pytest.mark.parametrize("source", SOURCES)
def test_rules_read_it_as_they_read_a_dict(source: str) -> None:
    """The translated code (one expression, and the combined gates) and Jinja2 give the same
    for a `LazyFacts` as for the plain dict it stands for."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    from commonslint import fastpath, fastrun
    from commonslint.engine import Compiler, FactsEnvironment

    env = FactsEnvironment(undefined=StrictUndefined)
    plain = SandboxedEnvironment(undefined=StrictUndefined).compile_expression(
        source, undefined_to_none=False
    )(d=dict(SETTLED))
    translated = fastpath.function(fastpath.translate(env, source), fastrun.namespace())
    gates = fastpath.function(fastpath.translate_gates(env, [source, source]), fastrun.namespace())
    jinja = Compiler(env, "test").expression(source)
    for variables in ({"d": lazy()[0]}, {"d": dict(SETTLED)}):
        assert translated(variables) == plain
        assert jinja(variables) == plain
        expected = [("r0", plain), ("r1", plain)] if plain else []
        assert gates(variables, ("r0", "r1"), None) == expected
