"""The card facts' written-out fast paths give what their reference helpers give."""

from __future__ import annotations

import gzip
import itertools
import json

from commonslint import facts
from commonslint.card import Card, all_sections, parse_card
from commonslint.sources import MemoryRepo
from tests.conftest import CORPUS

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


def test_card_facts_match_references() -> None:
    for text in _cards():
        card_f, card = facts.card_facts(MemoryRepo({"README.md": text}), [])
        assert card is not None
        expected = [facts._section_dict(card, s) for s in all_sections(card.sections)]
        assert card_f["sections"] == expected
        assert facts._guess_kind(card_f["meta"], card) == _reference_guess_kind(
            card_f["meta"], card
        )
        assert facts._guess_kind(card_f["meta"], None) == _reference_guess_kind(
            card_f["meta"], None
        )
        assert parse_card("README.md", text).front.status == card_f["front"]["status"]
