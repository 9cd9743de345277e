"""CL005's type problems come one field at a time, in KNOWN_FIELDS' order, whatever the card's."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from commonslint.card import _construct, key_nodes
from commonslint.metadata import KNOWN_FIELDS, wrong_types

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FIELDS = [*sorted(KNOWN_FIELDS), "not_a_field", "Tags"]
_VALUES = st.sampled_from(["x", "1", "true", "[a, b]", "[a, [b]]", "{a: 1}", "[null]", "''", ""])


def _problems(source: str) -> list[tuple[str, str]]:
    node = yaml.compose(source, Loader=_Loader)
    data = _construct(node) if node is not None else {}
    return [(p.key, p.detail) for p in wrong_types(data, key_nodes(node))]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(_FIELDS), _VALUES), max_size=12, unique_by=lambda t: t[0])
)
def test_problems_field_by_field_in_known_order(pairs: list[tuple[str, str]]) -> None:
    source = "".join(f"{key}: {value}\n" for key, value in pairs) or "{}\n"
    expected = []
    for key in KNOWN_FIELDS:
        for name, value in pairs:
            if name == key:
                expected += _problems(f"{name}: {value}\n")
    assert _problems(source) == expected
