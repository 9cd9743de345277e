"""`read_emissions` finds the text unit on the line the plain per-line search finds it.

The production search looks only at lines holding co2, co₂, carbon or emission (found in a
lower-cased ASCII copy of the body); the reference searches every line.
"""

from __future__ import annotations

import gzip
import itertools
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonslint.emissions import _TEXT_UNIT, _first_unit_line, read_emissions
from tests.conftest import CORPUS

BULK = CORPUS / "bulk" / "hub-readmes-2023.jsonl.gz"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _reference(body: str) -> tuple[int, str] | None:
    for index, line in enumerate(_LINE_BREAK.split(body)):
        if _TEXT_UNIT.search(line):
            return index, line
    return None


@pytest.mark.parametrize(
    "line",
    [
        "Carbon emitted: 12 kg",
        "CO2 emissions (in kg): 3",
        "It emitted 1.5 tonnes of CO₂",
        "It emitted 1.5 TONNES OF CO₂",
        "Total EMISSION was 4 kg",
        "Total emiſſion 4 kg",  # ſ is s to the regex
        "EMİSSİON 4 kg",  # İ is i to the regex
        "emıssıon: 7 kg",  # so is dotless ı
        "3 kilograms of carbon",
        "é co2 4 kg ü",
    ],
)
def test_every_line_the_regex_matches_is_found(line: str) -> None:
    assert _TEXT_UNIT.search(line)
    assert read_emissions({}, f"intro\n{line}\n", 10).unit_in_text_line == 11
    for body in (f"a\n{line}", f"a\r\n{line}\r\n", f"a\r{line}", f"co2\nemission 4\r\n{line}"):
        assert _first_unit_line(body) == _reference(body)


def test_nothing_found_without_the_words() -> None:
    assert _first_unit_line("# A model\n\nTrained for 3 hours on 12 kg of data.\n") is None


@pytest.mark.parametrize(
    "body",
    [
        "",
        "co2",
        "co2 here\nno unit\ncarbon and 3 kg\n",  # the first line with a word has no unit
        "carbon carbon emission\r\n\r\nx\rCO2 5 kg",  # several words on lines without units
        "emission\n" * 50 + "5 tonnes of co2",
        "co₂ only ₂\nco₂ 3 kg",
        "co\u2028co2 4 kg",  # U+2028 is no line break here
        "cO2\r\r\n\ncarbon: 3 t\n12 kg co2",
    ],
)
def test_crafted_bodies(body: str) -> None:
    assert _first_unit_line(body) == _reference(body)


_PIECES = st.sampled_from(
    [
        *("co2", "CO₂", "₂", "carbon", "Emission", "emıssıon", "EMİSSİON", "emiſſion", "c", "o"),
        *(" 3 kg", "12", " kilograms", " tonnes of ", "(in kg)", " tco2eq", "é", "x", " "),
        *("\n", "\r", "\r\n", "\u2028", "\x85", "\t"),
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join))
def test_generated_bodies(body: str) -> None:
    assert _first_unit_line(body) == _reference(body)


@pytest.mark.skipif(not BULK.exists(), reason="the shared bulk corpus is not beside the project")
def test_real_cards() -> None:
    with gzip.open(BULK, "rt", encoding="utf-8") as handle:
        for line in itertools.islice(handle, 0, None, 3):
            card = json.loads(line)["card"]
            assert _first_unit_line(card) == _reference(card)
