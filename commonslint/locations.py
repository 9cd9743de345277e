"""Turning card offsets and YAML nodes into the location dicts rules point at."""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

from commonslint.card import Card


def file_loc(path: str, line: int = 1, column: int = 1) -> dict[str, Any]:
    return {"path": path, "line": line, "column": column, "end_line": line, "end_column": column}


def offset_loc(card: Card, start: int, end: int | None = None) -> dict[str, Any]:
    """`card.lines.span(start, end)` as a location dict, without the Span in between (a card
    has a location for every top-level key and value, so this runs dozens of times per card)."""
    starts = card.lines.starts
    line = bisect_right(starts, start) - 1
    if end is None or end <= start:
        end_line, end = line, start
    else:
        end_line = bisect_right(starts, end) - 1
    return {
        "path": card.path,
        "line": line + 1,
        "column": start - starts[line] + 1,
        "end_line": end_line + 1,
        "end_column": end - starts[end_line] + 1,
    }


def node_loc(card: Card, node: Any) -> dict[str, Any]:
    """Where a YAML node of the front matter stands in the card."""
    base = card.front.yaml_start
    start = base + node.start_mark.index
    end = base + node.end_mark.index
    # A block mapping or sequence ends at the start of the next line; point at its own text.
    text = card.text
    while end > start and text[end - 1] in "\r\n":
        end -= 1
    return offset_loc(card, start, end)


def line_loc(card: Card, line: int) -> dict[str, Any]:
    return {"path": card.path, "line": line, "column": 1, "end_line": line, "end_column": 1}
