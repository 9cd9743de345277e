"""The table of well-known parents, `rules/known-lineage.yaml`: Hub id patterns -> licence.

Loaded once, and only when a parent is not in the lock file or the cache.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from functools import cache
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
    for entry in table():
        if entry.kind == kind and entry.matches(repo_id):
            return ParentRecord(
                id=repo_id,
                kind=kind,
                licence=entry.licence,
                licence_name=entry.licence_name,
                source="known",
                resolved_from="known",
                where=entry.source,
                notes=entry.notes,
            )
    return None
