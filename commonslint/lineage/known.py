"""The table of well-known parents, `rules/known-lineage.yaml`: Hub id patterns -> licence.

Loaded once, and only when a parent is not in the lock file or the cache.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

from commonslint.lineage.records import KINDS, ParentRecord, strings


@dataclass(frozen=True)
class KnownEntry:
    kind: str
    patterns: tuple[str, ...]
    licence: tuple[str, ...]
    licence_name: str | None
    source: str
    notes: str | None
    _regex: re.Pattern[str]

    def matches(self, repo_id: str) -> bool:
        return bool(self._regex.match(repo_id))


def _entry(kind: str, raw: Any, index: int) -> KnownEntry:
    where = f"known-lineage.yaml {kind}s #{index + 1}"
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: not a mapping")
    patterns = strings(raw.get("match"))
    licence = strings(raw.get("license"))
    if not patterns or not licence or not isinstance(raw.get("source"), str):
        raise ValueError(f"{where}: needs `match`, `license` and `source`")
    regex = "|".join(fnmatch.translate(p) for p in patterns)
    return KnownEntry(
        kind=kind,
        patterns=patterns,
        licence=licence,
        licence_name=raw.get("license_name"),
        source=raw["source"],
        notes=" ".join(str(raw["notes"]).split()) if raw.get("notes") else None,
        _regex=re.compile(regex, re.IGNORECASE),
    )


def load_table(path: Path | None = None) -> list[KnownEntry]:
    from commonslint.licences import _rules_dir

    path = path or _rules_dir() / "known-lineage.yaml"
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open("rb") as fh:
        data = yaml.load(fh, Loader=loader) or {}
    return [
        _entry(kind, raw, i) for kind in KINDS for i, raw in enumerate(data.get(f"{kind}s") or [])
    ]


@cache
def table() -> tuple[KnownEntry, ...]:
    return tuple(load_table())


def lookup(kind: str, repo_id: str) -> ParentRecord | None:
    # The table is fixed for the process and records are frozen: the same well-known parents
    # (`bert-base-uncased`, ...) come card after card, so each id is matched once.
    if len(repo_id) <= 200:
        return _cached_lookup(kind, repo_id)
    return _lookup(kind, repo_id)


@lru_cache(maxsize=4096)
def _cached_lookup(kind: str, repo_id: str) -> ParentRecord | None:
    return _lookup(kind, repo_id)


def _lookup(kind: str, repo_id: str) -> ParentRecord | None:
    combined, entries = _matcher(kind)
    if combined is not None:
        match = combined.match(repo_id)
        found = None
        if match is not None:
            found = next(e for i, e in enumerate(entries) if match.group(f"_e{i}") is not None)
    else:
        found = next((e for e in entries if e.matches(repo_id)), None)
    if found is None:
        return None
    return ParentRecord(
        id=repo_id,
        kind=kind,
        licence=found.licence,
        licence_name=found.licence_name,
        source="known",
        resolved_from="known",
        where=found.source,
        notes=found.notes,
    )


@cache
def _matcher(kind: str) -> tuple[re.Pattern[str] | None, tuple[KnownEntry, ...]]:
    """One regex for all of a kind's entries, each a named group, in the table's order.

    Most parents are in no entry, and one match costs far less than one per entry. Each
    entry's pattern is anchored at both ends, so the alternation matches through the first
    entry that matches, which is the entry trying them one by one finds.
    """
    entries = tuple(e for e in table() if e.kind == kind)
    if not entries:
        return None, entries
    try:
        combined = re.compile(
            "|".join(f"(?P<_e{i}>{e._regex.pattern})" for i, e in enumerate(entries)),
            re.IGNORECASE,
        )
    except re.error:  # e.g. group names repeated by another Python's fnmatch: one by one
        return None, entries
    return combined, entries
