"""`lineage.facts.compute`'s straight path for one unresolved parent gives what `general`
(the reference, the path for every other card) gives, fact for fact."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from commonslint import facts as facts_mod
from commonslint.lineage import facts as lin
from commonslint.lineage.hfcache import HFCache
from commonslint.lineage.resolve import Resolver
from commonslint.sources import MemoryRepo
from tests.conftest import sample_cards


def _pair(repo: MemoryRepo, cache: HFCache | None = None) -> tuple[Any, Any, bool]:
    """(compute's facts, general's facts, whether the straight path answered)."""
    card_f, card = facts_mod.card_facts(repo, [])
    files_f = {"licence": []}
    meta = card_f["meta"]
    key = "base_model" if isinstance(meta.get("base_model"), (str, list)) else "datasets"
    resolver = None if cache is None else Resolver(None, cache, online=False)
    fast = lin._single_unresolved(repo, card, card_f, files_f, key, resolver) is not None
    resolver = None if cache is None else Resolver(None, cache, online=False)
    got = lin.compute(repo, card, card_f, files_f, [], resolver)
    resolver = None if cache is None else Resolver(None, cache, online=False)
    ref = lin.general(repo, card, card_f, files_f, [], resolver)
    return got, ref, fast


def _texts() -> list[str]:
    return sample_cards(7)


def test_straight_path_matches_general_on_corpus_cards() -> None:
    fast = 0
    for text in _texts():
        repo = MemoryRepo({"README.md": text}, card_only=True)
        got, ref, took = _pair(repo)
        assert repr(got) == repr(ref), text[:200]
        fast += took
    assert fast > 200  # the straight path was taken, on most cards that name a parent


def _cache(root: Path) -> HFCache:
    snap = root / "models--x--cached" / "snapshots" / "c1"
    snap.mkdir(parents=True, exist_ok=True)
    (snap / "README.md").write_text("---\nlicense: mit\n---\n# cached\n", encoding="utf-8")
    return HFCache(root)


VALUES = [
    "a/b",
    " A/b ",
    "x/cached",
    "./local/path",
    "~/m",
    "https://huggingface.co/datasets/a/b",
    "squad",
    "bert-base-uncased",
    "me/this",
    "",
    "  ",
]


@settings(max_examples=300, deadline=None)
@given(
    key=st.sampled_from(["base_model", "datasets"]),
    values=st.lists(st.sampled_from(VALUES), max_size=2),
    as_string=st.booleans(),
    extra=st.sampled_from(
        [
            "",
            "license: mit",
            "license: [cc-by-nc-4.0, mit]",
            "license: other\nlicense_name: x",
            "base_model_relation: finetune",
            "base_model_relation: Fine-tuned",
            "base_model_relation: 3",
            "datasets: 3",
        ]
    ),
    repo_id=st.sampled_from([None, "me/this", "a/b"]),
    lock=st.booleans(),
    cached=st.booleans(),
    heading=st.booleans(),
)
def test_straight_path_matches_general_on_crafted_cards(
    tmp_path_factory: Any,
    key: str,
    values: list[str],
    as_string: bool,
    extra: str,
    repo_id: str | None,
    lock: bool,
    cached: bool,
    heading: bool,
) -> None:
    if as_string and values:
        front = f"{key}: {json.dumps(values[0])}"
    else:
        front = f"{key}:" + "".join(f"\n  - {json.dumps(v)}" for v in values)
        front = front if values else f"{key}: []"
    if extra.startswith(key):
        extra = ""
    text = f"---\n{front}\n{extra}\n---\n" + ("# Title\n" if heading else "") + "text\n"
    files = {"README.md": text}
    if lock:
        files[lin.LOCK_NAME] = "version: 1\nparents: []\n"
    repo = MemoryRepo(files, card_only=True)
    if repo_id:
        repo.repo_id = repo_id  # type: ignore[attr-defined]
    cache = _cache(tmp_path_factory.mktemp("hub")) if cached else None
    got, ref, _ = _pair(repo, cache)
    assert repr(got) == repr(ref)


def test_straight_path_nodes_share_no_container() -> None:
    repo = MemoryRepo({"README.md": "---\ndatasets: [nobody/nothing]\n---\n# x\n"})
    first = lin.compute(repo, *reversed(facts_mod.card_facts(repo, [])), {"licence": []}, [])
    second = lin.compute(repo, *reversed(facts_mod.card_facts(repo, [])), {"licence": []}, [])
    a, b = first["nodes"][0], second["nodes"][0]
    assert a == b and a["reason"] is None and not a["resolved"]
    for name, value in a.items():
        if isinstance(value, (list, dict)):
            assert value is not b[name] and value is not lin._UNRESOLVED[name], name
    assert first["tree"][0] is first["nodes"][0] is first["parents"][0]
