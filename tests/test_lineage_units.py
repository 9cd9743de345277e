"""Lineage facts on their own: obligations, the lock file, the HF cache, the known table."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from conftest import CORPUS, ROOT

from commonslint.card import parse_card
from commonslint.licences import knowledge_base
from commonslint.lineage import known, lockfile
from commonslint.lineage import obligations as ob
from commonslint.lineage.hfcache import HFCache, cache_dir
from commonslint.lineage.records import hub_id
from commonslint.lineage.resolve import Resolver, build_tree

# ------------------------------------------------------------------ obligations


def entry(licence_id: str):
    return knowledge_base()[licence_id]


@pytest.mark.parametrize(
    ("parent", "child", "kept"),
    [
        ("cc-by-sa-4.0", ["cc-by-sa-4.0"], True),
        ("cc-by-sa-4.0", ["gpl-3.0"], True),  # one-way compatible (DOMAIN §4.2)
        ("cc-by-sa-3.0", ["cc-by-sa-4.0"], True),  # a later version
        ("cc-by-sa-4.0", ["cc-by-sa-3.0"], False),  # never an earlier one
        ("cc-by-sa-4.0", ["mit"], False),
        ("cc-by-sa-4.0", ["apache-2.0"], False),
        ("cc-by-sa-4.0", ["CC-BY-SA-4.0 OR MIT"], False),  # a user could take MIT alone
        ("cc-by-sa-4.0", ["CC-BY-SA-4.0 AND MIT"], True),
    ],
)
def test_share_alike_kept(parent: str, child: list[str], kept: bool) -> None:
    assert ob.view(child).keeps_share_alike(entry(parent)) is kept


def test_binding_needs_every_option() -> None:
    assert [e.id for e in ob.view(["cc-by-sa-4.0"]).share_alike()] == ["cc-by-sa-4.0"]
    assert ob.view(["CC-BY-SA-4.0 OR MIT"]).share_alike() == []
    assert ob.view(["CC-BY-NC-4.0 OR MIT"]).non_commercial() is False
    assert ob.view(["cc-by-nc-4.0"]).non_commercial() is True
    # A dataset listing several licences: all are taken together.
    assert [e.id for e in ob.view(["cc-by-sa-3.0", "gfdl"]).share_alike()] == [
        "cc-by-sa-3.0",
        "gfdl",
    ]


@pytest.mark.parametrize(
    ("licence", "restricted"),
    [
        ("creativeml-openrail-m", True),
        ("bigscience-bloom-rail-1.0", True),
        ("bigcode-openrail-m", True),
        ("openrail++", True),
        ("gemma", True),
        ("llama3.1", True),
        ("apache-2.0", False),
        ("mit", False),
        ("cc-by-sa-4.0", False),
    ],
)
def test_use_restrictions_travel(licence: str, restricted: bool) -> None:
    assert bool(ob.view([licence]).use_restricted()) is restricted
    assert ob.view([licence]).carries_use_restrictions() is restricted


def test_non_commercial_and_no_derivatives() -> None:
    assert ob.view(["cc-by-nc-nd-4.0"]).non_commercial()
    assert [e.id for e in ob.view(["cc-by-nc-nd-4.0"]).no_derivatives()] == ["cc-by-nc-nd-4.0"]
    assert ob.view(["cc-by-nd-4.0"]).non_commercial() is False
    assert ob.view(["apache-2.0"]).permits_commercial() is True
    assert ob.view(["cc-by-nc-4.0"]).permits_commercial() is False
    # LLaMA 1 (not a Hub id) is research-only.
    assert ob.view(["other"], "llama").non_commercial()


def test_llama_terms_and_notice() -> None:
    assert ob.view(["llama3"]).llama() == ["llama3"]
    assert ob.LLAMA_TERMS["llama3"] == ("Built with Meta Llama 3", "Llama 3")
    assert ob.LLAMA_TERMS["llama3.1"] == ("Built with Llama", "Llama")
    assert ob.LLAMA_TERMS["llama2"] == (None, None)
    assert [e.id for e in ob.view(["gemma"]).requires_notice()] == ["gemma"]
    assert ob.view(["apache-2.0"]).requires_notice() == []


def test_other_defers_to_licence_name() -> None:
    lic = ob.view(["other"], "llama3")
    assert lic.ids == ["llama3"]
    # A name the knowledge base does not know leaves the licence unknown, never guessed.
    assert not ob.view(["other"], "qwen-research").known
    # A real licence is not overridden by license_name.
    assert ob.view(["mit"], "llama3").ids == ["mit"]


def test_describe_obligations_mentions_each_duty() -> None:
    text = " | ".join(ob.describe_obligations(ob.view(["llama3"]), notice_file=True))
    assert "Built with Meta Llama 3" in text and '"Llama 3"' in text
    assert "NOTICE" in text and "use restrictions" in text
    sa = " | ".join(ob.describe_obligations(ob.view(["cc-by-sa-4.0"]), notice_file=False))
    assert "share-alike" in sa and "gpl-3.0" in sa


# ------------------------------------------------------------------ ids


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        ("meta-llama/Llama-3.1-8B", "model", "meta-llama/Llama-3.1-8B"),
        ("gpt2", "model", "gpt2"),
        ("https://huggingface.co/google/gemma-7b", "model", "google/gemma-7b"),
        ("https://huggingface.co/google/gemma-7b/tree/main", "model", "google/gemma-7b"),
        ("https://huggingface.co/datasets/tatsu-lab/alpaca", "dataset", "tatsu-lab/alpaca"),
        ("/kaggle/input/llama-3.1/transformers/8b-instruct/2", "model", None),
        ("./my-base", "model", None),
        ("/data/local.jsonl", "dataset", None),
        ("C:/models/base", "model", None),
        ("C:\\models\\base", "model", None),
        ("a/b/c", "model", None),
    ],
)
def test_hub_id(value: str, kind: str, expected: str | None) -> None:
    assert hub_id(value, kind) == expected


# ------------------------------------------------------------------ lock file


def test_lock_round_trip_and_merge() -> None:
    fresh = [
        {
            "id": "acme/base",
            "kind": "model",
            "license": ["mit"],
            "license_name": None,
            "resolved_from": "hub",
            "source": "https://huggingface.co/acme/base",
            "revision": "abc",
            "files": ["LICENSE"],
            "base_model": [],
            "base_model_relation": None,
            "datasets": [],
            "resolved_at": "2025-01-02",
        }
    ]
    manual = {"id": "x/y", "kind": "dataset", "license": ["cc0-1.0"], "resolved_from": "manual"}
    old = lockfile.LockFile({"dataset:x/y": manual})
    text = lockfile.dumps(lockfile.merge(old, fresh))
    parsed = lockfile.parse(text)
    assert parsed.get("model", "ACME/base").licence == ("mit",)  # ids are case-insensitive
    assert parsed.get("dataset", "x/y").resolved_from == "manual"
    # Refreshing with the same facts on a later day keeps the old date: nothing changes.
    later = [dict(fresh[0], resolved_at="2026-01-01")]
    assert lockfile.dumps(lockfile.merge(parsed, later)) == text
    # A changed licence takes the new date.
    changed = [dict(fresh[0], license=["apache-2.0"], resolved_at="2026-01-01")]
    assert '"2026-01-01"' in lockfile.dumps(lockfile.merge(parsed, changed))
    assert json.loads(text)["version"] == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not valid JSON"),
        ("[]", "not a commonslint lock file"),
        ('{"version": 7, "parents": {}}', "version 7"),
        ('{"parents": {"model:a/b": {"id": "a/b", "kind": "model"}}}', "no `license`"),
        ('{"parents": {"a": {"id": "a/b", "kind": "space", "license": "mit"}}}', "kind"),
    ],
)
def test_lock_errors(text: str, message: str) -> None:
    with pytest.raises(lockfile.LockError, match=message):
        lockfile.parse(text)


# ------------------------------------------------------------------ HF cache


def write_cache_card(
    cache: Path, kind: str, repo_id: str, card: str, files: tuple[str, ...] = ()
) -> Path:
    folder = cache / f"{kind}s--{repo_id.replace('/', '--')}"
    commit = "0123456789abcdef0123456789abcdef01234567"
    snapshot = folder / "snapshots" / commit
    snapshot.mkdir(parents=True, exist_ok=True)
    (snapshot / "README.md").write_text(card, encoding="utf-8")
    for name in files:
        (snapshot / name).write_text("text\n", encoding="utf-8")
    (folder / "refs").mkdir(exist_ok=True)
    (folder / "refs" / "main").write_text(commit, encoding="utf-8")
    return folder


def test_cache_dir_precedence(tmp_path: Path) -> None:
    assert cache_dir({"HF_HUB_CACHE": "/a", "HF_HOME": "/b"}) == Path("/a")
    assert cache_dir({"HF_HOME": "/b"}) == Path("/b/hub")
    assert cache_dir({"XDG_CACHE_HOME": "/c"}) == Path("/c/huggingface/hub")
    assert cache_dir({}) == Path("~/.cache/huggingface/hub").expanduser()


def test_cache_lookup(tmp_path: Path) -> None:
    card = "---\nlicense: gemma\nbase_model: google/gemma-7b\n---\n# x\n"
    write_cache_card(tmp_path, "model", "Acme/Tuned", card, files=("NOTICE", "config.json"))
    cache = HFCache(tmp_path)
    record = cache.lookup("model", "acme/tuned")  # case differs from the cache folder
    assert record is not None
    assert record.licence == ("gemma",)
    assert record.base_models == ("google/gemma-7b",)
    assert record.files == ("NOTICE",)
    assert record.notice_file is True
    assert record.revision == "0123456789abcdef0123456789abcdef01234567"
    assert cache.lookup("dataset", "acme/tuned") is None
    assert cache.lookup("model", "acme/other") is None


# ------------------------------------------------------------------ known table


def test_known_lookup() -> None:
    assert known.lookup("model", "meta-llama/Llama-3.1-8B").licence == ("llama3.1",)
    assert known.lookup("model", "META-LLAMA/meta-llama-3-8b").licence == ("llama3",)
    assert known.lookup("model", "google/gemma-2-9b").licence == ("gemma",)
    assert known.lookup("dataset", "tatsu-lab/alpaca").licence == ("cc-by-nc-4.0",)
    assert known.lookup("dataset", "meta-llama/Llama-3.1-8B") is None
    # Qwen2.5 3B is not Apache-2.0 although its siblings are.
    assert known.lookup("model", "Qwen/Qwen2.5-3B").licence == ("other",)
    assert known.lookup("model", "Qwen/Qwen2.5-7B").licence == ("apache-2.0",)
    assert known.lookup("model", "mistralai/Mistral-Large-Instruct-2407") is None


def _card_licences(path: Path) -> set[str]:
    card = parse_card("README.md", path.read_text(encoding="utf-8"))
    value = card.data.get("license")
    values = value if isinstance(value, list) else [value]
    return {str(v) for v in values if v is not None}


def _known_items() -> list[dict]:
    raw = yaml.safe_load((ROOT / "rules" / "known-lineage.yaml").read_text(encoding="utf-8"))
    return [item for kind in ("models", "datasets") for item in raw[kind]]


def _corpus_paths(item: dict, field: str) -> list[str]:
    value = item.get(field) or []
    return [value] if isinstance(value, str) else list(value)


# What a user must never be shown as a citation: paths into this workspace (relative, or the
# absolute path of the folder holding the project) and its design notes.
WORKSPACE_MARKERS = ("../shared", f"{ROOT.parent}/", "corpus/", "DOMAIN §")


def test_known_table_cites_public_sources() -> None:
    """`source` and `notes` are what users see, so they cite public pages, never local paths."""
    items = _known_items()
    for item in items:
        source = item["source"]
        url = urlsplit(source)
        assert url.scheme == "https" and url.netloc and " " not in source, source
        for text in (source, str(item.get("notes") or "")):
            for marker in WORKSPACE_MARKERS:
                assert marker not in text, (item["match"], marker)
        # The test evidence is a path relative to the corpus folder, never absolute or escaping it.
        for field in ("corpus_card", "corpus_licence_text"):
            for rel in _corpus_paths(item, field):
                assert rel.startswith("cards/") and ".." not in Path(rel).parts, rel
    # The linter shows the source exactly as written, and ignores the evidence fields.
    assert [e.source for e in known.table()] == [item["source"] for item in items]
    assert not any(hasattr(e, "corpus_card") for e in known.table())


@pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus is not present")
def test_known_table_sources_are_real() -> None:
    """Every corpus copy the table cites exists and declares the entry's licence and name."""
    manifest = (CORPUS / "MANIFEST.tsv").read_text(encoding="utf-8")
    recorded = {line.split("\t", 1)[0] for line in manifest.splitlines()[1:]}
    checked = 0
    for item in _known_items():
        for rel in _corpus_paths(item, "corpus_card"):
            path = CORPUS / rel
            assert path.is_file(), rel
            assert rel in recorded, f"{rel} has no provenance row in MANIFEST.tsv"
            assert _card_licences(path) == set(item["license"]), rel
            card = parse_card("README.md", path.read_text(encoding="utf-8"))
            assert card.data.get("license_name") == item.get("license_name"), rel
            checked += 1
        for rel in _corpus_paths(item, "corpus_licence_text"):
            path = CORPUS / rel
            assert path.is_file() and path.stat().st_size > 0, rel
            assert rel in recorded, f"{rel} has no provenance row in MANIFEST.tsv"
    assert checked >= 30
    assert len(known.table()) == len(_known_items())


def test_every_known_licence_resolves() -> None:
    for item in known.table():
        lic = ob.view(item.licence, item.licence_name)
        assert lic.resolutions and all(r.status == "hub-id" for r in lic.resolutions[:1]), item


# ------------------------------------------------------------------ tree


def _lock(entries: dict[str, dict]) -> lockfile.LockFile:
    return lockfile.parse(json.dumps({"version": 1, "parents": entries}))


def test_cycle_and_depth_limit() -> None:
    lock = _lock(
        {
            "model:a/one": {"license": "mit", "base_model": ["a/two"]},
            "model:a/two": {"license": "mit", "base_model": "a/one"},
        }
    )
    tree = build_tree([("a/one", "model", "a/one", None)], Resolver(lock, None, False))
    two = tree[0].children[0]
    assert two.id == "a/two" and two.children[0].cycle is True
    chain = {f"model:c/{i}": {"license": "mit", "base_model": f"c/{i + 1}"} for i in range(20)}
    tree = build_tree([("c/0", "model", "c/0", None)], Resolver(_lock(chain), None, False), None, 4)
    node = tree[0]
    while node.children:
        node = node.children[0]
    assert node.depth == 4 and node.depth_limited is True


@pytest.mark.parametrize("child", ["openrail", "apache-2.0"])
def test_cl202_severity_and_message_same_on_both_engine_paths(tmp_path: Path, child: str) -> None:
    from commonslint.config import Config
    from commonslint.engine import Engine
    from commonslint.lint import Linter
    from commonslint.sources import open_local

    (tmp_path / "README.md").write_text(
        f"---\nlicense: {child}\nbase_model: acme/base\n---\n# x\n", encoding="utf-8"
    )
    lock = {"version": 1, "parents": {"model:acme/base": {"license": "gemma"}}}
    (tmp_path / "commonslint.lock").write_text(json.dumps(lock), encoding="utf-8")
    fast = Linter(Config())
    jinja = Linter(Config())
    jinja.engine = Engine(jinja.rules, fast=False)
    found = [f for f in fast.lint(open_local(str(tmp_path)), "x").findings if f.code == "CL202"]
    assert found == [
        f for f in jinja.lint(open_local(str(tmp_path)), "x").findings if f.code == "CL202"
    ]
    assert [f.severity.name for f in found] == ["WARNING" if child == "openrail" else "ERROR"]


def test_restrictions_carried_by_the_same_text() -> None:
    from commonslint.lineage.facts import _restrictions_carried

    kb = knowledge_base()
    assert _restrictions_carried("gemma", {"gemma", "openrail"}, kb)
    assert _restrictions_carried("openrail", {"bigcode-openrail-m"}, kb)  # family and member
    assert _restrictions_carried("openrail++", {"openrail"}, kb)
    assert not _restrictions_carried("gemma", {"openrail"}, kb)
    assert not _restrictions_carried("llama3", {"llama3.1"}, kb)  # another text, another AUP
    assert not _restrictions_carried("gemma", None, kb)
