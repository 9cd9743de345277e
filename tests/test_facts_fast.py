"""The card facts' written-out fast paths give what their reference helpers give."""

from __future__ import annotations

import gzip
import itertools
import json
import re
from typing import Any

from commonslint import facts
from commonslint.card import (
    Card,
    ascii_folded,
    duplicate_keys,
    parse_card,
)
from commonslint.emissions import _first_unit_line
from commonslint.locations import line_loc
from commonslint.sources import MemoryRepo
from commonslint.suppressions import find_suppressions
from tests.conftest import CORPUS
from tests.test_sections_reference import Section, reference_parse_sections, walk

BULK = CORPUS / "bulk" / "hub-readmes-2023.jsonl.gz"

CRAFTED = [
    "",
    "# Dataset Card for x\n",
    "---\nlicense: mit\n---\n# Dataset Card for x\n## Uses\ntext\n### Out of scope\n",
    "---\ntask_ids: [a]\n---\n# Model\n",
    "---\nlicense: mit\n---\r\n# A\r\n## B\r\n[More Information Needed]\r\n",
    "x" * 3990 + "\n# Dataset Card for y\n",  # the heading crosses the 4,000-character window
    "x" * 4100 + "\n# Dataset Card for y\n",
]


def _cards() -> list[str]:
    texts = list(CRAFTED)
    texts += [
        p.read_text(encoding="utf-8", errors="replace") for p in (CORPUS / "cards").rglob("*.md")
    ]
    with gzip.open(BULK, "rt") as f:
        texts += [json.loads(line)["card"] for line in itertools.islice(f, 0, 25109, 25)]
    return texts


def _reference_guess_kind(data: dict, card: Card | None) -> str:  # type: ignore[type-arg]
    from commonslint import metadata

    if any(key in metadata.DATASET_FIELDS for key in data):
        return "dataset"
    if card is None:
        return "model"
    head = card.text[card.front.body_start : card.front.body_start + 4000]
    return "dataset" if facts._DATASET_HEADING.search(head) else "model"


def _reference_section_dict(card: Card, section: Section) -> dict[str, Any]:
    """A section's facts built from the section's own `key` and `line_loc`."""
    return {
        "title": section.title,
        "key": section.key,
        "level": section.level,
        "line": section.line,
        "end_line": section.end_line,
        "status": section.status,
        "placeholders": section.placeholders,
        "at": line_loc(card, section.line),
    }


def test_card_facts_match_references() -> None:
    for text in _cards():
        card_f, card = facts.card_facts(MemoryRepo({"README.md": text}), [])
        assert card is not None
        tree = reference_parse_sections(text[card.front.body_start :], card.body_line)
        expected = [_reference_section_dict(card, s) for s in walk(tree)]
        assert card_f["sections"] == expected
        assert facts._guess_kind(card_f["meta"], card) == _reference_guess_kind(
            card_f["meta"], card
        )
        assert facts._guess_kind(card_f["meta"], None) == _reference_guess_kind(
            card_f["meta"], None
        )
        assert parse_card("README.md", text).front.status == card_f["front"]["status"]
        assert card_f["body_start_line"] == card.position(card.front.body_start)[0]


def test_duplicates_skip_agrees() -> None:
    """`card_facts` asks `duplicate_keys` only when some key can repeat."""
    texts = [*_cards(), "---\na: 1\nb: 2\na: 3\n---\n", "---\n? [x]\n: 1\n---\n"]
    for text in texts:
        card_f, card = facts.card_facts(MemoryRepo({"README.md": text}), [])
        assert card is not None
        expected = [k.value for k in duplicate_keys(card.front.node)] if card_f["ok"] else []
        assert [d["key"] for d in card_f["duplicates"]] == expected


def test_list_item_checks_still_report() -> None:
    """The skips for plain lists leave the lists that hold something to report."""
    text = "---\ntags:\n- a\n- null\n- [b]\nlanguage:\n- en\n- no\n- 1.10\ndatasets: [x, 3]\n---\n"
    card_f, _ = facts.card_facts(MemoryRepo({"README.md": text}), [])
    assert [(p["key"], p["detail"]) for p in card_f["type_problems"]] == [
        ("tags", "has null in its list, where a string or a list of strings is expected"),
        ("tags", "has a list in its list, where a string or a list of strings is expected"),
    ]
    assert [(p["key"], p["detail"], p["extra"]) for p in card_f["implicit"]] == [
        ("language", "`no`", "the boolean false"),
        ("language", "`1.10`", "the number 1.1"),
        ("datasets", "`3`", "the number 3"),
    ]


FOLDING = [
    "---\na: 1\n---\n# Carbon 3 KG emıssıon ſ İ\n<!-- commonſlint: ignore CL501 -->\n",
    "---\n# COMMONSLİNT: ignore CL001\nlicense: mit\n---\nCO₂: 4 kg\r\nx\n",
    "é\n# commonslint ı CO2 4 tonnes\n",
]


def test_shared_folded_copy_agrees() -> None:
    """Emissions and suppressions read one folded copy of the card: slicing it gives the
    body's own, and each gives what it gives when it folds its text itself."""
    for text in [*_cards(), *FOLDING]:
        card = parse_card("README.md", text)
        start = card.front.body_start
        body = text[start:]
        assert card.folded[start:] == ascii_folded(body)
        assert _first_unit_line(body, card.folded[start:]) == _first_unit_line(body)
        front = card.front
        end = front.yaml_end if front.status != "missing" else 0
        args = (text, front.yaml_start, end, card.position)
        assert repr(find_suppressions(*args, card.folded)) == repr(find_suppressions(*args))
        assert (b"commonslint" in card.folded) == (re.search("commonslint", text, re.I) is not None)
