"""The quick check before the placeholder search never hides a placeholder."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from commonslint.card import PLACEHOLDER_PATTERNS, _may_hold_placeholder, _own_status

_PIECES = st.sampled_from(
    [
        *("[More Information Needed]", "[more ınformation needed]", "[Needs More İnformation]"),
        *("[NEEDS MORE INFORMATION]", "{{ model_id }}", "{{x.y}}", "{ {", "[", "]", "{{"),
        *("[link](http://x)", "information", "text", " ", "\n", "**Label:**", "é"),
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_prefilter_never_hides_a_placeholder(text: str) -> None:
    if PLACEHOLDER_PATTERNS.search(text):
        assert _may_hold_placeholder(text)


def test_dotted_i_placeholder_still_counted() -> None:
    assert _own_status("[More İnformation Needed]\n") == ("placeholder", 1)
    assert _own_status("see [the docs](x)\n") == ("filled", 0)
