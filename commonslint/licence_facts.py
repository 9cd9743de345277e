"""The declared licence: `license`, `license_name`, `license_link`, resolved through the
knowledge base (`rules/licences.yaml`) into entries with their obligations."""

from __future__ import annotations

import re
from typing import Any

import yaml

from commonslint.card import Card, key_nodes
from commonslint.licences import (
    Licence,
    Resolution,
    carries_use_restrictions,
    permits_commercial,
    resolve,
)
from commonslint.locations import node_loc
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


def licence_facts(
    card_f: dict[str, Any], card: Card | None, files_f: dict[str, Any], repo: Repo
) -> dict[str, Any]:
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
    value_node = None
    if card is not None and card.front.node is not None:
        value_node = key_nodes(card.front.node).get("license", (None, None))[1]
    if isinstance(raw, list):
        nodes = value_node.value if isinstance(value_node, yaml.SequenceNode) else []
        for i, item in enumerate(raw):
            if isinstance(item, (str, int, float)) and not isinstance(item, bool):
                items.append((str(item), nodes[i] if i < len(nodes) else None))
    elif isinstance(raw, (str, int, float)) and not isinstance(raw, bool):
        items.append((str(raw), value_node))
    facts["declared"] = bool(items)
    resolutions = []
    for value, node in items:
        res = resolve(value.strip())
        at = node_loc(card, node) if (card is not None and node is not None) else facts["at"]
        span = None
        quoted = False
        if card is not None and node is not None and isinstance(node, yaml.ScalarNode):
            start = card.front.yaml_start + node.start_mark.index
            end = card.front.yaml_start + node.end_mark.index
            quoted = node.style in ("'", '"')
            # Only plain one-line values are fixed in place; anything else is left to a person.
            if "\n" not in card.text[start:end] and node.style in (None, "", "'", '"'):
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
    known = [res for res, _ in resolutions if res.licences]
    facts["use_restrictions"] = bool(known) and all(carries_use_restrictions(r) for r in known)
    facts["rail_ids"] = [
        e.id for e in entries.values() if e.use_restrictions and "rail" in e.classes
    ]
    facts["rail"] = bool(facts["rail_ids"])
    commercial = [permits_commercial(r) for r in known]
    facts["permits_commercial"] = None if not commercial or None in commercial else any(commercial)
    facts["link"] = _link_facts(meta.get("license_link"), card_f, repo)
    facts.update(_file_agreement(entries, files_f))
    if facts["is_other"]:
        facts["other_missing"] = [
            key for key in ("license_name", "license_link") if meta.get(key) in (None, "")
        ]
    return facts


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


def _file_agreement(declared: dict[str, Licence], files_f: dict[str, Any]) -> dict[str, Any]:
    """Do the licence files say what the card says? (CL106, CL301, CL110)"""
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
