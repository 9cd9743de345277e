"""The lineage facts' shortcut (a tree with no record) and the licence facts' per-meaning
flags give what the general code gives.

`_reference_compute` is `lineage.facts.compute` before the shortcuts: every tree walked by a
recursive `visit` (now the module function `_visit`), and every step run after it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from commonslint import facts as facts_mod
from commonslint.licence_facts import _build_meaning
from commonslint.lineage import facts as lin
from commonslint.lineage.declared import declared_parents, relation_facts
from commonslint.lineage.hfcache import HFCache
from commonslint.lineage.resolve import Node, Resolver, build_tree, node_key
from commonslint.locations import file_loc
from commonslint.sources import MemoryRepo, Repo
from tests.conftest import sample_cards


def _reference_compute(
    repo: Repo,
    card: Any,
    card_f: dict[str, Any],
    files_f: dict[str, Any],
    unreadable: list[dict[str, Any]],
    resolver: Resolver | None = None,
) -> dict[str, Any]:
    declared = declared_parents(card, card_f)
    models = sum(1 for d in declared if d.kind == "model")
    facts = lin._empty(relation_facts(card_f, models))
    if not declared:
        return facts
    lock, lock_error = lin.read_lock(repo)
    facts["lock"] = {
        "path": lin.LOCK_NAME if repo.exists(lin.LOCK_NAME) else None,
        "error": lock_error,
    }
    if lock_error:
        unreadable.append(
            {"path": lin.LOCK_NAME, "error": lock_error, "at": file_loc(lin.LOCK_NAME, 1, 1)}
        )
    online = repo.online
    if resolver is None:
        resolver = Resolver(lock, HFCache(), online=online)
    relation = card_f["meta"].get("base_model_relation")
    relation = relation if isinstance(relation, str) else None
    repo_id = getattr(repo, "repo_id", None)
    tree = build_tree(
        [(d.raw, d.kind, d.id, relation if d.kind == "model" else None) for d in declared],
        resolver,
        root_key=node_key(repo.kind or "model", repo_id) if repo_id else None,
    )
    at_of = {node.key: d.at for node, d in zip(tree, declared, strict=True)}
    nodes: list[dict[str, Any]] = []
    by_key: dict[str, dict[str, Any]] = {}

    def visit(node: Node) -> dict[str, Any]:
        data = lin._node_dict(node, at_of.get(node.chain[0]) or card_f["first_heading_at"], online)
        data["via"] = [
            by_key[k]["id"] if k in by_key else k.split(":", 1)[1] for k in node.chain[:-1]
        ]
        nodes.append(data)
        by_key.setdefault(node.key, data)
        data["children"] = [visit(child) for child in node.children]
        return data

    facts["tree"] = [visit(node) for node in tree]
    facts["declared"] = True
    facts["nodes"] = nodes
    facts["parents"] = [n for n in nodes if n["depth"] == 1]
    facts["unresolved"] = [n for n in nodes if not n["resolved"] and not n["cycle"]]
    facts["cycles"] = [n for n in nodes if n["cycle"]]
    facts["network_errors"] = list(resolver.network_errors)
    child = lin.child_view(card_f, files_f)
    facts["child"] = {
        "known": bool(child.known),
        "ids": child.ids,
        "permits_commercial": child.permits_commercial(),
        "share_alike": child.is_share_alike(),
        "use_restrictions": child.carries_use_restrictions(),
    }
    lin._conflicts(facts, nodes, by_key, child)
    facts["licensor_release"] = lin._licensor_release(nodes, card_f, repo)
    if not facts["licensor_release"]:
        lin._llama(facts, nodes, by_key, card, card_f, repo)
    lin._notice(facts, nodes, card_f, skip_licence_notices=facts["licensor_release"])
    lin._bigcode(facts, nodes, card_f)
    return facts


PARENTS = [
    "a/b",
    "A/B",
    " a/b ",
    "./local/path",
    "meta-llama/Llama-2-7b-hf",
    "meta-llama/Meta-Llama-3-8B",
    "google/gemma-7b",
    "bigcode/starcoder",
    "bert-base-uncased",
    "mistralai/Mistral-7B-v0.1",
    "x/cached",
    "squad",
    "wikipedia",
    "c4",
    "me/this",
]


def _front(base: list[str], data: list[str], extra: str) -> str:
    lines = ["---"]
    if base:
        lines += ["base_model:"] + [f"  - {json.dumps(b)}" for b in base]
    if data:
        lines += ["datasets:"] + [f"  - {json.dumps(d)}" for d in data]
    return "\n".join([*lines, extra, "---", "# Llama-2-7b-custom", "## Training", "x", ""])


def _cache(root: Path) -> HFCache:
    """A cache holding `x/cached`, whose card names parents of its own (a tree with depth)."""
    snap = root / "models--x--cached" / "snapshots" / "c1"
    snap.mkdir(parents=True, exist_ok=True)
    (snap / "README.md").write_text(
        "---\nlicense: cc-by-sa-4.0\nbase_model: meta-llama/Llama-2-7b-hf\n"
        "datasets: [squad]\n---\n# cached\n",
        encoding="utf-8",
    )
    (root / "models--x--cached" / "refs").mkdir(exist_ok=True)
    (root / "models--x--cached" / "refs" / "main").write_text("c1", encoding="utf-8")
    return HFCache(root)


def _both(repo: MemoryRepo, cache: HFCache | None) -> tuple[Any, Any]:
    card_f, card = facts_mod.card_facts(repo, [])
    files_f = {"licence": []}
    resolver = None if cache is None else Resolver(None, cache, online=False)
    got = lin.compute(repo, card, card_f, files_f, [], resolver)
    resolver = None if cache is None else Resolver(None, cache, online=False)
    ref = _reference_compute(repo, card, card_f, files_f, [], resolver)
    return got, ref


def _texts() -> list[str]:
    return sample_cards(10)


def test_lineage_matches_the_reference_on_corpus_cards(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    with_parents = 0
    for text in _texts():
        for c in (None, cache):
            got, ref = _both(MemoryRepo({"README.md": text}, card_only=True), c)
            assert repr(got) == repr(ref), text[:200]
        with_parents += bool(got["declared"])
    assert with_parents > 100


@settings(max_examples=300, deadline=None)
@given(
    base=st.lists(st.sampled_from(PARENTS), max_size=3),
    data=st.lists(st.sampled_from(PARENTS), max_size=3),
    extra=st.sampled_from(
        ["", "license: mit", "license: apache-2.0", "license: other\nextra_gated_x: 1"]
    ),
    repo_id=st.sampled_from([None, "me/this", "meta-llama/x"]),
    cached=st.booleans(),
)
def test_lineage_matches_the_reference_on_crafted_trees(
    tmp_path_factory: Any,
    base: list[str],
    data: list[str],
    extra: str,
    repo_id: str | None,
    cached: bool,
) -> None:
    cache = _cache(tmp_path_factory.mktemp("hub")) if cached else None
    repo = MemoryRepo({"README.md": _front(base, data, extra)}, card_only=True)
    if repo_id:
        repo.repo_id = repo_id  # type: ignore[attr-defined]
    got, ref = _both(repo, cache)
    assert repr(got) == repr(ref)
    assert got["tree"] is not got["nodes"]  # two lists, as the reference makes
    if cached and "x/cached" in base:
        assert any(n["depth"] == 2 for n in got["nodes"])  # the recursive path was taken


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "mit",
                "other",
                "unknown",
                "apache-2.0",
                "openrail",
                "bigscience-openrail-m",
                "cc-by-nc-4.0",
                "MIT",
                "gpl",
                "llama2",
                "mit OR apache-2.0",
                "nonsense",
                "",
            ]
        ),
        max_size=3,
    )
)
def test_licence_meaning_flags_are_those_of_its_entries(values: list[str]) -> None:
    meaning = _build_meaning(tuple(values))
    entries = meaning.entries
    assert meaning.ids == tuple(entries)
    assert meaning.is_other == ("other" in entries)
    assert meaning.is_unknown == ("unknown" in entries)
    assert meaning.requires_text == (bool(meaning.requires_text_by) or "other" in entries)
    assert meaning.rail == bool(meaning.rail_ids)
