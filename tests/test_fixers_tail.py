"""The CL501 fix looks for a blank last line in the text's trailing whitespace only."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from commonslint.fixers import _BLANK_LINE_AT_END

_TEXT = st.lists(st.sampled_from(["a", " ", "\t", "\n", "\r", "\r\n", "\n\n", "é", "\x0b"]))


@settings(max_examples=500, deadline=None)
@given(_TEXT.map("".join))
def test_tail_search_same_as_whole_text(text: str) -> None:
    whole = re.search(r"(\r\n|\r|\n)[ \t]*(\r\n|\r|\n)$", text) is not None
    tail = _BLANK_LINE_AT_END.search(text[len(text.rstrip(" \t\r\n")) :]) is not None
    assert tail == whole
