"""The `co2_eq_emissions` field in its accepted forms (hub-docs `docs/hub/model-cards-co2.md`).

The Hub reads `emissions` in grams of CO2-equivalent, either as a bare number or as
`emissions:` in a mapping with `source`, `training_type`, `geographical_location` and
`hardware_used`. CodeCarbon reports kilograms (mlco2/codecarbon `docs/edit/output.rst`), so
kilogram values written as grams are common.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from commonslint.card import ascii_folded

RECOMMENDED_FIELDS = ("source", "training_type", "geographical_location", "hardware_used")
# A unit in a value or in the card's text that is not grams. Only explicit units are trusted:
# small decimals are ambiguous (a short fine-tune really can emit 0.1 g).
_KG_UNIT = re.compile(
    r"\b(kg|kgs|kilo ?grams?|kilos|tonnes?|tons?|t|mt|metric tons?)\b\s*(co2|co₂|of co2|eq|$)?",
    re.IGNORECASE,
)
_TEXT_UNIT = re.compile(
    r"(co2|co₂|carbon|emission)[^\n]{0,60}?(\(in (kg|kilograms|tonnes|tons)\)|"
    r"\b\d[\d.,]*\s*(kg|kilograms?|tonnes?|tons?|tco2e?q?)\b)"
    r"|\b\d[\d.,]*\s*(kg|kilograms?|tonnes?|tons?)\s*(of\s*)?(co2|co₂|carbon)",
    re.IGNORECASE,
)
# Every match of `_TEXT_UNIT` holds co2, co₂, carbon or emission, in any case. Only the lines
# holding one are searched: most cards have none, and the rest a few.
_TEXT_UNIT_WORDS = (b"co2", b"carbon", b"emission")


def _first_unit_line(
    body: str, folded: bytes | None = None, start: int = 0
) -> tuple[int, str] | None:
    """The 0-based index and the text of the first line on which `_TEXT_UNIT` finds a unit,
    in `body[start:]` (counted from there), searched in place: copying the body of a card to
    search it cost as much as the search.

    Lines break as the card's line index counts them (CRLF, CR, LF), not as str.splitlines
    does (which also breaks at \\v, \\f, \\x1c-\\x1e, \\x85, U+2028 and U+2029 and so would
    number lines past the file's end). Only lines holding one of the words are searched, in
    order; the words hold no line break, so the lines searched hold every line that matches.
    """
    lowered = ascii_folded(body) if folded is None else folded
    find = lowered.find
    words = _TEXT_UNIT_WORDS
    hits = [find(b"co2", start), find(b"carbon", start), find(b"emission", start)]
    if not body.isascii() and body.find("₂", start) >= 0:
        words = (*words, b"co?")  # co₂, and perhaps other co-something: the regex decides
        hits.append(find(b"co?", start))
    if max(hits) < 0:
        return None  # most cards
    breaks_cr = body.find("\r", start) >= 0
    while True:
        live = [hit for hit in hits if hit >= 0]
        if not live:
            return None
        at = min(live)
        if breaks_cr:
            begin = max(body.rfind("\n", start, at), body.rfind("\r", start, at), start - 1) + 1
            ends = [end for end in (body.find("\n", at), body.find("\r", at)) if end >= 0]
            end = min(ends) if ends else len(body)
        else:
            begin = max(body.rfind("\n", start, at), start - 1) + 1
            end = body.find("\n", at)
            if end < 0:
                end = len(body)
        line = body[begin:end]
        if _TEXT_UNIT.search(line):
            breaks = body.count("\n", start, begin)
            if breaks_cr:  # a CRLF is one break
                breaks += body.count("\r", start, begin) - body.count("\r\n", start, begin)
            return breaks, line
        # On to the next line holding a word: find again the words found on this one.
        hits = [
            lowered.find(word, end) if 0 <= hit < end else hit
            for hit, word in zip(hits, words, strict=True)
        ]


@dataclass
class Emissions:
    present: bool = False
    form: str = "absent"  # "absent" | "number" | "mapping" | "other"
    value: Any = None
    problem: str | None = None  # why `emissions` is not a usable number (CL502)
    missing_fields: list[str] = field(default_factory=list)  # mapping form only (CL503)
    unit_in_value: str | None = None  # a non-gram unit written in the value itself
    unit_in_text_line: int = 0  # 1-based line of card text giving a non-gram unit
    unit_in_text: str | None = None


def _value_problem(value: Any) -> str | None:
    if isinstance(value, bool):
        return "is a boolean"
    if isinstance(value, (int, float)):
        if value != value:  # NaN
            return "is not a number (NaN)"
        if value < 0:
            return f"is negative ({value})"
        if value == float("inf"):
            return "is infinite"
        return None
    if value is None:
        return "is empty"
    if isinstance(value, str):
        if re.fullmatch(r"\s*[-+]?\d+(\.\d*)?[eE]\d+\s*", value):
            return (
                f"is the string {value!r}: YAML 1.1 reads an exponent without a sign as text; "
                "write it as a plain decimal number"
            )
        return f"is the string {value!r}, not a number"
    return f"is {type(value).__name__}, not a number"


def read_emissions(
    data: dict[str, Any],
    body: str,
    body_first_line: int,
    folded: bytes | None = None,
    start: int = 0,
) -> Emissions:
    """What the card says about its emissions, and what is wrong with it; the body is
    `body[start:]` (the card's text past its front matter), and `folded` is
    `card.ascii_folded(body)` when the caller has it."""
    found = Emissions()
    if "co2_eq_emissions" in data and data["co2_eq_emissions"] is not None:
        raw = data["co2_eq_emissions"]
        found.present = True
        if isinstance(raw, dict):
            found.form = "mapping"
            found.value = raw.get("emissions")
            found.problem = (
                "has no `emissions` value"
                if "emissions" not in raw
                else _value_problem(found.value)
            )
            found.missing_fields = [
                name for name in RECOMMENDED_FIELDS if raw.get(name) in (None, "")
            ]
        elif isinstance(raw, list):
            found.form = "other"  # a wrong type: CL005's business
        else:
            found.form = "number"
            found.value = raw
            found.problem = _value_problem(raw)
        if isinstance(found.value, str):
            unit = _KG_UNIT.search(found.value)
            if unit:
                found.unit_in_value = unit.group(1)
    first = _first_unit_line(body, folded, start)
    if first is not None:
        index, line = first
        found.unit_in_text_line = body_first_line + index
        found.unit_in_text = line.strip()[:120]
    return found
