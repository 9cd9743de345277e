"""The declared licence: `license`, `license_name`, `license_link`, resolved through the
knowledge base (`rules/licences.yaml`) into entries with their obligations."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from commonslint.card import Card, value_node
from commonslint.licences import (
    Licence,
    Resolution,
    carries_use_restrictions,
    permits_commercial,
    resolve,
)
from commonslint.locations import NodeLocations, key_value_locs, node_loc
from commonslint.sources import Repo

_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)


def licence_dict(entry: Licence) -> dict[str, Any]:
    return {
        "id": entry.id,
        "name": entry.name,
        "spdx": entry.spdx,
        "classes": sorted(entry.classes),
        "requires_text": entry.requires.text,
        "requires_notice": entry.requires.notice,
        "requires_attribution": entry.requires.attribution,
        "use_restrictions": entry.use_restrictions,
        "family": entry.is_family,
        "placeholder": entry.is_placeholder,
        "share_alike": entry.is_share_alike,
        "non_commercial": entry.is_non_commercial,
        "no_derivatives": entry.is_no_derivatives,
        "on_hub": entry.on_hub,
    }


def _resolution_dict(
    res: Resolution, at: dict[str, Any] | None, value_span: tuple[int, int] | None, quoted: bool
) -> dict[str, Any]:
    fix = None
    if res.status == "non-canonical" and res.canonical and value_span is not None and not quoted:
        fix = {"start": value_span[0], "end": value_span[1], "text": res.canonical}
    elif res.status == "non-canonical" and res.canonical and value_span is not None:
        # Keep the author's quotes: replace only what is between them.
        fix = {"start": value_span[0] + 1, "end": value_span[1] - 1, "text": res.canonical}
    return {
        "raw": res.raw,
        "status": res.status,
        "canonical": res.canonical,
        "suggestion": res.suggestion,
        "error": res.error,
        "ids": [entry.id for entry in res.licences],
        "unknown_members": list(res.unknown_members),
        "at": at,
        "fix": fix,
    }


@dataclass(frozen=True)
class _Meaning:
    """What a card's declared values mean, apart from where they stand in the card.

    It depends only on the (stripped) values, and most cards declare one of a few dozen, so it
    is built once per distinct tuple of values (`_meaning`). Every list and dict here is a
    template: `licence_facts` hands each card fresh copies, so no two cards' facts share a
    mutable object.
    """

    resolutions: tuple[Resolution, ...]
    entries: dict[str, Licence]  # first entry of each id, in order; never mutated
    entry_dicts: tuple[dict[str, Any], ...]  # licence_dict of each entry
    families: tuple[str, ...]
    family_members: tuple[frozenset[str], ...]  # of each family entry
    requires_text_by: tuple[str, ...]
    requires_notice_by: tuple[str, ...]
    use_restrictions: bool
    rail_ids: tuple[str, ...]
    permits_commercial: bool | None
    placeholder: bool  # `other`, `unknown`, an id the Hub lacks, or nothing known
    # Read by every card with a licence: worked out once here rather than per card.
    ids: tuple[str, ...]  # of `entries`, in order
    is_other: bool
    is_unknown: bool
    requires_text: bool  # a licence text is needed: by an entry, or for `other`
    rail: bool
    value_ids: tuple[tuple[str, ...], ...]  # the ids of each resolution's licences


def _meaning(values: tuple[str, ...]) -> _Meaning:
    if sum(map(len, values)) <= _CACHED_VALUES_LEN:
        return _cached_meaning(values)
    return _build_meaning(values)  # a huge value: not worth keeping


_CACHED_VALUES_LEN = 400


@lru_cache(maxsize=1024)
def _cached_meaning(values: tuple[str, ...]) -> _Meaning:
    return _build_meaning(values)


# Raw string value -> its meaning: `_meaning((raw.strip(),))`, looked up in a dict rather than
# through the tuple, the strip and `lru_cache`'s wrapper. Bounded like `_cached_meaning`.
_string_meanings: dict[str, _Meaning] = {}


def _string_meaning(raw: str) -> _Meaning:
    meaning = _meaning((raw.strip(),))
    if len(raw) <= _CACHED_VALUES_LEN and len(_string_meanings) < 1024:
        _string_meanings[raw] = meaning
    return meaning


def _build_meaning(values: tuple[str, ...]) -> _Meaning:
    resolutions = tuple(resolve(value) for value in values)
    entries: dict[str, Licence] = {}
    for res in resolutions:
        for entry in res.licences:
            entries.setdefault(entry.id, entry)
    known = [res for res in resolutions if res.licences]
    commercial = [permits_commercial(r) for r in known]
    rail_ids = tuple(e.id for e in entries.values() if e.use_restrictions and "rail" in e.classes)
    return _Meaning(
        resolutions=resolutions,
        entries=entries,
        entry_dicts=tuple(licence_dict(e) for e in entries.values()),
        families=tuple(e.id for e in entries.values() if e.is_family),
        family_members=tuple(frozenset(e.family_members) for e in entries.values() if e.is_family),
        requires_text_by=tuple(e.id for e in entries.values() if e.requires.text),
        requires_notice_by=tuple(e.id for e in entries.values() if e.requires.notice),
        use_restrictions=bool(known) and all(carries_use_restrictions(r) for r in known),
        rail_ids=rail_ids,
        permits_commercial=None if not commercial or None in commercial else any(commercial),
        placeholder=not entries or any(e.is_placeholder or not e.on_hub for e in entries.values()),
        ids=tuple(entries),
        is_other="other" in entries,
        is_unknown="unknown" in entries,
        requires_text=any(e.requires.text for e in entries.values()) or "other" in entries,
        rail=bool(rail_ids),
        value_ids=tuple(tuple(entry.id for entry in res.licences) for res in resolutions),
    )


def licence_facts(
    card_f: dict[str, Any], card: Card | None, files_f: dict[str, Any], repo: Repo
) -> dict[str, Any]:
    meta = card_f["meta"]
    raw = meta.get("license")
    key_at = card_f["key_at"]
    value_at = card_f["value_at"]
    if type(key_at) is NodeLocations:
        # The key and its value together (`key_value_locs`): what the reads below give; both
        # None without the key (`value_at` holds the same keys).
        if "license" in key_at:
            licence_key_at, at = key_value_locs(key_at, value_at, "license")
        else:
            licence_key_at = at = None
    else:
        licence_key_at = key_at.get("license")
        at = value_at.get("license") or licence_key_at
    empty = raw in (None, "", [])
    if not card_f["ok"] or empty or isinstance(raw, dict):
        # No value to resolve (more than half the cards): what the code below gives then,
        # the facts of no value, copied from `_NO_VALUE` and filled in.
        facts = _NO_VALUE.copy()
        facts["empty"] = "license" in meta and empty
        facts["raw"] = raw
        facts["at"] = at
        facts["key_at"] = licence_key_at
        facts["values"] = []
        facts["unknown"] = []
        facts["noncanonical"] = []
        facts["entries"] = []
        facts["ids"] = []
        facts["families"] = []
        facts["requires_text_by"] = []
        facts["requires_notice_by"] = []
        facts["rail_ids"] = []
        facts["name"] = meta.get("license_name")
        facts["name_at"] = key_at.get("license_name")
        facts["other_missing"] = []
        facts["rail_files_without_restrictions"] = []
        facts["unidentified_files"] = []
        return facts
    if type(raw) is str and card is not None and type(value_at) is NodeLocations:
        # One string value (nearly every licensed card): the loop below for one item, with
        # its meaning kept per raw value (`_string_meaning`). `at` is the value's location.
        meaning = _string_meanings.get(raw) or _string_meaning(raw)
        res = meaning.resolutions[0]
        status = res.status
        node = value_at.node("license")
        if status == "non-canonical" or node is None:
            item = _value_dict(card, res, node, at, value_at)
        else:
            # `_value_dict` when there is nothing to fix: where the value stands is not needed.
            item = {
                "raw": res.raw,
                "status": status,
                "canonical": res.canonical,
                "suggestion": res.suggestion,
                "error": res.error,
                "ids": list(meaning.value_ids[0]),
                "unknown_members": list(res.unknown_members),
                "at": dict(at),  # `value_at["license"]`, copied
                "fix": None,
            }
        values = [item]
        unknown = [item] if status in ("unknown", "invalid-expression") else []
        noncanonical = [item] if status == "non-canonical" else []
        declared = True
    else:
        meaning, values, unknown, noncanonical, declared = _values(raw, card, at, value_at)
    family_resolved = True
    if meaning.family_members:
        identified = {f["identified"] for f in files_f["licence"] if f.get("sure")}
        family_resolved = all(identified & members for members in meaning.family_members)
    link = None
    if meta.get("license_link") not in (None, ""):
        link = _link_facts(meta["license_link"], card_f, repo)
    if files_f["licence"]:
        agreement = _file_agreement(meaning, files_f)
        mismatch = agreement["mismatch"]
        rail_files = agreement["rail_files_without_restrictions"]
        unidentified = agreement["unidentified_files"]
    else:  # with no licence file, nothing can disagree
        mismatch, rail_files, unidentified = None, [], []
    is_other = meaning.is_other
    facts = _NO_VALUE.copy()  # every value is set below, in the same order
    facts["declared"] = declared
    facts["empty"] = False  # `empty` cards took the early return
    facts["raw"] = raw
    facts["at"] = at
    facts["key_at"] = licence_key_at
    facts["values"] = values
    facts["unknown"] = unknown
    facts["noncanonical"] = noncanonical
    facts["entries"] = [{**e, "classes": list(e["classes"])} for e in meaning.entry_dicts]
    facts["ids"] = list(meaning.ids)
    facts["is_other"] = is_other
    facts["is_unknown"] = meaning.is_unknown
    facts["families"] = list(meaning.families)
    facts["family_resolved"] = family_resolved
    facts["requires_text"] = meaning.requires_text
    facts["requires_text_by"] = list(meaning.requires_text_by)
    facts["requires_notice_by"] = list(meaning.requires_notice_by)
    facts["use_restrictions"] = meaning.use_restrictions
    facts["rail"] = meaning.rail
    facts["rail_ids"] = list(meaning.rail_ids)
    facts["permits_commercial"] = meaning.permits_commercial
    facts["name"] = meta.get("license_name")
    facts["name_at"] = key_at.get("license_name")
    facts["link"] = link
    facts["other_missing"] = (
        [key for key in ("license_name", "license_link") if meta.get(key) in (None, "")]
        if is_other
        else []
    )
    facts["mismatch"] = mismatch
    facts["rail_files_without_restrictions"] = rail_files
    facts["unidentified_files"] = unidentified
    return facts


# The licence facts of a card that declares no value, in their order. `licence_facts` copies
# it and sets what varies (None here, and the lists, new for each card): a
# dict copy and a few stores cost about half what a 28-key dict literal does (~0.35 us).
_NO_VALUE: dict[str, Any] = {
    "declared": False,
    "empty": None,
    "raw": None,
    "at": None,
    "key_at": None,
    "values": None,
    "unknown": None,
    "noncanonical": None,
    "entries": None,
    "ids": None,
    "is_other": False,
    "is_unknown": False,
    "families": None,
    "family_resolved": False,
    "requires_text": False,
    "requires_text_by": None,
    "requires_notice_by": None,
    "use_restrictions": False,
    "rail": False,
    "rail_ids": None,
    "permits_commercial": None,
    "name": None,
    "name_at": None,
    "link": None,
    "other_missing": None,
    "mismatch": None,
    "rail_files_without_restrictions": None,
    "unidentified_files": None,
}


def _values(
    raw: Any, card: Card | None, at: dict[str, Any] | None, value_at: Any
) -> tuple[_Meaning, list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], bool]:
    """The meaning of the declared values, their facts, the unknown and non-canonical ones, and
    whether any was declared: for a list, a number, or a card read without `NodeLocations`."""
    node = None
    if card is not None and card.front.node is not None:
        # `value_at` holds the top-level nodes: the one `value_node` would search for.
        node = (
            value_at.node("license")
            if type(value_at) is NodeLocations
            else value_node(card.front.node, "license")
        )
    items: list[tuple[str, Any]] = []
    if isinstance(raw, list):
        nodes = node.value if isinstance(node, yaml.SequenceNode) else []
        for i, item in enumerate(raw):
            if isinstance(item, (str, int, float)) and not isinstance(item, bool):
                items.append((str(item), nodes[i] if i < len(nodes) else None))
    elif isinstance(raw, (str, int, float)) and not isinstance(raw, bool):
        items.append((str(raw), node))
    meaning = _meaning(tuple([text.strip() for text, _ in items]))
    values: list[dict[str, Any]] = []
    unknown: list[dict[str, Any]] = []
    noncanonical: list[dict[str, Any]] = []
    for (_, item_node), res in zip(items, meaning.resolutions, strict=True):
        item = _value_dict(card, res, item_node, at, value_at if item_node is node else None)
        values.append(item)
        if res.status in ("unknown", "invalid-expression"):
            unknown.append(item)
        elif res.status == "non-canonical":
            noncanonical.append(item)
    return meaning, values, unknown, noncanonical, bool(items)


def _value_dict(
    card: Card | None,
    res: Resolution,
    node: Any,
    at: dict[str, Any] | None,
    value_at: dict[str, Any] | None,
) -> dict[str, Any]:
    """One declared value's facts; `value_at` is given when `node` is the key's own value."""
    if card is None or node is None:
        return _resolution_dict(res, at, None, False)
    # `value_at` already holds the top-level value's location: a copy is what `node_loc`
    # would give (a new dict), for less.
    here = dict(value_at["license"]) if value_at is not None else node_loc(card, node)
    span = None
    quoted = False
    if isinstance(node, yaml.ScalarNode):
        start = card.front.yaml_start + node.start_mark.index
        end = card.front.yaml_start + node.end_mark.index
        quoted = node.style in ("'", '"')
        # Only plain one-line values are fixed in place; anything else is left to a person.
        if card.text.find("\n", start, end) < 0 and node.style in (None, "", "'", '"'):
            span = (start, end)
    return _resolution_dict(res, here, span, quoted)


def _link_facts(link: Any, card_f: dict[str, Any], repo: Repo) -> dict[str, Any] | None:
    if link in (None, ""):
        return None
    text = str(link).strip()
    is_url = bool(_URL.match(text))
    target = None
    exists = None
    if not is_url:
        target = text.split("#", 1)[0].removeprefix("./").lstrip("/")
        target = re.sub(r"^(blob|resolve)/[^/]+/", "", target)
        exists = repo.exists(target)
    return {
        "value": text,
        "is_url": is_url,
        "target": target,
        "exists": exists,
        "at": card_f["value_at"].get("license_link"),
    }


def _accepts(declared: dict[str, Licence], identified: str) -> bool:
    """Does the declared licence cover a file identified as `identified`?"""
    for entry in declared.values():
        if entry.id == identified or identified in entry.family_members:
            return True
        if entry.id == "cc" and identified.startswith("cc"):
            return True
    return False


def _file_agreement(meaning: _Meaning, files_f: dict[str, Any]) -> dict[str, Any]:
    """Do the licence files say what the card says? (CL106, CL301, CL110)"""
    declared = meaning.entries
    placeholder = meaning.placeholder
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
    rail_declared = bool(meaning.rail_ids)
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
