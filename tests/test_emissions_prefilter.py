"""The cheap test that lets `read_emissions` skip cards never misses a unit the regex finds."""

from __future__ import annotations

import gzip
import itertools
import json

import pytest

from commonslint.emissions import _TEXT_UNIT, _mentions_emissions, read_emissions
from tests.conftest import CORPUS

BULK = CORPUS / "bulk" / "hub-readmes-2023.jsonl.gz"


@pytest.mark.parametrize(
    "line",
    [
        "Carbon emitted: 12 kg",
        "CO2 emissions (in kg): 3",
        "It emitted 1.5 tonnes of CO₂",
        "Total EMISSION was 4 kg",
        "Total emiſſion 4 kg",  # ſ is s to the regex
        "EMİSSİON 4 kg",  # İ is i to the regex
        "emıssıon: 7 kg",  # so is dotless ı
        "3 kilograms of carbon",
    ],
)
def test_prefilter_passes_every_line_the_regex_matches(line: str) -> None:
    assert _TEXT_UNIT.search(line)
    assert _mentions_emissions(f"# Card\n\n{line}\n")
    assert read_emissions({}, f"intro\n{line}\n", 10).unit_in_text_line == 11


def test_prefilter_rejects_cards_without_the_words() -> None:
    assert not _mentions_emissions("# A model\n\nTrained for 3 hours on 12 kg of data.\n")


@pytest.mark.skipif(not BULK.exists(), reason="the shared bulk corpus is not beside the project")
def test_prefilter_never_hides_a_match_on_real_cards() -> None:
    with gzip.open(BULK, "rt", encoding="utf-8") as handle:
        for line in itertools.islice(handle, 0, None, 3):
            card = json.loads(line)["card"]
            if not _mentions_emissions(card):
                assert not any(_TEXT_UNIT.search(x) for x in card.splitlines())
