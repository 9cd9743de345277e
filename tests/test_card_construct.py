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
from hypothesis import given, settings
from hypothesis import strategies as st

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
        except (yaml.YAMLError, ValueError, TypeError, OverflowError, IndexError, KeyError) as exc:
            return f"raises {type(exc).__name__}"

    def theirs():  # type: ignore[no-untyped-def]
        loader = _Loader("")
        try:
            return loader.construct_document(node)
        finally:
            loader.dispose()

    ours = run(lambda: _construct(node))
    # Without an anchor (`&`) the alias-free builder runs, as in `split_front_matter`.
    assert run(lambda: _construct(node, "&" in source)) == ours
    if "&" not in source:
        assert run(lambda: _construct(node, False)) == ours
    return ours, run(theirs)


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
    # PyYAML's own IndexError/KeyError on explicit tags are a finding, not a traceback.
    for source in ("x: !!int ''", "x: !!bool maybe"):
        front = split_front_matter(f"---\n{source}\n---\n")
        assert front.status == "invalid", source


# Scalars as they appear in front matter and around the edges of YAML 1.1's implicit types:
# signs, underscores, octal/hex/binary prefixes, sexagesimal, `.inf`/`.nan`, booleans in any case.
_SCALAR_PIECES = st.sampled_from(
    [
        *("", "-", "+", "0", "1", "7", "9", "_", ":", ".", "e", "E", "x", "b", "o", "a", "f"),
        *("0x", "0b", "0o", ".inf", ".nan", ".Inf", ".NaN", "59", "60", "1_000", "e+3", "e-2"),
        *("yes", "No", "ON", "off", "True", "FALSE", "null", "~", "Null", "2023-01-02", "y"),
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(_SCALAR_PIECES, min_size=1, max_size=5).map("".join), max_size=6))
def test_scalars_match_safe_load(values: list[str]) -> None:
    """`_construct`'s own int/float/bool/null conversion gives `yaml.safe_load`'s values."""
    lines = [f"k{n}: {value}" for n, value in enumerate(values)]
    source = "\n".join(lines) + "\n" + "seq: [" + ", ".join(v or "''" for v in values) + "]\n"
    try:
        node = yaml.compose(source, Loader=_Loader)
    except yaml.YAMLError:
        return  # not YAML at all: the constructor never runs
    ours, theirs = _both(source)
    assert ours == theirs, source
    if node is not None and not ours.startswith("raises"):
        assert repr(yaml.safe_load(source)) == ours


@pytest.mark.parametrize(
    "source",
    [
        "a: !!int ''\n",  # PyYAML's own IndexError, not ours
        "a: !!int abc\n",
        "a: !!bool maybe\n",
        "a: !!float ''\n",
        "a: !!null x\n",
        "a: 0o17\nb: 017\nc: 0b101\nd: -0x_1f\ne: 1:30\nf: -1:30.5\ng: 1_0.5\nh: -.inf\n",
        "? 1:30\n: sexagesimal key\n? .nan\n: nan key\n",
    ],
)
def test_explicit_and_edge_scalars_match_pyyaml(source: str) -> None:
    node = yaml.compose(source, Loader=_Loader)
    ours, theirs = _both(source)
    assert ours == theirs
    assert node is not None
