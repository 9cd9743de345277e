"""Turning card offsets and YAML nodes into the location dicts rules point at."""

from __future__ import annotations

from typing import Any

from commonslint.card import Card


def file_loc(path: str, line: int = 1, column: int = 1) -> dict[str, Any]:
    return {"path": path, "line": line, "column": column, "end_line": line, "end_column": column}


def offset_loc(card: Card, start: int, end: int | None = None) -> dict[str, Any]:
    span = card.lines.span(start, start if end is None else end)
    return {
        "path": card.path,
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
    }


def node_loc(card: Card, node: Any) -> dict[str, Any]:
    """Where a YAML node of the front matter stands in the card."""
    base = card.front.yaml_start
    start = base + node.start_mark.index
    end = base + node.end_mark.index
    # A block mapping or sequence ends at the start of the next line; point at its own text.
    while end > start and card.text[end - 1] in "\r\n":
        end -= 1
    return offset_loc(card, start, end)


def line_loc(card: Card, line: int) -> dict[str, Any]:
    return {"path": card.path, "line": line, "column": 1, "end_line": line, "end_column": 1}
