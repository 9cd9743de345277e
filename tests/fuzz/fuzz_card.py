"""Fuzzing target for the card parser and the whole lint, for atheris (run by hand).

    pip install atheris            # a by-hand tool: not a dependency of commonslint or its tests
    python tests/fuzz/fuzz_card.py tests/fuzz/corpus -max_total_time=300

Each input is the bytes of a README.md (and, reversed, of a LICENSE). A crash is any exception
escaping the lint, or a finding that points outside the file. What it finds becomes a
regression test in tests/test_fuzz_regressions.py; see tests/fuzz/README.md.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

with atheris.instrument_imports():
    from commonslint.card import parse_card
    from commonslint.config import Config
    from commonslint.lint import Linter
    from commonslint.sources import MemoryRepo, decode_text

LINTER = Linter(Config())
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def check(data: bytes) -> None:
    result = LINTER.lint(MemoryRepo({"README.md": data, "LICENSE": data[::-1]}), "fuzz")
    text = decode_text(data).text
    if text is None:
        return
    parse_card("README.md", text)
    lengths = [len(line) for line in _LINE_BREAK.split(text)]
    for finding in result.findings:
        loc = finding.location
        if loc.path != "README.md" or not result.facts["card"]["readable"]:
            continue
        for line, column in ((loc.line, loc.column), (loc.end_line, loc.end_column)):
            if not (1 <= line <= len(lengths) and 1 <= column <= lengths[line - 1] + 1):
                raise AssertionError(f"{finding.code} points outside the file: {loc}")


def main() -> None:
    atheris.Setup(sys.argv, check)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
