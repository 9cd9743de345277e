"""The quick `commonslint` check before the suppression patterns never hides a suppression."""

from __future__ import annotations

import gzip
import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonslint import suppressions
from commonslint.card import LineIndex
from tests.conftest import CORPUS

BULK = CORPUS / "bulk" / "hub-readmes-2023.jsonl.gz"

_PIECES = st.sampled_from(
    [
        *("# ", "#", " ", "\t", "\n", "\r\n", "<!--", "-->", "key: v ", "x"),
        *("commonslint", "COMMONSLINT", "CommonsLınt", "commonslİnt", "commonſlint", "ComMonslint"),
        *(":", ": ", "ignore", "IGNORE", "ıgnore", " CL101", ",cl202", " -- why", "é", "₂"),
    ]
)


def _scan(text: str, yaml_end: int) -> list[suppressions.Suppression]:
    index = LineIndex(text)
    return suppressions.find_suppressions(text, 0, yaml_end, index.position)


@settings(max_examples=500, deadline=None)
@given(st.lists(_PIECES, max_size=25).map("".join), st.integers(0, 200))
def test_prefilter_changes_nothing(text: str, yaml_end: int) -> None:
    yaml_end = min(yaml_end, len(text))
    fast = _scan(text, yaml_end)
    original = suppressions._may_hold
    try:
        suppressions._may_hold = lambda text: True  # type: ignore[assignment]
        full = _scan(text, yaml_end)
    finally:
        suppressions._may_hold = original
    assert fast == full


def test_folded_spellings_still_found() -> None:
    text = (
        "---\nlicense: mit  # CommonsLınt: ignore CL101\n---\n<!-- commonſlint: ignore CL501 -->\n"
    )
    found = _scan(text, text.index("\n---") + 1)
    assert [s.codes for s in found] == [("CL101",), ("CL501",)]


@pytest.mark.skipif(not BULK.exists(), reason="the shared bulk corpus is not beside the project")
def test_prefilter_never_hides_a_suppression_on_real_cards() -> None:
    with gzip.open(BULK, "rt", encoding="utf-8") as handle:
        for line in itertools.islice(handle, 0, None, 3):
            card = json.loads(line)["card"]
            if not suppressions._may_hold(card):
                assert not suppressions._YAML.search(card)
                assert not suppressions._HTML.search(card)
