"""The `co2_eq_emissions` field in its accepted forms (DOMAIN.md §5, hub-docs model-cards-co2.md).

The Hub reads `emissions` in grams of CO2-equivalent, either as a bare number or as
`emissions:` in a mapping with `source`, `training_type`, `geographical_location` and
`hardware_used`. CodeCarbon reports kilograms, so kilogram values written as grams are common.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

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
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Every match of `_TEXT_UNIT` holds one of these words on its line, so a body without any of
# them has no unit to find; most cards have none, and this spares a search per line.
_TEXT_UNIT_WORDS = ("co2", "co₂", "carbon", "emission")
# The regex's case-insensitive matching also equates ı and İ with i, and ſ with s; lower() alone
# would miss those spellings, so they are folded first.
_FOLD = str.maketrans({"ı": "i", "İ": "i", "ſ": "s"})


def _mentions_emissions(text: str) -> bool:
    """False only when no line can match `_TEXT_UNIT` (True may still find nothing)."""
    if not text.isascii() and ("ı" in text or "İ" in text or "ſ" in text):
        text = text.translate(_FOLD)  # slow, and needed only for these rare letters
    lowered = text.lower()
    return any(word in lowered for word in _TEXT_UNIT_WORDS)


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


def read_emissions(data: dict[str, Any], body: str, body_first_line: int) -> Emissions:
    """What the card says about its emissions, and what is wrong with it."""
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
    if not _mentions_emissions(body):
        return found
    # Lines break as the card's line index counts them (CRLF, CR, LF), not as str.splitlines
    # does (which also breaks at \v, \f, \x1c-\x1e, \x85, U+2028 and U+2029 and so would
    # number lines past the file's end).
    for number, line in enumerate(_LINE_BREAK.split(body), start=body_first_line):
        match = _TEXT_UNIT.search(line)
        if match:
            found.unit_in_text_line = number
            found.unit_in_text = line.strip()[:120]
            break
    return found
