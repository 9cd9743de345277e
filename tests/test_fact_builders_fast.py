"""The fact builders' written-out fast paths give what their reference code gives.

Each reference below is the code the fast path replaced, kept here: the lineage parents'
locations and CL208's relation facts, the emissions facts, the Environmental Impact fix,
a MemoryRepo's read of a `str`, and the HF cache folder kept per the environment.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from commonslint import emissions as emissions_mod
from commonslint import facts as facts_mod
from commonslint import fixers
from commonslint.card import Card, key_nodes, value_node
from commonslint.lineage import declared as declared_mod
from commonslint.lineage.hfcache import _cache_dir, cache_dir
from commonslint.locations import line_loc, node_loc
from commonslint.sources import MemoryRepo, decode_text
from tests.conftest import sample_cards

CRAFTED = [
    "",
    "no front matter\n",
    "---\nbase_model: a/b\n---\n# M\n",
    "---\nbase_model: '  '\ndatasets: []\n---\n# M\n",
    "---\nbase_model: [a/b, 3, '', c/d, a/b]\nbase_model_relation: merge\n---\n# M\n",
    "---\nbase_model: [a/b, c/d]\n---\n# M\n",
    "---\nbase_model: x\nbase_model: y/z\nbase_model_relation: Fine-Tuned\n---\n# M\n",
    "---\nbase_model_relation: 3\nbase_model: null\n---\n# M\n",
    "---\nbase_model_relation: finetune\n---\n## M\n",
    "---\nbase: &b {base_model: a/b, datasets: [d/e]}\n<<: *b\n---\n# merged keys\n",
    "---\n? base_model\n: a/b\n'datasets': \"x/y\"\n---\n# M\n",
    "---\n{base_model: a/b, datasets: [c, d/e]}\n---\n# flow\n",
    "---\nbase_model: ./local/path\ndatasets:\n  - d/e\n  - - nested\n---\r\n# CR\r\n",
    "---\nco2_eq_emissions: null\n---\n# M\nemissions: 3 kg of CO2\n",
    "---\nco2_eq_emissions: {emissions: 5, source: x}\n---\n# M\nco₂ 4 tonnes\n",
    "---\nco2_eq_emissions: '1e3'\n---\r\n# M\r\nCarbon: 4 kg\r\n",
    "# Model\n\n## Citation\nx\n",
    "---\nlicense: mit\n---\n# Model\n\n## Citation\nx\n",
    "---\nlicense: mit\n---\n# Model\ntext",
    "---\nlicense: mit\n---\n# Model\ntext\n \t\n",
    "---\nlicense: mit\n---\n# Model\ntext\n\n\n",
    "---\nlicense: mit\n---\r\n# Model\r\ntext\r\n\r\n",
    "---\nlicense: mit\n---\r# Model\rtext\r \r",
    "---\nlicense: mit\n---\n# Model\n## Environmental Impact\nx\n",
    "---\nlicense: mit\n---\n",
    "---\nlicense: mit\n---",
]


def _cards() -> list[str]:
    return [*CRAFTED, *sample_cards(20)]


def _card(text: str) -> tuple[dict[str, Any], Card | None]:
    return facts_mod.card_facts(MemoryRepo({"README.md": text}, card_only=True), [])


# ------------------------------------------------------------------------------ lineage


def _reference_items(card: Card | None, card_f: dict[str, Any], key: str) -> list[Any]:
    value = card_f["meta"].get(key)
    if not isinstance(value, (str, list)):
        return []
    fallback = card_f["value_at"].get(key) or card_f["key_at"].get(key)
    node = None
    if card is not None and card.front.node is not None:
        node = value_node(card.front.node, key)
    if isinstance(value, str):
        at = node_loc(card, node) if card is not None and node is not None else fallback
        return [(value, at)] if value.strip() else []
    nodes = node.value if isinstance(node, yaml.SequenceNode) else []
    out = []
    for i, item in enumerate(value):
        if isinstance(item, str) and item.strip():
            at = node_loc(card, nodes[i]) if card is not None and i < len(nodes) else fallback
            out.append((item, at))
    return out


def _reference_relation_facts(card_f: dict[str, Any], models: int) -> dict[str, Any]:
    meta = card_f["meta"]
    value = meta.get("base_model_relation")
    present = "base_model_relation" in meta
    problem = None
    suggestion = None
    if isinstance(value, str):
        lowered = value.strip().lower()
        suggestion = (
            lowered if lowered in declared_mod.RELATIONS else declared_mod._NEAR.get(lowered)
        )
    if isinstance(value, str) and value not in declared_mod.RELATIONS:
        problem = "invalid"
    elif not present and models > 1:
        problem = "missing"
    return {
        "value": value,
        "present": present,
        "allowed": list(declared_mod.RELATIONS),
        "problem": problem,
        "suggestion": suggestion if problem == "invalid" else None,
        "at": card_f["value_at"].get("base_model_relation")
        or card_f["key_at"].get("base_model")
        or card_f.get("first_heading_at"),
    }


def test_declared_parents_and_relation_match_the_reference() -> None:
    with_parents = 0
    for text in _cards():
        card_f, card = _card(text)
        for key in ("base_model", "datasets"):
            got = declared_mod._items(card, card_f, key)
            assert got == _reference_items(card, card_f, key), text[:200]
            with_parents += bool(got)
        for models in (0, 1, 2):
            expected = _reference_relation_facts(card_f, models)
            assert declared_mod.relation_facts(card_f, models) == expected, text[:200]
    assert with_parents > 20


def test_parent_locations_are_fresh_dicts() -> None:
    card_f, card = _card("---\nbase_model: a/b\n---\n# M\n")
    [(_, at)] = declared_mod._items(card, card_f, "base_model")
    assert at == card_f["value_at"]["base_model"]
    assert at is not card_f["value_at"]["base_model"]


def test_value_node_of_node_locations_is_value_node() -> None:
    for text in _cards()[:400]:
        card_f, card = _card(text)
        if card is None or card.front.node is None or not card_f["ok"]:
            continue
        for key in [*key_nodes(card.front.node), "absent-key"]:
            assert card_f["value_at"].node(key) is value_node(card.front.node, key)


# ---------------------------------------------------------------------------- emissions


def _reference_emissions_facts(card_f: dict[str, Any], card: Card) -> dict[str, Any]:
    start = card.front.body_start
    found = emissions_mod.read_emissions(card.data, card.text[start:], card_f["body_start_line"])
    key_at = card_f["key_at"].get("co2_eq_emissions")
    value_at = card_f["value_at"].get("co2_eq_emissions")
    if found.form == "mapping" and card.front.node is not None:
        inner = key_nodes(key_nodes(card.front.node)["co2_eq_emissions"][1])
        if "emissions" in inner:
            value_at = node_loc(card, inner["emissions"][1])
    return {
        "present": found.present,
        "form": found.form,
        "value": found.value,
        "problem": found.problem,
        "missing_fields": found.missing_fields,
        "unit_in_value": found.unit_in_value,
        "unit_in_text": found.unit_in_text,
        "unit_in_text_at": line_loc(card, found.unit_in_text_line)
        if found.unit_in_text_line
        else None,
        "at": key_at,
        "value_at": value_at,
    }


def test_emissions_facts_match_the_reference() -> None:
    units = 0
    for text in _cards():
        card_f, card = _card(text)
        if card is None:
            continue
        got = facts_mod.emissions_facts(card_f, card)
        assert got == _reference_emissions_facts(card_f, card), text[:200]
        units += got["unit_in_text"] is not None
    assert units > 3


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="co2₂CarbonEMISSION kgt \n\r-x1é", max_size=60),
    st.integers(min_value=0, max_value=8),
)
def test_first_unit_line_from_an_offset_is_that_of_the_slice(body: str, start: int) -> None:
    text = "-" * start + body
    assert emissions_mod._first_unit_line(text, None, start) == emissions_mod._first_unit_line(body)


# ------------------------------------------------------------------------------- fixers


_BLANK_LINE_AT_END = re.compile(r"(\r\n|\r|\n)[ \t]*(\r\n|\r|\n)$")


def _reference_environmental_impact(card: Card, facts: dict[str, Any]) -> dict[str, Any] | None:
    card_f = facts["card"]
    if not card_f["ok"] or card_f["section"]["environmental_impact"] is not None:
        return None
    text = card.text
    nl = fixers.newline_of(text)
    later = None
    for section in card_f["sections"]:
        if section["key"] in fixers._LATER_SECTIONS and section["level"] <= 2:
            later = section
            break
    if later is not None:
        start = card.lines.line_start(later["line"])
        return fixers._section_fix(card, start, fixers._scaffold(nl, later["level"]) + nl)
    start = len(text)
    lead = ""
    if text and not text.endswith(("\n", "\r")):
        lead = nl + nl
    elif text and not _BLANK_LINE_AT_END.search(text):
        lead = nl
    return fixers._section_fix(card, start, lead + fixers._scaffold(nl, 2))


def test_environmental_impact_matches_the_reference() -> None:
    extra = [
        "---\nlicense: mit\n---\n# M\ntext" + tail
        for tail in ("\n", "\n\n", "\n \n", "\r\n\r\n", "\r\r", "\n\t\n ", " \n", "\n\r", "\r\n")
    ]
    for text in _cards() + extra:
        repo = MemoryRepo({"README.md": text}, card_only=True)
        facts, _ = facts_mod.compute(repo)
        _, card = _card(text)
        if card is None:
            continue
        expected = _reference_environmental_impact(card, facts)
        assert fixers.environmental_impact(card, facts) == expected, repr(text[-40:])


# ------------------------------------------------------------------------------ sources


def _reference_read(content: str | bytes, max_bytes: int) -> Any:
    data = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
    if len(data) > max_bytes:
        return f"is too large ({len(data)} bytes; the cap is {max_bytes})"
    return decode_text(data)


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.text(max_size=40),
        st.text(alphabet=st.sampled_from("a\x00é€😀\ud800\udfff\ufeff"), max_size=12),
        st.binary(max_size=20),
    ),
    st.integers(min_value=0, max_value=50),
)
def test_memory_repo_reads_str_as_its_utf8_would_read(content: Any, max_bytes: int) -> None:
    read = MemoryRepo({"README.md": content}, max_bytes=max_bytes).read_text("README.md")
    expected = _reference_read(content, max_bytes)
    if isinstance(expected, str):
        assert read.text is None and read.error == expected
    else:
        assert read == expected


# ---------------------------------------------------------------------- HF cache folder


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"HF_HOME": "~/hf"},
        {"HF_HUB_CACHE": "/a", "HF_HOME": "/b"},
        {"HUGGINGFACE_HUB_CACHE": "/x/y/"},
        {"XDG_CACHE_HOME": "/xdg"},
        {"HF_HUB_CACHE": "", "XDG_CACHE_HOME": "~/c"},
    ],
)
def test_cache_folder_follows_every_variable_it_reads(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    names = ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME")
    for home in ("/home/one", "/home/two"):
        monkeypatch.setenv("HOME", home)
        for name in names:
            monkeypatch.delenv(name, raising=False)
        assert cache_dir() == _cache_dir(os.environ)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        assert cache_dir() == _cache_dir(dict(os.environ)), (home, env)
        assert cache_dir() == _cache_dir(dict(os.environ))  # kept, and still the same
    monkeypatch.delenv("HOME")
    assert cache_dir() == _cache_dir(os.environ)
    assert isinstance(cache_dir(), Path)
