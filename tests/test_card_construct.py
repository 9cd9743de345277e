"""The card's front matter is built exactly as `yaml.safe_load` builds it.

`commonslint.card._construct` builds plain documents itself (for speed) and hands anything
unusual to PyYAML; each case here is compared with PyYAML's own answer, including its errors.
"""

from __future__ import annotations

import gzip
import itertools
import json

import pytest
import yaml

from commonslint.card import REGEX_YAML_BLOCK, _construct, split_front_matter
from tests.conftest import CORPUS

BULK = CORPUS / "bulk" / "hub-readmes-2023.jsonl.gz"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _both(source: str) -> tuple[str, str]:
    """(ours, PyYAML's) as reprs (reprs survive recursive structures), or the error type."""
    node = yaml.compose(source, Loader=_Loader)

    def run(build) -> str:  # type: ignore[no-untyped-def]
        try:
            return repr(build())
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
            return f"raises {type(exc).__name__}"

    def theirs():  # type: ignore[no-untyped-def]
        loader = _Loader("")
        try:
            return loader.construct_document(node)
        finally:
            loader.dispose()

    return run(lambda: _construct(node)), run(theirs)


@pytest.mark.parametrize(
    "source",
    [
        "license: mit\ntags: [a, b]\n",
        "a: 1\nb: 1.5\nc: true\nd: null\ne: no\nf: 2023-01-02\ng: 0x1F\nh: .inf\n",
        "a: &x [1, 2]\nb: *x\n",  # an alias shares its object
        "base: &b {x: 1, y: 2}\nmerged:\n  <<: *b\n  y: 3\n",  # merge keys
        "a: &r [*r]\n",  # a recursive alias
        "? [1, 2]\n: value\n",  # a key that is a list: PyYAML refuses it
        "? {a: 1}\n: value\n",
        "s: !!set {a, b}\no: !!omap [{a: 1}, {b: 2}]\n",
        "b: !!binary aGVsbG8=\n",
        "x: !custom 1\n",  # an unknown tag: PyYAML's error
        "x: !!python/object:os.system {}\n",
        "dup: 1\nother: 2\ndup: 3\n",  # a later duplicate wins, in the first one's place
        "- a\n- b\n",
        "just text\n",
        "t: 2023-13-45\n",  # a timestamp PyYAML cannot build
        "=: equals\n",
        "1: int key\nnull: null key\ntrue: bool key\n",
        "nested: {a: [1, {b: [c, d]}], e: {f: {g: h}}}\n",
    ],
)
def test_construct_matches_pyyaml(source: str) -> None:
    ours, theirs = _both(source)
    assert ours == theirs


@pytest.mark.skipif(not BULK.exists(), reason="the shared bulk corpus is not beside the project")
def test_construct_matches_pyyaml_on_real_cards() -> None:
    compared = 0
    with gzip.open(BULK, "rt", encoding="utf-8") as handle:
        for line in itertools.islice(handle, 0, None, 5):
            match = REGEX_YAML_BLOCK.search(json.loads(line)["card"])
            if match is None:
                continue
            try:
                ours, theirs = _both(match.group(2))
            except yaml.YAMLError:
                continue  # not composable: the constructor never runs
            assert ours == theirs, match.group(2)[:300]
            compared += 1
    assert compared > 4000


def test_split_front_matter_still_reports_construct_errors() -> None:
    front = split_front_matter("---\nwhen: 2023-13-45\n---\n# body\n")
    assert front.status == "invalid"
    front = split_front_matter("---\nx: !custom 1\n---\n")
    assert front.status == "invalid"
