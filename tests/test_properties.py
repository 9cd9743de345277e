"""Property-based tests of the card parser and the whole lint on generated cards (issue 7).

For any front matter and body: no exception escapes, every position lies inside the file, and
the output is deterministic. Cards are built from YAML that PyYAML writes, from YAML-like text
that is often invalid, and from Markdown constructs mixed with arbitrary text and line endings.
"""

from __future__ import annotations

import re
import string

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonslint import facts, metadata
from commonslint.card import key_nodes, parse_card
from commonslint.config import Config
from commonslint.lint import Linter
from commonslint.locations import node_loc
from commonslint.report import reporter
from commonslint.sources import MemoryRepo

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LINTER = Linter(Config())
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

KEYS = [*metadata.KNOWN_FIELDS, "licence", "base-model", "Licence_Name", "x", "emissions"]
LICENCE_WORDS = ["mit", "apache-2.0", "other", "llama2", "cc-by-nc-4.0", "MIT OR GPL-3.0", ""]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(LICENCE_WORDS),
    st.text(max_size=30),
    st.dates(),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), inner, max_size=4),
    ),
    max_leaves=12,
)
metadata_maps = st.dictionaries(st.sampled_from(KEYS), values, max_size=8)


@st.composite
def dumped_yaml(draw: st.DrawFn) -> str:
    data = draw(metadata_maps)
    return yaml.safe_dump(
        data,
        default_flow_style=draw(st.sampled_from([False, True, None])),
        allow_unicode=draw(st.booleans()),
        sort_keys=False,
    )


YAML_BITS = [
    "license: mit",
    "license:",
    "  - apache-2.0",
    "- x",
    "key: &anchor [1, 2]",
    "other: *anchor",
    "bad: *missing",
    "tag: !!python/object:os.system",
    "tag2: !custom x",
    "date: 2024-01-01",
    "norway: no",
    "\tindented: tab",
    "quote: 'unterminated",
    "{a: [b, {c: d}]}",
    "? complex key",
    ": value",
    "co2_eq_emissions: 1e5",
    "co2_eq_emissions:\n  emissions: -3\n  source: x",
    "base_model: org/model",
    "<<: {merged: 1}",
    "...",
    "---",
    "%YAML 1.1",
]
yaml_like = st.lists(st.one_of(st.sampled_from(YAML_BITS), st.text(max_size=20)), max_size=12).map(
    "\n".join
)

BODY_BITS = [
    "# Model",
    "## Bias, Risks, and Limitations",
    "## Training Data",
    "### Out-of-Scope Use",
    "## Environmental Impact",
    "Carbon emitted: 12 kg CO2",
    "[More Information Needed]",
    "{{ placeholder }}",
    "Title",
    "=====",
    "-----",
    "---",
    "```",
    "~~~python",
    "<!-- a comment",
    "-->",
    "<!-- commonslint: ignore CL501 -->",
    "<!-- commonslint: ignore NOTACODE -->",
    "**Label:**",
    "> quote",
    "| a | b |",
    "",
    "\ufeff",
    "\x00",
    "\u2028",
]
bodies = st.lists(st.one_of(st.sampled_from(BODY_BITS), st.text(max_size=40)), max_size=25).map(
    "\n".join
)
newlines = st.sampled_from(["\n", "\r\n", "\r"])


@st.composite
def cards(draw: st.DrawFn) -> str:
    front = draw(st.one_of(dumped_yaml(), yaml_like, st.just("")))
    opening = draw(st.sampled_from(["---\n", "---\r\n", "\ufeff---\n", " ---\n", "--- x\n", ""]))
    closing = draw(st.sampled_from(["\n---\n", "\n---", "\n--- \n", "\n...\n", "\n"]))
    text = opening + front + closing + draw(bodies)
    if draw(st.booleans()):
        newline = draw(newlines)
        text = text.replace("\n", newline)
    return text


def line_lengths(text: str) -> list[int]:
    return [len(line) for line in _LINE_BREAK.split(text)]


def assert_inside(text: str, line: int, column: int, where: object) -> None:
    lengths = line_lengths(text)
    assert 1 <= line <= len(lengths), (where, line, len(lengths))
    assert 1 <= column <= lengths[line - 1] + 1, (where, line, column, lengths[line - 1])


@SETTINGS
@given(cards())
def test_parser_never_raises_and_positions_are_inside(text: str) -> None:
    card = parse_card("README.md", text)
    assert card.front.status in ("ok", "missing", "invalid", "not-mapping")
    assert 0 <= card.front.yaml_start <= card.front.yaml_end <= len(text)
    assert card.front.body_start <= len(text)
    if card.front.status == "invalid":
        assert 0 <= card.front.error_offset <= len(text)
        assert card.front.error
    if card.front.status == "ok":
        assert isinstance(card.front.data, dict)
        for key, (key_node, value_node) in key_nodes(card.front.node).items():
            for node in (key_node, value_node):
                loc = node_loc(card, node)
                assert_inside(text, loc["line"], loc["column"], key)
                assert_inside(text, loc["end_line"], loc["end_column"], key)
                assert (loc["line"], loc["column"]) <= (loc["end_line"], loc["end_column"])
    total = len(line_lengths(text))
    for section in _sections(text):
        assert 1 <= section["line"] <= section["end_line"] <= total
        assert section["status"] in ("filled", "empty", "placeholder")


@SETTINGS
@given(cards())
def test_parser_is_deterministic(text: str) -> None:
    first, second = parse_card("README.md", text), parse_card("README.md", text)
    assert first.front.status == second.front.status
    assert repr(first.front.data) == repr(second.front.data)  # repr: NaN != NaN
    assert _sections(text) == _sections(text)


def _sections(text: str) -> list[dict[str, object]]:
    """The card's section facts, as the lint builds them."""
    return facts.card_facts(MemoryRepo({"README.md": text}), [])[0]["sections"]


def lint(files: dict[str, str | bytes]):  # type: ignore[no-untyped-def]
    return LINTER.lint(MemoryRepo(files), "generated")


@SETTINGS
@given(cards(), st.sampled_from([None, "MIT License\n", "Apache License\nVersion 2.0", "\x00"]))
def test_whole_lint_never_raises_points_inside_and_is_deterministic(
    text: str, licence: str | None
) -> None:
    files: dict[str, str | bytes] = {"README.md": text}
    if licence is not None:
        files["LICENSE"] = licence
    result = lint(files)
    readable = result.facts["card"]["readable"]
    for finding in result.findings:
        loc = finding.location
        assert loc.line >= 1 and loc.column >= 1, finding
        if loc.path == "README.md" and readable:
            assert_inside(text, loc.line, loc.column, finding)
            assert_inside(text, loc.end_line, loc.end_column, finding)
        if finding.fix is not None and not finding.fix.create and finding.fix.path == "README.md":
            assert 0 <= finding.fix.start <= finding.fix.end <= len(text), finding
        assert finding.message and "\n" not in finding.message
    again = lint(files)
    assert again.findings == result.findings
    render = reporter("text")
    assert render([again], LINTER.all_rules) == render([result], LINTER.all_rules)
    json_render = reporter("json")
    assert json_render([again], LINTER.all_rules) == json_render([result], LINTER.all_rules)


@SETTINGS
@given(st.binary(max_size=2000))
def test_whole_lint_on_arbitrary_bytes(data: bytes) -> None:
    result = lint({"README.md": data, "LICENSE": data[::-1]})
    for finding in result.findings:
        assert finding.location.line >= 1


def _reference_candidate(key: str) -> str | None:
    """The typo suggestion as first written: every field compared with every key."""
    lowered = key.strip().lower()
    if lowered in metadata.KEY_ALIASES:
        return metadata.KEY_ALIASES[lowered]
    normal = lowered.replace("-", "_").replace(" ", "_")
    for known in metadata.KNOWN_FIELDS:
        if known.replace("-", "_").lower() == normal and known != key:
            return known
    if len(lowered) >= 6:
        for known in metadata.MODEL_FIELDS:
            if len(known) >= 6 and metadata._within_one_edit(normal, known.replace("-", "_")):
                return known
    return None


@st.composite
def typos(draw: st.DrawFn) -> str:
    word = list(draw(st.sampled_from(list(metadata.KNOWN_FIELDS))))
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(word)))
        edit = draw(st.sampled_from(["delete", "insert", "replace", "swap"]))
        char = draw(st.sampled_from(string.ascii_letters + "_- "))
        if edit == "delete" and at < len(word):
            del word[at]
        elif edit == "insert":
            word.insert(at, char)
        elif edit == "replace" and at < len(word):
            word[at] = char
        elif edit == "swap" and at + 1 < len(word):
            word[at], word[at + 1] = word[at + 1], word[at]
    return "".join(word)


@settings(max_examples=500, deadline=None)
@given(st.one_of(typos(), st.text(max_size=30)))
def test_typo_index_agrees_with_comparing_every_field(key: str) -> None:
    if key in metadata.KNOWN_FIELDS:
        return
    assert metadata._candidate(key) == _reference_candidate(key)
