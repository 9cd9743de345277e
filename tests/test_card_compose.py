"""`commonslint.card._compose` gives the node tree `yaml.compose` gives, and the same errors.

The fast composer sets up only the C parser and replaces the resolver's per-node hooks with
no-ops; a node tree that differed in any tag, value, style or position would change the facts.
"""

from __future__ import annotations

import gzip
import itertools
import json
from typing import Any

import pytest
import yaml

from commonslint.card import REGEX_YAML_BLOCK, _compose
from tests.conftest import CORPUS

BULK = CORPUS / "bulk" / "hub-readmes-2023.jsonl.gz"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _tree(node: Any) -> Any:
    """Everything a node holds that facts may read, recursively (aliases are repeated)."""
    if node is None:
        return None
    marks = (node.start_mark.index, node.end_mark.index, node.start_mark.line)
    if isinstance(node, yaml.ScalarNode):
        return ("scalar", node.tag, node.value, node.style, marks)
    if isinstance(node, yaml.SequenceNode):
        return ("seq", node.tag, node.flow_style, marks, [_tree(n) for n in node.value])
    return (
        "map",
        node.tag,
        node.flow_style,
        marks,
        [(_tree(k), _tree(v)) for k, v in node.value],
    )


def _outcome(compose: Any, source: str) -> Any:
    try:
        return _tree(compose(source))
    except (yaml.YAMLError, RecursionError) as exc:
        return ("raises", type(exc).__name__, str(exc))


def _check(source: str) -> None:
    ours = _outcome(_compose, source)
    theirs = _outcome(lambda s: yaml.compose(s, Loader=_Loader), source)
    assert ours == theirs, source[:200]


CASES = [
    "",
    "a: 1",
    "tags:\n- a\n- b\nlicense: mit\n",
    "a: &x [1, 2]\nb: *x\n",
    "<<: {a: 1}\nb: 2\n",
    "? [a, b]\n: c\n",
    "a: !!int '3'\nb: !custom x\nc: 2001-12-14\nd: ~\ne: yes\nf: 1.10\n",
    "a: 'quoted'\nb: \"dq\"\nc: |\n  block\nd: >\n  folded\n",
    "a: [1, {b: c}]\n",
    "a: b: c\n",  # error
    "a: *missing\n",  # error
    "- a\nb: c\n",  # error
    "a: 1\n---\nb: 2\n",  # two documents: error
    "a: \x07\n",  # reader error
    "a:\n  - x\n  - y: [z, {w: 1}]\n",
]


@pytest.mark.parametrize("source", CASES)
def test_crafted(source: str) -> None:
    _check(source)


def test_corpus_cards() -> None:
    paths = sorted((CORPUS / "cards").rglob("*.md"))
    assert paths
    for path in paths:
        match = REGEX_YAML_BLOCK.search(path.read_text(encoding="utf-8", errors="replace"))
        if match:
            _check(match.group(2))


def test_bulk_sample() -> None:
    with gzip.open(BULK, "rt") as f:
        for line in itertools.islice(f, 0, 25109, 10):
            match = REGEX_YAML_BLOCK.search(json.loads(line)["card"])
            if match:
                _check(match.group(2))
