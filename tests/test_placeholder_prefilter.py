"""The quick placeholder count agrees with the pattern it stands for."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from commonslint.card import PLACEHOLDER_PATTERNS, _count_placeholders, _own_status

_PIECES = st.sampled_from(
    [
        *("[More Information Needed]", "[more ınformation needed]", "[Needs More İnformation]"),
        *("[NEEDS MORE INFORMATION]", "{{ model_id }}", "{{x.y}}", "{ {", "[", "]", "{{", "}}"),
        *("{{{ a }}}", "[[More Information Needed]]", "{{ é }}", "{{\u2028x}}", "[More"),
        *("[link](http://x)", "information", "text", " ", "\n", "**Label:**", "é"),
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_count_is_the_patterns(text: str) -> None:
    assert _count_placeholders(text) == len(PLACEHOLDER_PATTERNS.findall(text))


def test_dotted_i_placeholder_still_counted() -> None:
    assert _own_status("[More İnformation Needed]\n") == ("placeholder", 1)
    assert _own_status("see [the docs](x)\n") == ("filled", 0)
