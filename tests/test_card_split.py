"""`card.find_block` finds the front matter exactly where the Hub's regex does.

`REGEX_YAML_BLOCK` is the Hub's pattern (tests/test_corpus.py keeps it identical to
`huggingface_hub`'s); `find_block` is the same search in two steps, for speed. Here the two are
compared on crafted traps, on generated texts built from the pieces that matter (dashes, every
kind of line break, spaces, tabs, Unicode whitespace), and on real cards.
"""

from __future__ import annotations

import gzip
import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonslint.card import REGEX_YAML_BLOCK, find_block
from tests.conftest import CORPUS

BULK = CORPUS / "bulk" / "hub-readmes-2023.jsonl.gz"


def _regex(text: str) -> tuple[int, int, int] | None:
    match = REGEX_YAML_BLOCK.search(text)
    return None if match is None else (match.start(2), match.end(2), match.end())


CASES = [
    "",
    "---\nlicense: mit\n---\n# Model\n",
    "---\r\nlicense: mit\r\n---\r\nbody",
    "---\rlicense: mit\r---\rbody",
    "---\r\n---\n",  # only the opening CR ends the line: its LF opens the closing line
    "---\r\n---\r\n",
    "---\r\n---",
    "---\r\n--- \t\nbody",
    "---\n---\n",  # an empty pair: no block
    "---\n\n---\n",
    "\n\n  ---\nx: 1\n---",
    "\ufeff---\nx: 1\n---\n",
    "--- \nx: 1\n---\n",
    "---\nx: 1\n--- trailing\n---\n",
    "---\nx: 1\n----\n---\n",
    "---\nx: 1\n---\n\n",  # `$` before a final newline
    "---\nx: 1\n---\r",
    "---\nx: 1\n...\n",
    "# Title\n---\nx: 1\n---\n",
    "\u2028---\nx\n---\n",
    "\x0b\x0c---\nx\n---\n",
    "---\n" + "a\n" * 1000 + "---\n",
    "---\nx: 1\n---",  # the closing line at the very end
    "---\nx: 1\n--- \t",
    "---\nx: 1\n---x\n--- \n---\n",  # candidates that are not closing lines first
]


@pytest.mark.parametrize("text", CASES, ids=range(len(CASES)))
def test_find_block_matches_the_hub_regex_on_crafted_texts(text: str) -> None:
    assert find_block(text) == _regex(text)
    assert find_block(text, "\r" in text) == _regex(text)  # as parse_card asks


_PIECES = st.sampled_from(
    ["---", "-", "\r\n", "\r", "\n", " ", "\t", "x: 1", "...", "\ufeff", "\x85", "\u2028", "#"]
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(_PIECES, max_size=14).map("".join))
def test_find_block_matches_the_hub_regex_on_generated_texts(text: str) -> None:
    assert find_block(text) == _regex(text)
    assert find_block(text, "\r" in text) == _regex(text)


def test_find_block_matches_the_hub_regex_on_real_cards() -> None:
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in CORPUS.glob("cards/*/*.md")]
    if BULK.exists():
        with gzip.open(BULK, "rt", encoding="utf-8") as handle:
            texts += [json.loads(line)["card"] for line in itertools.islice(handle, 0, None, 3)]
    assert len(texts) > 200
    for text in texts:
        assert find_block(text) == _regex(text), text[:200]
