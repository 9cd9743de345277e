"""The caches and shortcuts of the licence, lineage, governance and fixer facts change nothing.

`licence_facts` and the lineage node dicts are built from answers kept per distinct licence
value; the known-parents table is matched with one regex; the community files are found in one
pass; a missing HF cache folder is asked about once. Each is checked here against the plain
implementation it replaced (kept below as the reference), on the corpus cards, a sample of the
bulk cards and crafted cases, and the caches are checked not to leak one lint's facts into
another's.
"""

from __future__ import annotations

import copy
import gzip
import itertools
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import CORPUS, sample_cards, write_repo
from hypothesis import given, settings
from hypothesis import strategies as st

from commonslint import facts as facts_mod
from commonslint import fixers, governance, licences
from commonslint.card import Card, key_nodes, parse_card, value_node
from commonslint.config import Config
from commonslint.licence_facts import (
    _accepts,
    _link_facts,
    _resolution_dict,
    licence_dict,
    licence_facts,
)
from commonslint.licences import (
    Licence,
    carries_use_restrictions,
    permits_commercial,
    resolve,
)
from commonslint.lineage import facts as lineage_facts
from commonslint.lineage import known
from commonslint.lineage import obligations as ob
from commonslint.lineage.declared import declared_parents
from commonslint.lineage.hfcache import HFCache, cache_dir
from commonslint.lineage.lockfile import LOCK_NAME
from commonslint.lineage.resolve import Node, Resolver, build_tree, how_to_resolve
from commonslint.lint import Linter
from commonslint.locations import NodeLocations, key_value_locs, node_loc
from commonslint.sources import MemoryRepo, Repo, open_local

BULK = CORPUS / "bulk" / "hub-readmes-2023.jsonl.gz"
needs_corpus = pytest.mark.skipif(
    not (CORPUS / "cards").is_dir(), reason="the shared corpus is not beside the project"
)


def _bulk_sample(step: int = 25) -> list[str]:
    if not BULK.exists():
        return []
    with gzip.open(BULK, "rt", encoding="utf-8") as handle:
        return [json.loads(line)["card"] for line in itertools.islice(handle, 0, None, step)]


def _corpus_repos() -> list[Repo]:
    folders = sorted(p for p in (CORPUS / "cards").iterdir() if p.is_dir())
    return [open_local(str(p)) for p in folders]


CRAFTED = [
    "---\nlicense: mit\n---\n# Model\n",
    "---\nlicense: 'Apache-2.0'\n---\n",
    '---\nlicense: "MIT"\nlicense_link: LICENSE\n---\n',
    "---\nlicense:\n  - mit\n  - 'cc-by-sa-4.0'\n  - 3\n  - true\n  - {a: 1}\n---\n",
    "---\nlicense: [mit, apache-2.0, mit]\n---\n",
    "---\nlicense: >\n  mit\n---\n",
    "---\nlicense: |\n  Apache-2.0\n---\n",
    "---\nlicense: mit\nlicense: gpl-3.0\n---\n",  # the later duplicate wins
    "---\nlicense: other\nlicense_name: llama3\n---\n",
    "---\nlicense: other\nlicense_link: https://example.com/x\n---\n",
    "---\nlicense: openrail\n---\n",
    "---\nlicense: llama2\n---\n",
    "---\nlicense: Apache License 2.0\n---\n",
    "---\nlicense: MIT OR Apache-2.0\n---\n",
    "---\nlicense: (MIT AND FooBar) OR GPL-3.0-only\n---\n",
    "---\nlicense: 1.0\n---\n",
    "---\nlicense: ''\n---\n",
    "---\nlicense: []\n---\n",
    "---\nlicense: {name: mit}\n---\n",
    "---\nlicense: true\n---\n",
    "---\nlicense: " + "x" * 500 + "\n---\n",  # too long to be kept: built each time
    "---\n- a list\n---\n",
    "no front matter\n",
    "---\nlicense: [mit\n---\n",  # invalid YAML
    "---\nlicense: cc-by-nc-4.0\nbase_model: meta-llama/Llama-2-7b-hf\ndatasets:\n- imdb\n"
    "- https://huggingface.co/datasets/squad\n- ./local\n- imdb\n---\n# Model\n",
    "---\nlicense: apache-2.0\nbase_model:\n- a/b\n- c/d\nbase_model_relation: merged\n---\n",
]
LICENCE_FILES = {
    "LICENSE": "MIT License\n\nCopyright (c) 2024 Someone\n\nPermission is hereby granted, free "
    "of charge, to any person obtaining a copy of this software",
    "LICENSE-CODE": "Apache License\nVersion 2.0, January 2004\n",
    "NOTICE": "Some notice\n",
}


# ---------------------------------------------------------------- references


def reference_licence_facts(
    card_f: dict[str, Any], card: Card | None, files_f: dict[str, Any], repo: Repo
) -> dict[str, Any]:
    """`licence_facts` as it was before its answers were kept per value."""
    meta = card_f["meta"]
    raw = meta.get("license")
    facts: dict[str, Any] = {
        "declared": False,
        "empty": "license" in meta and raw in (None, "", []),
        "raw": raw,
        "at": card_f["value_at"].get("license") or card_f["key_at"].get("license"),
        "key_at": card_f["key_at"].get("license"),
        "values": [],
        "unknown": [],
        "noncanonical": [],
        "entries": [],
        "ids": [],
        "is_other": False,
        "is_unknown": False,
        "families": [],
        "family_resolved": False,
        "requires_text": False,
        "requires_text_by": [],
        "requires_notice_by": [],
        "use_restrictions": False,
        "rail": False,
        "rail_ids": [],
        "permits_commercial": None,
        "name": meta.get("license_name"),
        "name_at": card_f["key_at"].get("license_name"),
        "link": None,
        "other_missing": [],
        "mismatch": None,
        "rail_files_without_restrictions": [],
        "unidentified_files": [],
    }
    if not card_f["ok"] or raw in (None, "", []) or isinstance(raw, dict):
        return facts
    items: list[tuple[str, Any]] = []
    node = None
    if card is not None and card.front.node is not None:
        node = key_nodes(card.front.node).get("license", (None, None))[1]
    if isinstance(raw, list):
        nodes = node.value if isinstance(node, yaml.SequenceNode) else []
        for i, item in enumerate(raw):
            if isinstance(item, (str, int, float)) and not isinstance(item, bool):
                items.append((str(item), nodes[i] if i < len(nodes) else None))
    elif isinstance(raw, (str, int, float)) and not isinstance(raw, bool):
        items.append((str(raw), node))
    facts["declared"] = bool(items)
    resolutions = []
    for value, item_node in items:
        res = licences._resolve(value.strip())
        at = (
            node_loc(card, item_node)
            if (card is not None and item_node is not None)
            else facts["at"]
        )
        span = None
        quoted = False
        if card is not None and item_node is not None and isinstance(item_node, yaml.ScalarNode):
            start = card.front.yaml_start + item_node.start_mark.index
            end = card.front.yaml_start + item_node.end_mark.index
            quoted = item_node.style in ("'", '"')
            if "\n" not in card.text[start:end] and item_node.style in (None, "", "'", '"'):
                span = (start, end)
        resolutions.append((res, _resolution_dict(res, at, span, quoted)))
    facts["values"] = [d for _, d in resolutions]
    facts["unknown"] = [d for r, d in resolutions if r.status in ("unknown", "invalid-expression")]
    facts["noncanonical"] = [d for r, d in resolutions if r.status == "non-canonical"]
    entries: dict[str, Licence] = {}
    for res, _ in resolutions:
        for entry in res.licences:
            entries.setdefault(entry.id, entry)
    facts["entries"] = [licence_dict(e) for e in entries.values()]
    facts["ids"] = list(entries)
    facts["is_other"] = "other" in entries
    facts["is_unknown"] = "unknown" in entries
    facts["families"] = [e.id for e in entries.values() if e.is_family]
    identified = {f["identified"] for f in files_f["licence"] if f.get("sure")}
    facts["family_resolved"] = all(
        identified & set(e.family_members) for e in entries.values() if e.is_family
    )
    facts["requires_text_by"] = [e.id for e in entries.values() if e.requires.text]
    facts["requires_text"] = bool(facts["requires_text_by"]) or facts["is_other"]
    facts["requires_notice_by"] = [e.id for e in entries.values() if e.requires.notice]
    known_res = [res for res, _ in resolutions if res.licences]
    facts["use_restrictions"] = bool(known_res) and all(
        carries_use_restrictions(r) for r in known_res
    )
    facts["rail_ids"] = [
        e.id for e in entries.values() if e.use_restrictions and "rail" in e.classes
    ]
    facts["rail"] = bool(facts["rail_ids"])
    commercial = [permits_commercial(r) for r in known_res]
    facts["permits_commercial"] = None if not commercial or None in commercial else any(commercial)
    facts["link"] = _link_facts(meta.get("license_link"), card_f, repo)
    facts.update(_reference_file_agreement(entries, files_f))
    if facts["is_other"]:
        facts["other_missing"] = [
            key for key in ("license_name", "license_link") if meta.get(key) in (None, "")
        ]
    return facts


def _reference_file_agreement(
    declared: dict[str, Licence], files_f: dict[str, Any]
) -> dict[str, Any]:
    placeholder = not declared or any(e.is_placeholder or not e.on_hub for e in declared.values())
    model_files = [f for f in files_f["licence"] if f["readable"] and not f["covers_code"]]
    sure = [f for f in model_files if f["sure"] and f["identified"]]
    mismatch = None
    if declared and not placeholder and sure:
        agreeing = [
            f
            for f in sure
            if _accepts(declared, f["identified"])
            or any(_accepts(declared, o) for o in f["others"])
        ]
        if not agreeing:
            mismatch = sure[0]
    rail_declared = any(e.use_restrictions and "rail" in e.classes for e in declared.values())
    rail_files = [
        f
        for f in model_files
        if rail_declared
        and f["identified"]
        and f["use_restrictions"] is False
        and "use-restrictions" in f["missing"]
    ]
    unidentified = [
        f for f in files_f["licence"] if f["readable"] and not f["sure"] and not placeholder
    ]
    return {
        "mismatch": mismatch,
        "rail_files_without_restrictions": rail_files,
        "unidentified_files": unidentified,
    }


def reference_licence_part(record: Any) -> dict[str, Any]:
    """The licence keys of a resolved node, as `_node_dict` computed them for every node."""
    lic = ob._view(tuple(record.licence), record.licence_name)
    declared = list(record.licence)
    text = ", ".join(declared) or "no licence declared"
    if record.licence_name and (not lic.known or "other" in declared):
        text += f" ({record.licence_name})"
    return {
        "licence": {
            "declared": declared,
            "name": record.licence_name,
            "ids": lic.ids,
            "known": bool(lic.known),
        },
        "licence_text": text,
        "share_alike": [e.id for e in lic.share_alike()],
        "share_alike_accepts": {
            e.id: list(e.share_alike_compatible or (e.id,)) for e in lic.share_alike()
        },
        "use_restrictions": sorted({e.id for e in lic.use_restricted()}),
        "non_commercial": lic.non_commercial(),
        "no_derivatives": [e.id for e in lic.no_derivatives()],
        "llama": lic.llama(),
        "requires_notice": [e.id for e in lic.requires_notice()],
        "notice_file": record.notice_file,
        "bigcode": "bigcode-openrail-m" in lic.ids,
        "obligations": ob.describe_obligations(lic, record.notice_file),
    }


# ---------------------------------------------------------------- helpers


def _parts(repo: Repo) -> tuple[dict[str, Any], Card | None, dict[str, Any]]:
    unreadable: list[dict[str, Any]] = []
    card_f, card = facts_mod.card_facts(repo, unreadable)
    return card_f, card, facts_mod.licence_file_facts(repo, unreadable)


def _shared_mutables(a: Any, b: Any) -> list[str]:
    """Lists and dicts that two facts trees hold in common (none may be)."""
    seen: dict[int, str] = {}

    def walk(value: Any, path: str, into: dict[int, str]) -> None:
        if isinstance(value, (list, dict)):
            into.setdefault(id(value), path)
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                walk(item, f"{path}/{key}", into)

    theirs: dict[int, str] = {}
    walk(a, "", seen)
    walk(b, "", theirs)
    return [path for key, path in theirs.items() if key in seen]


def _cards() -> list[str]:
    return CRAFTED + _bulk_sample()


# ---------------------------------------------------------------- licence facts


@pytest.mark.parametrize("with_files", [False, True])
def test_licence_facts_match_the_reference(with_files: bool) -> None:
    for text in _cards() + _string_values():
        files = {"README.md": text, **(LICENCE_FILES if with_files else {})}
        repo = MemoryRepo(files, card_only=not with_files)
        card_f, card, files_f = _parts(repo)
        expected = reference_licence_facts(card_f, card, files_f, repo)
        # Built from fresh card facts: no location read yet, as in a lint.
        card_f, card, files_f = _parts(repo)
        got = licence_facts(card_f, card, files_f, repo)
        assert got == expected and list(got) == list(expected), text[:200]
        again = licence_facts(card_f, card, files_f, repo)  # the locations now kept
        assert again == expected and list(again) == list(expected), text[:200]
        other = licence_facts(*_parts(repo), repo)  # another lint, the same meaning
        assert other == expected and not _shared_mutables(got, other), text[:200]


def _string_values() -> list[str]:
    """One string value of each status, plain, quoted, folded, with CR breaks, spaced."""
    values = ["mit", "MIT", "Apache 2.0", "apache-2.0", "other", "unknown", "llama2", "foo-bar"]
    values += ["openrail++", "MIT OR Apache-2.0", "(MIT AND FooBar) OR GPL-3.0-only", "cc-by-4.0"]
    texts = []
    for value in values:
        texts += [
            f"---\nlicense: {value}\n---\n",
            f"---\nlicense: '{value}'  # comment\n---\n",
            f'---\r\nlicense: "{value}"\r\n---\r\n',
            f"---\nlicense: >\n  {value}\n---\n",
            f"---\nlicense:   {value}   \nlicense_name: x\n---\n",
            f"---\nlicense: {value}\nlicense: {value}\n---\n",
        ]
    return texts


@needs_corpus
def test_licence_facts_match_the_reference_on_the_corpus() -> None:
    for repo in _corpus_repos():
        card_f, card, files_f = _parts(repo)
        expected = reference_licence_facts(card_f, card, files_f, repo)
        card_f, card, files_f = _parts(repo)
        got = licence_facts(card_f, card, files_f, repo)
        assert got == expected and list(got) == list(expected), repo.display


def test_value_node_is_the_key_nodes_value() -> None:
    for text in [*CRAFTED, "---\n? [a]\n: 1\nlicense: x\n1: y\n---\n", *_bulk_sample(50)]:
        card = parse_card("README.md", text)
        if card.front.node is None:
            continue
        for key in ("license", "base_model", "datasets", "1", "missing"):
            expected = key_nodes(card.front.node).get(key, (None, None))[1]
            assert value_node(card.front.node, key) is expected


def test_resolve_keeps_each_value_once_and_answers_the_same() -> None:
    for value in ["mit", " mit ", "MIT", "Apache License 2.0", "MIT OR FooBar", "x" * 300, ""]:
        assert resolve(value) == licences._resolve(value)
    assert resolve("mit") is resolve("mit")
    assert resolve("x" * 300) is not resolve("x" * 300)  # too long to keep


# ---------------------------------------------------------------- lineage


def _parent_cache(root: Path, parents: list[tuple[str, str]], cards: list[str]) -> None:
    """A Hugging Face cache holding a card for each parent, picked from `cards` in turn."""
    for i, (kind, repo_id) in enumerate(parents):
        folder = root / f"{kind}s--{repo_id.replace('/', '--')}"
        if i % 5 == 4:
            folder = folder.with_name(folder.name.upper())  # another spelling of the id
        snapshot = folder / "snapshots" / f"{i:040x}"
        files = {"README.md": cards[i % len(cards)]}
        if i % 3 == 0:
            files["NOTICE"] = "notice\n"
        write_repo(snapshot, files)
        if i % 4:
            (folder / "refs").mkdir()
            (folder / "refs" / "main").write_text(f"{i:040x}", encoding="utf-8")


def test_lineage_node_dicts_match_the_reference(tmp_path: Path) -> None:
    cards = _cards()
    with_licence = [c for c in cards if "license:" in c[:2000]] or CRAFTED
    trees = []
    parents: dict[tuple[str, str], None] = {}
    for text in cards:
        card_f, card, _ = _parts(MemoryRepo({"README.md": text}, card_only=True))
        declared = declared_parents(card, card_f)
        parents.update(((d.kind, d.id), None) for d in declared if d.id)
        trees.append((card_f, declared))
    _parent_cache(tmp_path, list(parents), with_licence)
    resolver = Resolver(None, HFCache(tmp_path), online=False)
    resolved = 0
    for card_f, declared in trees:
        tree = build_tree([(d.raw, d.kind, d.id, None) for d in declared], resolver)
        todo: list[Node] = list(tree)
        while todo:
            node = todo.pop()
            todo.extend(node.children)
            data = lineage_facts._node_dict(node, card_f["first_heading_at"], False)
            if node.record is None:
                assert data["how"] == how_to_resolve(node.kind, node.id, node.raw, False)
                continue
            resolved += 1
            expected = reference_licence_part(node.record)
            assert {k: data[k] for k in expected} == expected, node.key
    assert resolved > 10 or not BULK.exists()


def test_no_parent_shortcut_agrees_with_declared_parents() -> None:
    for text in _cards():
        card_f, card, _ = _parts(MemoryRepo({"README.md": text}, card_only=True))
        meta = card_f["meta"]
        if not isinstance(meta.get("base_model"), (str, list)) and not isinstance(
            meta.get("datasets"), (str, list)
        ):
            assert declared_parents(card, card_f) == []


def test_known_table_one_regex_finds_the_entry_one_by_one_does() -> None:
    ids = {p.replace("*", fill) for e in known.table() for p in e.patterns for fill in ("", "x-1")}
    ids |= {i.upper() for i in ids} | {i + "/more" for i in ids} | {"", "x", "a/b"}
    for text in _bulk_sample(10):
        ids.update(re.findall(r"(?m)^\s*-?\s*(?:base_model:\s*)?([\w.-]+/[\w.-]+)\s*$", text))
    hits = 0
    for kind in ("model", "dataset"):
        for repo_id in ids:
            expected = next(
                (e for e in known.table() if e.kind == kind and e.matches(repo_id)), None
            )
            found = known._lookup(kind, repo_id)
            assert (found is None) == (expected is None), (kind, repo_id)
            if found is not None and expected is not None:
                hits += 1
                assert (found.licence, found.where, found.notes) == (
                    expected.licence,
                    expected.source,
                    expected.notes,
                )
    assert hits > 20


@pytest.mark.parametrize("first", ["broad", "narrow"])
def test_known_table_one_regex_takes_the_first_entry_that_matches(
    first: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    broad = {"match": ["org/*", "other"], "license": "mit", "source": "broad"}
    narrow = {"match": "Org/Model-*", "license": "apache-2.0", "source": "narrow"}
    rows = [broad, narrow] if first == "broad" else [narrow, broad]
    table = tuple(known._entry("model", raw, i) for i, raw in enumerate(rows))
    monkeypatch.setattr(known, "table", lambda: table)
    known._matcher.cache_clear()
    try:
        for repo_id in ("org/model-7b", "ORG/x", "other", "org", "x/org/model-1", "Other/x"):
            expected = next((e for e in table if e.matches(repo_id)), None)
            found = known._lookup("model", repo_id)
            assert (found and found.where) == (expected and expected.source), repo_id
            assert known._lookup("dataset", repo_id) is None
        assert known._lookup("model", "org/model-7b").where == first  # type: ignore[union-attr]
    finally:
        known._matcher.cache_clear()


def test_cache_dir_matches_building_the_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def reference(env: dict[str, str]) -> Path:
        for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
            if env.get(name):
                return Path(env[name]).expanduser()
        if env.get("HF_HOME"):
            return Path(env["HF_HOME"]).expanduser() / "hub"
        base = Path(env["XDG_CACHE_HOME"]) if env.get("XDG_CACHE_HOME") else Path("~/.cache")
        return base.expanduser() / "huggingface" / "hub"

    envs = [
        {},
        {"HF_HUB_CACHE": "~/hub"},
        {"HF_HUB_CACHE": "", "HUGGINGFACE_HUB_CACHE": "/x/y/"},
        {"HF_HOME": "~/hf"},
        {"XDG_CACHE_HOME": "/xdg"},
        {"XDG_CACHE_HOME": "", "HF_HOME": ""},
    ]
    for home in ("/home/one", "/home/two/"):
        monkeypatch.setenv("HOME", home)
        for env in envs:
            assert cache_dir(env) == reference(env), (home, env)
    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    assert cache_dir() == reference(dict(os.environ))
    monkeypatch.setenv("HF_HOME", "/elsewhere")
    assert cache_dir() == Path("/elsewhere/hub")


def test_cache_and_environment_are_read_again_for_each_lint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing about the HF cache folder is kept from one lint to the next."""
    card = "---\nlicense: mit\nbase_model: someone/parent-model\n---\n# Model\n"
    parent = "---\nlicense: cc-by-nc-4.0\n---\n# Parent\n"
    linter = Linter(Config())

    def parent_source() -> str | None:
        nodes = linter.lint(MemoryRepo({"README.md": card}), "x").facts["lineage"]["nodes"]
        return nodes[0]["source"]

    root = tmp_path / "hub"
    monkeypatch.setenv("HF_HUB_CACHE", str(root))
    assert parent_source() is None  # the folder is not there yet
    _parent_cache(root, [("model", "someone/parent-model")], [parent])
    assert parent_source() == "cache"  # made between two lints: found
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "other"))
    assert parent_source() is None  # another folder named: asked again
    entry = {"id": "someone/parent-model", "kind": "model", "license": ["mit"]}
    lock = json.dumps({"version": 1, "parents": {"model:someone/parent-model": entry}})
    nodes = linter.lint(MemoryRepo({"README.md": card, LOCK_NAME: lock}), "x").facts["lineage"]
    assert nodes["nodes"][0]["source"] == "lock"  # each repository's own lock file
    assert parent_source() is None


def test_missing_cache_folder_finds_nothing(tmp_path: Path) -> None:
    cache = HFCache(tmp_path / "absent")
    assert cache.lookup("model", "a/b") is None
    assert cache.lookup("dataset", "c") is None
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert HFCache(tmp_path / "file").lookup("model", "a/b") is None


# ---------------------------------------------------------------- governance, fixers


def test_community_files_in_one_pass_match_one_stem_at_a_time() -> None:
    listings = [
        ["README.md"],
        ["CODE_OF_CONDUCT.md", "docs/code-of-conduct.md", ".github/CONTRIBUTING"],
        ["docs/SECURITY.rst", "security.txt", "a/b/security.md", "GOVERNANCE.markdown"],
        ["docs/contributing.md", ".github/contributing.md", "Contributing.MD", "x/contributing"],
        ["code_of_conduct.pdf", "docs/x/code_of_conduct.md", "CODE-OF-CONDUCT"],
    ]
    if (CORPUS / "cards").is_dir():
        listings += [repo.files() for repo in _corpus_repos()]
    for files in listings:
        found = governance.find_community_files(files)
        for stem in governance.STEMS:
            assert found[stem] == governance.find_community_file(files, stem), (files, stem)


@pytest.mark.parametrize(
    "ending",
    ["", "\n", "\n\n", "\r\n", "\r\n\r\n", "\n \t\n", "  \n", "\n\t", "\r", "\r\r", "\n \n  "],
)
def test_environmental_impact_lead_matches_the_rstrip_reference(ending: str) -> None:
    pattern = re.compile(r"(\r\n|\r|\n)[ \t]*(\r\n|\r|\n)$")
    for body in ("---\nlicense: mit\n---\n# Model\n\nText", "---\nlicense: mit\n---\n"):
        text = body + ending
        card_f, card, _ = _parts(MemoryRepo({"README.md": text}, card_only=True))
        assert card is not None
        fix = fixers.environmental_impact(card, {"card": card_f})
        assert fix is not None
        nl = fixers.newline_of(text)
        lead = ""
        if text and not text.endswith(("\n", "\r")):
            lead = nl + nl
        elif text and not pattern.search(text[len(text.rstrip(" \t\r\n")) :]):
            lead = nl
        assert fix["text"].startswith(lead + "## Environmental Impact"), repr(text)
        assert fix["text"][len(lead) :] == fixers._scaffold(nl, 2)


# ---------------------------------------------------------------- no facts shared


def test_no_two_lints_share_a_list_or_a_dict(tmp_path: Path) -> None:
    """Answers are kept per licence value and per parent; the facts handed out are new."""
    cache = tmp_path / "hub"
    _parent_cache(cache, [("model", "a/base")], ["---\nlicense: cc-by-sa-4.0\n---\n"])
    text = (
        "---\nlicense: [mit, cc-by-sa-4.0]\nbase_model: a/base\ndatasets: [imdb, wikipedia]\n"
        "---\n# M\n"
    )
    linter = Linter(Config())
    os.environ["HF_HUB_CACHE"] = str(cache)
    try:
        first = linter.lint(MemoryRepo({"README.md": text}), "x").facts
        pristine = copy.deepcopy(first)
        second = linter.lint(MemoryRepo({"README.md": text}), "x").facts
    finally:
        del os.environ["HF_HUB_CACHE"]
    keys = ("licence", "lineage", "governance", "licence_files", "fixes")
    assert first["lineage"]["nodes"][0]["resolved"]
    assert _shared_mutables({k: first[k] for k in keys}, {k: second[k] for k in keys}) == []
    # Spoil the first lint's facts: the second's, and a third lint's, are as they were.
    first["licence"]["entries"][0]["classes"].append("spoilt")
    first["licence"]["ids"].append("spoilt")
    first["lineage"]["nodes"][0]["licence"]["ids"].append("spoilt")
    first["lineage"]["nodes"][0]["obligations"].append("spoilt")
    first["lineage"]["nodes"][0]["share_alike_accepts"].clear()
    first["lineage"]["relation"]["allowed"].append("spoilt")
    assert {k: second[k] for k in keys} == {k: pristine[k] for k in keys}
    os.environ["HF_HUB_CACHE"] = str(cache)
    try:
        third = linter.lint(MemoryRepo({"README.md": text}), "x").facts
    finally:
        del os.environ["HF_HUB_CACHE"]
    assert {k: third[k] for k in keys} == {k: pristine[k] for k in keys}


def test_licence_view_answers_are_new_lists() -> None:
    view = ob.view(["cc-by-sa-4.0", "cc-by-nc-nd-4.0"])
    assert view is ob.view(["cc-by-sa-4.0", "cc-by-nc-nd-4.0"])  # kept
    view.share_alike().append(None)  # type: ignore[arg-type]
    view.no_derivatives().clear()
    assert [e.id for e in view.share_alike()] == ["cc-by-sa-4.0"]
    assert [e.id for e in view.no_derivatives()] == ["cc-by-nc-nd-4.0"]
    assert ob._view(view.raw, None) == view


# ---------------------------------------------------------------- key and value locations


def _check_key_value_locs(text: str) -> None:
    card = parse_card("README.md", text)
    if card.front.node is None or not isinstance(card.front.node, yaml.MappingNode):
        return
    nodes = key_nodes(card.front.node)
    key_at, value_at = NodeLocations(card, nodes, 0), NodeLocations(card, nodes, 1)
    for key, (key_node, val_node) in nodes.items():
        expected = (node_loc(card, key_node), node_loc(card, val_node))
        got = key_value_locs(key_at, value_at, key)
        assert got == expected, (key, text[:300])
        # Kept as a read keeps it: the same dicts come back from the mappings.
        assert got[0] is key_at[key] and got[1] is value_at[key]
        assert key_value_locs(key_at, value_at, key) == expected


def test_key_value_locs_are_node_locs_on_the_cards() -> None:
    for text in [*CRAFTED, *_string_values(), *sample_cards(20)]:
        _check_key_value_locs(text)


_SCALARS = st.sampled_from(
    ["mit", "'a b'", '"x\\ny"', "", "[a, b]", "{a: 1}", ">\n  folded", "|\n  lit\n", "a\n  b"]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["license", "a", "'q'", "? k\n"]), _SCALARS), max_size=4),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.sampled_from(["", "# c\n", "x" * 9000 + "\n"]),
    st.sampled_from(["", "  ", " # note"]),
)
def test_key_value_locs_are_node_locs(
    pairs: list[tuple[str, str]], nl: str, head: str, tail: str
) -> None:
    body = "".join(f"{key}: {value}{tail}\n" for key, value in pairs)
    _check_key_value_locs(("---\n" + head + body + "---\n# T\n").replace("\n", nl))
