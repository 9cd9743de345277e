"""The engine's fast paths give exactly what plain Jinja2 in its sandbox gives.

The engine merges the facts with the globals once per repository and looks items up before
attributes on plain dicts (see `commonslint.engine`); both are speed-ups only, so each is checked
here against Jinja2's own evaluation, on crafted values and on real cards.
"""

from __future__ import annotations

import gzip
import itertools
import json

import pytest
from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from commonslint import facts as facts_mod
from commonslint.config import Config
from commonslint.engine import Compiler, FactsEnvironment
from commonslint.lint import Linter
from commonslint.sources import MemoryRepo
from tests.conftest import CORPUS

BULK = CORPUS / "bulk" / "hub-readmes-2023.jsonl.gz"


def _fast(source: str, variables: dict) -> object:
    compiler = Compiler(FactsEnvironment(undefined=StrictUndefined), "test")
    return compiler.expression(source)(variables)


def _plain(source: str, variables: dict) -> object:
    env = SandboxedEnvironment(undefined=StrictUndefined)
    return env.compile_expression(source, undefined_to_none=False)(**variables)


@pytest.mark.parametrize(
    "source",
    [
        "d.name",
        "d.items is callable",  # a dict's own attribute wins over the key, as in Jinja2
        "d.get('name')",
        "d.keys is callable",
        "d['items']",
        "d.nested.inner",
        "s.upper()",
        "(d.missing is defined)",
        "lst | length",
    ],
)
def test_attribute_lookup_matches_jinja(source: str) -> None:
    variables = {
        "d": {"name": "x", "items": [1, 2], "keys": "k", "nested": {"inner": 3}},
        "s": "text",
        "lst": [1, 2, 3],
    }
    assert _fast(source, variables) == _plain(source, variables)


def test_missing_key_is_still_undefined() -> None:
    with pytest.raises(UndefinedError):
        _fast("d.missing == 1", {"d": {}})


def test_sandbox_still_blocks_unsafe_attributes() -> None:
    with pytest.raises(SecurityError):
        _fast("d.__class__.__subclasses__()", {"d": {}})
    with pytest.raises(SecurityError):
        _fast("s.__class__.__mro__[1].__subclasses__()", {"s": "x"})


@pytest.mark.skipif(not BULK.exists(), reason="the shared bulk corpus is not beside the project")
def test_rule_conditions_agree_with_plain_jinja_on_real_cards() -> None:
    linter = Linter(Config())
    env = SandboxedEnvironment(undefined=StrictUndefined)
    plain = {r.code: env.compile_expression(r.when, undefined_to_none=False) for r in linter.rules}
    checked = 0
    with gzip.open(BULK, "rt", encoding="utf-8") as handle:
        for line in itertools.islice(handle, 0, 6000, 30):
            card = json.loads(line)["card"]
            facts, _ = facts_mod.compute(MemoryRepo({"README.md": card}))
            variables = {**linter.engine.globals, **facts}
            for compiled in linter.engine.rules:
                if compiled.rule.for_each or compiled.rule.stage != "facts":
                    continue
                assert bool(compiled.when(variables)) == bool(plain[compiled.rule.code](**facts)), (
                    compiled.rule.code
                )
                checked += 1
    assert checked > 1000


@pytest.mark.parametrize(
    "source",
    [
        "{{ d.name }} has {{ lst | length }} {{ lst | length | plural('item') }}",
        "{% set n = lst | length %}{{ n * 2 }}",
        "{% block head %}[{{ d.name }}]{% endblock %} and {{ self.head() }}",
        "{% for x in lst %}{{ loop.index }}:{{ x }} {% endfor %}",
        "{% autoescape true %}{{ '<b>' }}{% endautoescape %}{{ '<i>' }}",
    ],
)
def test_message_templates_render_as_jinja_does(source: str) -> None:
    variables = {"d": {"name": "card"}, "lst": [1, 2]}
    compiler = Compiler(FactsEnvironment(undefined=StrictUndefined), "test")
    compiler.env.filters["plural"] = lambda n, w: w if n == 1 else w + "s"
    env = SandboxedEnvironment(undefined=StrictUndefined)
    env.filters["plural"] = compiler.env.filters["plural"]
    template = compiler.template(source)
    assert template.render(variables) == env.from_string(source).render(**variables)
    assert template.render(variables) == template.render(variables)  # no state carried over
