"""`offset_loc` gives the same positions as `LineIndex.span`, which it skips for speed."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from commonslint.card import parse_card
from commonslint.locations import offset_loc

_TEXT = st.lists(st.sampled_from(["a", "bc", "\n", "\r\n", "\r", "é", "\n\n", " "]), max_size=40)


@settings(max_examples=300, deadline=None)
@given(_TEXT.map("".join), st.integers(0, 200), st.integers(-5, 200) | st.none())
def test_offset_loc_matches_span(text: str, start: int, end: int | None) -> None:
    card = parse_card("README.md", text)
    start = min(start, len(text))
    if end is not None:
        end = min(end, len(text))
    span = card.lines.span(start, start if end is None else end)
    assert offset_loc(card, start, end) == {
        "path": "README.md",
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
    }
