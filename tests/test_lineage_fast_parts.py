"""The parts `lineage.facts` shares between `general` and its straight paths give what their
plain references give: `_empty`, the card's own licence (`child_view`, `_child_facts`), a parent's
fields, and the cache folder check."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from commonslint import facts as facts_mod
from commonslint.lineage import facts as lin
from commonslint.lineage import obligations as ob
from commonslint.lineage.hfcache import is_folder
from commonslint.lineage.records import hub_id
from commonslint.lineage.resolve import how_to_resolve, node_key
from commonslint.sources import MemoryRepo
from tests.conftest import sample_cards


def _containers(value: Any) -> list[int]:
    """The ids of every list and dict in a facts tree."""
    out: list[int] = []
    if isinstance(value, (list, dict)):
        out.append(id(value))
        for item in value.values() if isinstance(value, dict) else value:
            out += _containers(item)
    return out


def test_empty_matches_its_reference_and_shares_nothing() -> None:
    relation = {"value": None}
    got = lin._empty(relation)
    assert repr(got) == repr(lin._empty_reference(relation))
    assert got["relation"] is relation
    again = lin._empty(relation)
    mine = set(_containers(got)) - {id(relation)}
    assert not mine & set(_containers(again))
    assert not mine & set(_containers(lin._EMPTY))


def _child_view_reference(card_f: dict[str, Any], files_f: dict[str, Any]) -> ob.LicenceView:
    """`child_view` as it was before its straight path for one licence string."""
    meta = card_f["meta"]
    raw = meta.get("license")
    values = [raw] if isinstance(raw, (str, int, float)) and not isinstance(raw, bool) else []
    if isinstance(raw, list):
        values = [v for v in raw if isinstance(v, (str, int, float)) and not isinstance(v, bool)]
    name = meta.get("license_name")
    lic = ob.view([str(v) for v in values], str(name) if name else None)
    if not lic.known:
        identified = [f["identified"] for f in files_f.get("licence", []) if f.get("sure")]
        if identified:
            lic = ob.view([str(i) for i in identified if i])
    return lic


def _child_facts_reference(child: ob.LicenceView) -> dict[str, Any]:
    return {
        "known": bool(child.known),
        "ids": child.ids,
        "permits_commercial": child.permits_commercial(),
        "share_alike": child.is_share_alike(),
        "use_restrictions": child.carries_use_restrictions(),
    }


def _check_child(card_f: dict[str, Any], files_f: dict[str, Any]) -> None:
    got = lin.child_view(card_f, files_f)
    ref = _child_view_reference(card_f, files_f)
    assert got == ref
    facts = lin._child_facts(got)
    assert repr(facts) == repr(_child_facts_reference(ref))
    assert facts["ids"] is not lin._child_facts(got)["ids"]


FILES = [
    {"licence": []},
    {"licence": [{"identified": "mit", "sure": True}]},
    {"licence": [{"identified": "cc-by-nc-4.0", "sure": False}]},
]


def test_child_view_matches_its_reference_on_corpus_cards() -> None:
    for text in sample_cards(5):
        card_f, _ = facts_mod.card_facts(MemoryRepo({"README.md": text}, card_only=True), [])
        for files_f in FILES:
            _check_child(card_f, files_f)


LICENCES = [None, "", " ", "mit", " MIT ", "other", "unknown", "cc-by-nc-4.0", "apache-2.0 OR gpl"]


@settings(max_examples=300, deadline=None)
@given(
    licence=st.one_of(
        st.sampled_from(LICENCES),
        st.lists(st.sampled_from(LICENCES), max_size=3),
        st.sampled_from([3, 1.5, True, {"a": 1}]),
        st.text(max_size=8),
    ),
    name=st.one_of(st.sampled_from([None, "", "llama3", "x", "LLaMA3", 0, 7, True]), st.text()),
    files_f=st.sampled_from(FILES),
)
def test_child_view_matches_its_reference_on_crafted_values(
    licence: Any, name: Any, files_f: dict[str, Any]
) -> None:
    meta: dict[str, Any] = {"license_name": name} if name is not None else {}
    if licence is not None:
        meta["license"] = licence
    _check_child({"meta": meta}, files_f)


@given(
    value=st.one_of(
        st.sampled_from(["a/b", " A/b ", "./x", "squad", "https://hf.co/datasets/a/b/", "x" * 250]),
        st.text(max_size=12),
    ),
    kind=st.sampled_from(["model", "dataset"]),
    online=st.booleans(),
)
def test_parent_fields_are_what_general_makes(value: str, kind: str, online: bool) -> None:
    raw = value.strip()
    parent_id = hub_id(value, kind)
    assert lin._parent_fields(value, kind, online) == (
        raw,
        parent_id,
        node_key(kind, parent_id or raw),
        how_to_resolve(kind, parent_id, raw, online),
    )


def test_is_folder_is_isdir(tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    (tmp_path / "file").write_text("x", encoding="utf-8")
    (tmp_path / "to-dir").symlink_to(tmp_path / "dir")
    (tmp_path / "to-file").symlink_to(tmp_path / "file")
    (tmp_path / "dangling").symlink_to(tmp_path / "absent")
    names = ["dir", "file", "to-dir", "to-file", "dangling", "absent", "file/below", "dir/absent"]
    for name in names:
        path = tmp_path / name
        assert is_folder(path) == os.path.isdir(path), name
    assert is_folder(Path("a\0b")) == os.path.isdir("a\0b") is False
    assert is_folder(tmp_path) is True
