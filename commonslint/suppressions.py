"""Inline suppressions written in the card itself.

In the front matter, a YAML comment:      `# commonslint: ignore CL501, CL603 -- reason`
In the body, an HTML comment (invisible on the Hub page): `<!-- commonslint: ignore CL602 -->`

A comment on a line of its own silences those codes for the whole repository (the card is the
one file every repository has, so it is where a repository-wide decision is written down). A
comment at the end of a front-matter line silences them on that line only. A suppression that
silences nothing is reported (CL901), so stale ones do not pile up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from commonslint.card import ascii_folded

_YAML = re.compile(r"(?:^|[ \t])#[ \t]*commonslint:[ \t]*ignore\b[ \t]*([^\r\n]*)", re.I | re.M)
_HTML = re.compile(r"<!--[ \t]*commonslint:[ \t]*ignore\b[ \t]*(.*?)-->", re.I | re.S)
_CODE = re.compile(r"^CL\d{3}$")


@dataclass
class Suppression:
    codes: tuple[str, ...]
    invalid: tuple[str, ...]  # words that are not rule codes
    line: int  # 1-based line of the comment in the card
    column: int
    scope_line: int | None  # None: whole repository; else only findings on this card line
    used: set[str]


def _codes(spec: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    spec = spec.split("--", 1)[0]
    words = [w for w in re.split(r"[\s,]+", spec.strip()) if w]
    codes = tuple(w.upper() for w in words if _CODE.match(w.upper()))
    invalid = tuple(w for w in words if not _CODE.match(w.upper()))
    return codes, invalid


def _may_hold(text: str) -> bool:
    """False only when neither pattern can match: both need the word `commonslint`
    (case-insensitively, so it is looked for in `ascii_folded(text)`)."""
    return b"commonslint" in ascii_folded(text)


def find_suppressions(
    text: str, yaml_start: int, yaml_end: int, line_of, folded: bytes | None = None
) -> list[Suppression]:
    """Suppressions in the card text; `line_of(offset)` gives the 1-based (line, column), and
    `folded` is `ascii_folded(text)` when the caller has it."""
    found: list[Suppression] = []
    # Almost every card holds no `commonslint`: two case-insensitive scans saved.
    if not (_may_hold(text) if folded is None else b"commonslint" in folded):
        return found
    if yaml_end > yaml_start:
        block = text[yaml_start:yaml_end]
        for match in _YAML.finditer(block):
            offset = yaml_start + match.start()
            line, column = line_of(offset + (1 if block[match.start()] in " \t" else 0))
            line_start = text.rfind("\n", 0, offset) + 1
            standalone = not text[line_start:offset].strip()
            codes, invalid = _codes(match.group(1))
            found.append(
                Suppression(codes, invalid, line, column, None if standalone else line, set())
            )
    for match in _HTML.finditer(text, yaml_end):
        line, column = line_of(match.start())
        codes, invalid = _codes(match.group(1))
        found.append(Suppression(codes, invalid, line, column, None, set()))
    return found
