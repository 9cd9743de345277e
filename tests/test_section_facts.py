"""`facts.section_facts` gives what the section tree gave the card facts, and the string-method
fast paths under it give what the patterns they replace give.

The reference for the section facts is the section tree of `reference_parse_sections` (the
plain line-by-line reader, every pattern run) walked in document order, each section turned
into its facts as `card_facts` once did (`_section_dict`), with the purposes found by a search
of every purpose's pattern.
"""

from __future__ import annotations

import gzip
import itertools
import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonslint.card import (
    _ATX,
    _LABEL,
    _OPTIONAL,
    _SUBSTANCE,
    _TITLE_MARKUP,
    _atx_heading_uncached,
    _filled,
    _normalise_uncached,
    ascii_folded,
    split_front_matter,
)
from commonslint.facts import SECTION_PURPOSES, _purposes_uncached, section_facts
from tests.conftest import CORPUS
from tests.test_sections_reference import _PIECES, reference_parse_sections, walk


def _atx_reference(line: str) -> tuple[int, str] | None:
    """(level, title) of an ATX heading line, else None: the pattern's answer."""
    atx = _ATX.match(line)
    return (len(atx.group(1)), (atx.group(2) or "").strip()) if atx else None


BULK = CORPUS / "bulk" / "hub-readmes-2023.jsonl.gz"
CARDS = sorted((CORPUS / "cards").glob("*/README.md")) if CORPUS.exists() else []


def _reference_normalise(title: str) -> str:
    title = _OPTIONAL.sub("", title)
    title = title.replace("&", " and ")
    title = _TITLE_MARKUP.sub(" ", title)
    return " ".join(title.lower().replace("-", " ").split()).strip(" :.,")


def _reference_purposes(key: str) -> tuple[str, ...]:
    return tuple(purpose for purpose, words in SECTION_PURPOSES.items() if words.search(key))


def reference_section_facts(path: str, body: str, first_line: int) -> tuple[Any, Any, Any]:
    sections = [
        {
            "title": s.title,
            "key": _reference_normalise(s.title),
            "level": s.level,
            "line": s.line,
            "end_line": s.end_line,
            "status": s.status,
            "placeholders": s.placeholders,
            "at": {"path": path, "line": s.line, "column": 1, "end_line": s.line, "end_column": 1},
        }
        for s in walk(reference_parse_sections(body, first_line))
    ]
    best: dict[str, Any] = dict.fromkeys(SECTION_PURPOSES)
    for section in sections:
        for purpose in _reference_purposes(section["key"]):
            chosen = best[purpose]
            if chosen is None or (chosen["status"] != "filled" and section["status"] == "filled"):
                best[purpose] = section
    return sections, [s for s in sections if s["placeholders"]], best


# Front matter before the body, holding what the body's searches look for: read in place
# (as `card_facts` reads it), the body must be read from its start on.
_FRONT = "---\nx: '[More Information Needed] {{ a }} <!-- # h'\n# y: ```\n---\n"


def _same(body: str, first_line: int = 1) -> None:
    expected = reference_section_facts("README.md", body, first_line)
    # The body's last line: its line breaks (CRLF, CR or LF) after the first line.
    last = first_line + len(body.replace("\r\n", "\n").replace("\r", "\n").split("\n")) - 1
    expected = (*expected, last)
    assert section_facts("README.md", body, first_line) == expected, body[:200]
    # The body in place in the card's text, with and without what the caller knows of it.
    text = _FRONT + body
    breaks_cr = "\r" in body
    for folded in (None, ascii_folded(text)):
        for known in (None, breaks_cr):
            got = section_facts("README.md", text, first_line, len(_FRONT), folded, known)
            assert got == expected, body[:200]


@settings(max_examples=1500, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join), st.integers(1, 40))
def test_generated_bodies(body: str, first_line: int) -> None:
    _same(body, first_line)


@pytest.mark.parametrize(
    "body",
    [
        "",
        "no heading\n",
        "# a\n## b\n### c\ntext\n## d\n# e\n[More Information Needed]\n",
        "# a\n## b\n[More Information Needed]\n## c\ntext\n",
        "# a\n<!-- x -->\n## b\n{{ card_data }}\n",
        "# a\n[More Information<!-- -->Needed]\n",  # the comment goes, the placeholder stays
        "Title\n===\nbody\nSub\n---\n**Label:**\n# Uses\n\n## Direct Use\n\nx\n",
        "# h\r\n## Training Data\r\nx\r# Uses\r\n",
        "# t\n" * 2010,
        # Placeholders in other cases (the folded text folds `İ`, `ı` and `ſ` as the pattern does)
        "# a\n[more İNFORMATİON needed]\n# b\n[NEEDS MORE ınformation]\n# c\n{{ X }}\n",
        "# é\n[More Information Needed] 😀\n## b\n<!-- x -->\n",
    ],
)
def test_crafted_bodies(body: str) -> None:
    _same(body)
    _same(body, 9)


def test_stock_sentence_sections() -> None:
    from commonslint.card import STOCK_SENTENCES

    for stock in STOCK_SENTENCES:
        _same(f"# Recommendations\n\n{stock}\n## Bias\n{stock} More.\n")


def _bodies(text: str) -> list[str]:
    return [text, text[split_front_matter(text).body_start :]]


@pytest.mark.skipif(not CARDS, reason="../shared/corpus is not present")
def test_corpus_cards() -> None:
    for path in CARDS:
        for body in _bodies(path.read_text(encoding="utf-8", errors="replace")):
            _same(body, 3)


@pytest.mark.skipif(not BULK.exists(), reason="the shared bulk corpus is not beside the project")
def test_bulk_cards_sample() -> None:
    # Every 9th card keeps this to seconds; the whole corpus was compared when this was written.
    with gzip.open(BULK, "rt", encoding="utf-8") as handle:
        for line in itertools.islice(handle, 0, None, 9):
            _same(_bodies(json.loads(line)["card"])[1])


# ---------------------------------------------------------------- the fast paths underneath

_HEADING_LINES = st.text(alphabet="# \t\x0c\u3000a:", max_size=14)


@settings(max_examples=3000, deadline=None)
@given(_HEADING_LINES)
def test_atx_heading_is_the_pattern(line: str) -> None:
    assert _atx_heading_uncached(line) == _atx_reference(line)


@pytest.mark.parametrize(
    "line",
    [
        "#",
        "# ",
        "#\t",
        "# #",
        "# ###",
        "## # #",
        "# a #",
        "# a#",
        "# a \t#  \t",
        "# a\x0c#",
        "####### x",
        "#x",
        "    # four",
        "   # three #",
        "# a ## b ##",
        "#  #  ",
        "\t# tab",
    ],
)
def test_atx_heading_cases(line: str) -> None:
    assert _atx_heading_uncached(line) == _atx_reference(line)


def _label_text() -> st.SearchStrategy[str]:
    # Bold runs of every length around the label's limit of 80, among noise and words.
    run = st.tuples(
        st.sampled_from(["**", "__"]),
        st.integers(0, 90),
        st.sampled_from(["**", "__", ":**", "**:", "*", ""]),
    ).map(lambda t: t[0] + "a" * t[1] + t[2])
    return st.lists(
        st.one_of(run, st.sampled_from([" ", "\n", "-", ":", "b", "*", "_"])), max_size=8
    ).map("".join)


@settings(max_examples=1500, deadline=None)
@given(_label_text(), st.integers(0, 5), st.integers(0, 5))
def test_filled_is_the_label_substitution(text: str, lead: int, tail: int) -> None:
    padded = "x" * lead + text + "y" * tail
    expected = bool(_SUBSTANCE.search(_LABEL.sub(" ", text)))
    assert _filled(padded, lead, lead + len(text)) == expected


_TITLES = st.text(alphabet="aB &-*_`#[]()<>:.,optinalOPTIONAL ıİ", max_size=30)


@settings(max_examples=1500, deadline=None)
@given(_TITLES)
def test_normalise_title_is_the_reference(title: str) -> None:
    assert _normalise_uncached(title) == _reference_normalise(title)


_KEY_WORDS = [
    *("bias", "biases", "risk", "risks", "limitation", "limitations", "training", "train"),
    *("pre training", "pretraining", "fine tuning", "data", "dataset", "datasets", "corpus"),
    *("used", "out of scope", "misuse", "use", "uses", "intended use", "restrictions"),
    *("prohibited", "environmental impact", "carbon", "co2", "emissions", "x", "abuse"),
]


@settings(max_examples=1500, deadline=None)
@given(
    st.one_of(
        st.lists(st.sampled_from([*_KEY_WORDS, " ", "", "s"]), max_size=6).map(" ".join),
        st.text(alphabet="usedatbirkcopn2 ", max_size=24),
    )
)
def test_purposes_are_the_patterns(key: str) -> None:
    assert _purposes_uncached(key) == _reference_purposes(key)


@pytest.mark.skipif(not BULK.exists(), reason="the shared bulk corpus is not beside the project")
def test_heading_helpers_on_bulk_headings() -> None:
    heading = re.compile(r"^ {0,3}#[^\n]*", re.M)
    with gzip.open(BULK, "rt", encoding="utf-8") as handle:
        for line in itertools.islice(handle, 0, None, 5):
            for found in heading.finditer(json.loads(line)["card"]):
                text = found.group()
                assert _atx_heading_uncached(text) == _atx_reference(text)
                title = (_atx_reference(text) or (0, text))[1]
                key = _normalise_uncached(title)
                assert key == _reference_normalise(title)
                assert _purposes_uncached(key) == _reference_purposes(key)
