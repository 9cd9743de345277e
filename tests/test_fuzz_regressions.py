"""Regression tests for what the atheris fuzz target (tests/fuzz/fuzz_card.py) found.

Each test is a small hand-made reproduction of a crash input (the inputs themselves grew out of
real cards, which the project does not copy), named for what went wrong.
"""

from __future__ import annotations

import re

import pytest

from commonslint.config import Config
from commonslint.lint import Linter
from commonslint.sources import MemoryRepo

LINTER = Linter(Config())
FRONT = "---\nlicense: mit\nco2_eq_emissions: 5\n---\n"


def lines_of(text: str) -> list[str]:
    return re.split(r"\r\n|\r|\n", text)


@pytest.mark.parametrize("separator", ["\x1c", "\x1d", "\x1e", "\x0b", "\x0c", "\x85", "\u2028"])
def test_emissions_unit_line_counts_lines_as_the_card_does(separator: str) -> None:
    """str.splitlines breaks at these characters, the card's line index does not: CL504 pointed
    at line 81 of a 40-line file (fuzz crash 87c7ad2f)."""
    body = "# Model\n" + f"a{separator}b{separator}c\n" * 30 + "Carbon emitted: 12 kg of CO2\n"
    text = FRONT + body
    result = LINTER.lint(MemoryRepo({"README.md": text}), "fuzz")
    [finding] = [f for f in result.findings if f.code == "CL504"]
    lines = lines_of(text)
    assert finding.location.line <= len(lines)
    assert "12 kg of CO2" in lines[finding.location.line - 1]


def test_emissions_unit_line_in_a_body_with_carriage_returns_only() -> None:
    # The front matter keeps LF: the Hub's regex does not close a block on a lone CR.
    text = FRONT + "# Model\rintro\r\rTraining emitted 3 tonnes of CO2.\r"
    result = LINTER.lint(MemoryRepo({"README.md": text}), "fuzz")
    [finding] = [f for f in result.findings if f.code == "CL504"]
    assert "3 tonnes" in lines_of(text)[finding.location.line - 1]


@pytest.mark.parametrize("before", ["\xa0", "é", "日本", "🙂"])
def test_yaml_reader_error_points_at_the_character_not_the_byte(before: str) -> None:
    """libyaml reports reader errors as a byte offset: after non-ASCII text CL003 pointed past
    the end of its line (found by the hypothesis property test in test_properties.py)."""
    text = f"---\r\n{before}\r\n{before}\r\n\x08\r\n---\r\n"
    result = LINTER.lint(MemoryRepo({"README.md": text}), "fuzz")
    [finding] = [f for f in result.findings if f.code == "CL003"]
    assert (finding.location.line, finding.location.column) == (4, 1)
