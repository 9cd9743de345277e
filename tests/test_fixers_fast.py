"""The fixers' and community files' shortcuts give what the plain code gives.

`fixers._heading_line_start` finds a heading's line start from its title rather than from the
card's line index; the references are `card.lines.line_start` and the whole Environmental
Impact fix built with it. Each fast answer is taken on a fresh card (no line index built yet,
as in a lint), the reference on another.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from commonslint import facts as facts_mod
from commonslint import fixers, governance
from commonslint.card import Card
from commonslint.sources import MemoryRepo
from tests.conftest import sample_cards

CRAFTED = [
    "# Model\n\n## Citation\nx\n",
    "---\nlicense: mit\n---\n# Model\n\n## Citation\nx\n",
    "---\nlicense: mit\n---\n# Model\nSee Citation below.\n\n## Citation\nx\n",
    "---\nlicense: mit\n---\r\n# Model\r\n\r\n## Citation\r\nx\r\n",
    "Citation\n========\n\n# Model\n\nCitation\n--------\nx\n",
    "# Citation\n## Citation\n### Citation\n## Model Card Contact\n",
    "# M\n```\n## Citation\n```\n## Glossary\n",
    "# M\n<!-- ## Citation -->\n## More Information\n",
    "# M\n## Citation ##\nx\n## Model Card Authors #\n",
    "# M\n## **Citation**\n## Citation\n",
    "# M\n\n## Citation\n" + "Citation\n" * 20 + "## Glossary\n",
    "---\nlicense: mit\n---\n# Model\n## Environmental Impact\nx\n",
]


def _cards() -> list[str]:
    return [*CRAFTED, *sample_cards(10)]


def _card(text: str) -> tuple[dict[str, Any], Card | None]:
    return facts_mod.card_facts(MemoryRepo({"README.md": text}, card_only=True), [])


def _check_heading_line_starts(text: str) -> int:
    card_f, card = _card(text)
    _, reference = _card(text)
    if card is None or reference is None or not card_f["ok"]:
        return 0
    for section in card_f["sections"]:
        expected = reference.lines.line_start(section["line"])
        got = fixers._heading_line_start(card, section["line"], section["title"])
        assert got == expected, (section["title"], section["line"], text[:200])
    # The index was not built for it when every title was found.
    return int("lines" not in card.__dict__ and bool(card_f["sections"]))


def test_heading_line_start_is_the_line_index_s() -> None:
    found = sum(_check_heading_line_starts(text) for text in _cards())
    assert found > 100  # the titles really stood in for the index


_LINES = st.sampled_from(
    ["# Citation", "## Citation", "Citation", "=====", "-----", "## Glossary", "", "x Citation"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINES, max_size=12), st.sampled_from(["\n", "\r\n", "\r"]))
def test_heading_line_start_on_crafted_lines(lines: list[str], nl: str) -> None:
    _check_heading_line_starts(nl.join(lines) + nl)


def test_environmental_impact_matches_the_one_built_with_the_line_index() -> None:
    for text in _cards():
        repo = MemoryRepo({"README.md": text}, card_only=True)
        facts, _ = facts_mod.compute(repo)
        _, card = _card(text)
        _, reference = _card(text)
        if card is None or reference is None:
            continue
        reference.lines  # noqa: B018 - built first, so the fixer reads the index
        expected = fixers.environmental_impact(reference, facts)
        assert fixers.environmental_impact(card, facts) == expected, text[:200]


# ------------------------------------------------------------------ community files

_NAMES = st.sampled_from(
    [
        "README.md",
        "CODE_OF_CONDUCT.md",
        "code-of-conduct",
        "Contributing.rst",
        "SECURITY.txt",
        "governance.markdown",
        "security.pdf",
        "ſecurity.md",
        "Ｃontributing",
        "-contributing",
        "",
    ]
)
_FOLDERS = st.sampled_from(["", "docs/", ".github/", "Docs/", "a/", "docs/x/", ".GITHUB/", "/"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(_FOLDERS, _NAMES | st.text(max_size=6)), max_size=6))
def test_community_files_match_one_stem_at_a_time(parts: list[tuple[str, str]]) -> None:
    files = [folder + name for folder, name in parts]
    found = governance.find_community_files(files)
    assert list(found) == list(governance.STEMS)
    for stem in governance.STEMS:
        assert found[stem] == governance.find_community_file(files, stem), (files, stem)
