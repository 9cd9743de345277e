"""`lineage.facts.compute`'s flat path (parents with no parents of their own to follow, offline,
no lock file: `_flat`, and `_single_unresolved` for one parent that resolves) gives what `general`
(the reference) gives, fact for fact, with a Hugging Face cache and without one."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonslint import facts as facts_mod
from commonslint.lineage import facts as lin
from commonslint.sources import MemoryRepo
from tests.conftest import sample_cards, write_repo

# Parents in the test cache: models with and without parents of their own, and datasets.
CACHED = {
    ("model", "x/leaf"): "---\nlicense: cc-by-sa-4.0\n---\n# leaf\n",
    ("model", "x/nc"): "---\nlicense: cc-by-nc-4.0\n---\n",
    ("model", "x/llama"): "---\nlicense: llama3.1\n---\n",
    ("model", "x/child"): "---\nlicense: mit\nbase_model: x/leaf\n---\n",
    ("model", "x/nolicence"): "---\ntags: [a]\n---\n",
    ("dataset", "x/data"): "---\nlicense: cc-by-sa-4.0\n---\n",
    ("dataset", "x/ncdata"): "---\nlicense: [cc-by-nc-4.0, mit]\n---\n",
}


def _write_cache(root: Path) -> Path:
    for i, ((kind, repo_id), card) in enumerate(CACHED.items()):
        snapshot = root / f"{kind}s--{repo_id.replace('/', '--')}" / "snapshots" / f"{i:040x}"
        files = {"README.md": card}
        if i % 2:
            files["NOTICE"] = "notice\n"
        write_repo(snapshot, files)
    return root


@contextmanager
def _hub_cache(root: Path | None) -> Iterator[None]:
    """HF_HUB_CACHE set to `root` (None: a folder that is not there) for the block."""
    old = os.environ.get("HF_HUB_CACHE")
    os.environ["HF_HUB_CACHE"] = str(root) if root else "/nonexistent/commonslint-test-hub"
    try:
        yield
    finally:
        if old is None:
            del os.environ["HF_HUB_CACHE"]
        else:
            os.environ["HF_HUB_CACHE"] = old


def _check(repo: MemoryRepo) -> bool:
    """compute == general on the repository; whether `_flat` answered."""
    card_f, card = facts_mod.card_facts(repo, [])
    files_f: dict[str, Any] = {"licence": []}
    flat = lin._flat(repo, card, card_f, files_f) if card_f.get("ok") else None
    got_unreadable: list[Any] = []
    ref_unreadable: list[Any] = []
    got = lin.compute(repo, card, card_f, files_f, got_unreadable)
    ref = lin.general(repo, card, card_f, files_f, ref_unreadable)
    assert repr(got) == repr(ref)
    assert got_unreadable == ref_unreadable
    if flat is not None:
        assert repr(flat) == repr(ref)
    return flat is not None


@pytest.mark.parametrize("cached", [False, True])
def test_flat_path_matches_general_on_corpus_cards(
    tmp_path_factory: pytest.TempPathFactory, cached: bool
) -> None:
    root = _write_cache(tmp_path_factory.mktemp("hub")) if cached else None
    texts = sample_cards(9)
    with _hub_cache(root):
        flat = sum(_check(MemoryRepo({"README.md": t}, card_only=True)) for t in texts)
    assert flat > 200


VALUES = [
    "x/leaf",
    "X/Leaf",
    "x/nc",
    "x/llama",
    "x/child",
    "x/nolicence",
    "x/data",
    "x/ncdata",
    "squad",
    "bert-base-uncased",
    "gpt2",
    "meta-llama/Llama-3.1-8B",
    "google/gemma-2b",
    "bigcode/starcoder",
    "tatsu-lab/alpaca",
    "nobody/nothing",
    " nobody/nothing ",
    "./local",
    " ./local",
    "me/this",
    "",
]


@settings(max_examples=400, deadline=None)
@given(
    models=st.lists(st.sampled_from(VALUES), max_size=3),
    datasets=st.lists(st.sampled_from(VALUES), max_size=3),
    shapes=st.tuples(*[st.sampled_from(["list", "str", "absent"])] * 2),
    licence=st.sampled_from(["", "license: mit", "license: apache-2.0", "license: cc-by-sa-4.0"]),
    extra=st.sampled_from(
        ["", "base_model_relation: merge", "base_model_relation: 3", "extra_gated_prompt: x"]
    ),
    repo_id=st.sampled_from([None, "me/this", "meta-llama/x"]),
    lock=st.booleans(),
    cached=st.booleans(),
    heading=st.booleans(),
)
def test_flat_path_matches_general_on_crafted_cards(
    tmp_path_factory: pytest.TempPathFactory,
    models: list[str],
    datasets: list[str],
    shapes: tuple[str, str],
    licence: str,
    extra: str,
    repo_id: str | None,
    lock: bool,
    cached: bool,
    heading: bool,
) -> None:
    lines = [licence, extra]
    fields = (("base_model", models, shapes[0]), ("datasets", datasets, shapes[1]))
    for key, values, shape in fields:
        if shape == "absent" or (not values and shape == "str"):
            continue
        if shape == "str":
            lines.append(f"{key}: {json.dumps(values[0])}")
        else:
            lines.append(f"{key}: [{', '.join(json.dumps(v) for v in values)}]")
    text = "---\n" + "\n".join(lines) + "\n---\n" + ("# Title\n" if heading else "") + "text\n"
    files = {"README.md": text}
    if lock:
        files[lin.LOCK_NAME] = "version: 1\nparents: []\n"
    repo = MemoryRepo(files, card_only=True)
    if repo_id:
        repo.repo_id = repo_id  # type: ignore[attr-defined]
    root = _cache_root(tmp_path_factory) if cached else None
    with _hub_cache(root):
        _check(repo)


def test_flat_path_matches_general_on_chosen_cards(tmp_path: Path) -> None:
    texts = [
        # Two values with one node key (the same local path, spaced differently): the last
        # one's location is the node's, as `general` has it.
        '---\ndatasets: ["./local", " ./local", x/data, " ./local"]\n---\n# x\n',
        '---\nbase_model: ["./local", " ./local"]\ndatasets: [x/data]\n---\n# x\n',
        "---\nbase_model: x/child\n---\n# x\n",  # one parent with a parent of its own
        "---\nbase_model: [x/leaf]\nbase_model_relation: finetune\n---\n# x\n",
        "---\nlicense: mit\nbase_model: [x/nc, x/llama, x/leaf]\n---\nBuilt with Llama\n",
        "---\nlicense: mit\nbase_model: x/nolicence\ndatasets: x/ncdata\n---\n",
    ]
    root = _write_cache(tmp_path / "hub")
    for text in texts:
        for cache in (root, None):
            with _hub_cache(cache):
                _check(MemoryRepo({"README.md": text}, card_only=True))


_ROOT: list[Path] = []


def _cache_root(factory: pytest.TempPathFactory) -> Path:
    if not _ROOT:
        _ROOT.append(_write_cache(factory.mktemp("flat-hub")))
    return _ROOT[0]


def test_flat_path_facts_share_no_container(tmp_path: Path) -> None:
    text = "---\nlicense: mit\ndatasets: [squad, x/data, nobody/nothing]\n---\n# x\n"
    repo = MemoryRepo({"README.md": text})
    with _hub_cache(_write_cache(tmp_path / "hub")):
        first = lin.compute(repo, *reversed(facts_mod.card_facts(repo, [])), {"licence": []}, [])
        second = lin.compute(repo, *reversed(facts_mod.card_facts(repo, [])), {"licence": []}, [])
    assert first == second and first["share_alike_data"]
    seen: dict[int, str] = {}

    def walk(value: Any, path: str, into: dict[int, str]) -> None:
        if isinstance(value, (list, dict)):
            into.setdefault(id(value), path)
            for key, item in value.items() if isinstance(value, dict) else enumerate(value):
                walk(item, f"{path}/{key}", into)

    theirs: dict[int, str] = {}
    walk(first, "", seen)
    walk(second, "", theirs)
    assert [p for k, p in theirs.items() if k in seen] == []
    template = {id(v) for v in lin._UNRESOLVED.values()} | {id(v) for v in lin._EMPTY.values()}
    assert not template & set(theirs)
