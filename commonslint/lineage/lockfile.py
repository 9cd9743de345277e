"""The lineage lock file, `commonslint.lock`, that a repository commits.

It records what each parent's licence was when it was last resolved, so that every later lint,
offline and on any machine, reaches the same answer without the Hub. `commonslint lineage --lock`
writes it (atomically); people may add or edit entries by hand (`resolved_from: manual`).

Format: JSON, two-space indented, keys sorted, one entry per parent, keyed `kind:id`::

    {
      "version": 1,
      "parents": {
        "model:meta-llama/Llama-3.1-8B": {
          "id": "meta-llama/Llama-3.1-8B",
          "kind": "model",                     # model | dataset
          "license": ["llama3.1"],             # the parent card's `license`, as declared
          "license_name": null,                # its `license_name`, if any
          "resolved_from": "hub",              # hub | cache | known | manual
          "source": "https://huggingface.co/meta-llama/Llama-3.1-8B",
          "revision": "0e9e39f2...",           # commit the card was read at, or null
          "files": ["LICENSE", "NOTICE", "USE_POLICY.md"],   # licence-like files it ships
          "base_model": [],                    # its own parents, followed offline
          "base_model_relation": null,
          "datasets": [],
          "resolved_at": "2025-06-01"          # UTC date of the resolution
        }
      }
    }

Only `id`, `kind` and `license` are required in a hand-written entry. Unknown keys are kept.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from commonslint.lineage.records import KINDS, ParentRecord, strings

LOCK_NAME = "commonslint.lock"
VERSION = 1
ORIGINS = ("hub", "cache", "known", "manual")


class LockError(Exception):
    """A lock file that cannot be used; the message says why."""


def key(kind: str, repo_id: str) -> str:
    # Hub ids are case-insensitive for look-ups; the key keeps the id as written.
    return f"{kind}:{repo_id}"


@dataclass
class LockFile:
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)

    def get(self, kind: str, repo_id: str) -> ParentRecord | None:
        entry = self.entries.get(key(kind, repo_id))
        if entry is None:
            lowered = key(kind, repo_id).lower()
            entry = next((v for k, v in self.entries.items() if k.lower() == lowered), None)
        return None if entry is None else _record(entry)


def parse(text: str) -> LockFile:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LockError(
            f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("parents", {}), dict):
        raise LockError("is not a commonslint lock file (expected an object with `parents`)")
    if data.get("version", VERSION) != VERSION:
        raise LockError(f"has version {data.get('version')!r}; this commonslint reads {VERSION}")
    entries: dict[str, dict[str, Any]] = {}
    for name, entry in data.get("parents", {}).items():
        if not isinstance(entry, dict):
            raise LockError(f"entry {name!r} is not an object")
        kind = entry.get("kind", name.split(":", 1)[0])
        repo_id = entry.get("id", name.split(":", 1)[-1])
        if kind not in KINDS or not isinstance(repo_id, str) or not repo_id:
            raise LockError(f"entry {name!r} needs `id` and a `kind` of model or dataset")
        if "license" not in entry:
            raise LockError(f"entry {name!r} has no `license`")
        entries[key(kind, repo_id)] = {**entry, "id": repo_id, "kind": kind}
    return LockFile(entries)


def _record(entry: Mapping[str, Any]) -> ParentRecord:
    lic = entry.get("license")
    origin = entry.get("resolved_from") or "manual"
    return ParentRecord(
        id=entry["id"],
        kind=entry["kind"],
        licence=strings(lic) if lic is not None else (),
        licence_name=entry.get("license_name")
        if isinstance(entry.get("license_name"), str)
        else None,
        source="lock",
        resolved_from=origin if origin in ORIGINS else "manual",
        where=str(entry.get("source") or LOCK_NAME),
        revision=entry.get("revision") if isinstance(entry.get("revision"), str) else None,
        resolved_at=entry.get("resolved_at") if isinstance(entry.get("resolved_at"), str) else None,
        files=strings(entry.get("files")),
        base_models=strings(entry.get("base_model")),
        relation=entry.get("base_model_relation")
        if isinstance(entry.get("base_model_relation"), str)
        else None,
        datasets=strings(entry.get("datasets")),
    )


def entry_for(record: ParentRecord, today: str) -> dict[str, Any]:
    """The lock entry for a freshly resolved record."""
    return {
        "id": record.id,
        "kind": record.kind,
        "license": list(record.licence),
        "license_name": record.licence_name,
        "resolved_from": record.resolved_from,
        "source": record.where,
        "revision": record.revision,
        "files": list(record.files),
        "base_model": list(record.base_models),
        "base_model_relation": record.relation,
        "datasets": list(record.datasets),
        "resolved_at": today,
    }


def merge(old: LockFile | None, fresh: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """New entries, keeping hand-written (`manual`) ones, and the old date of unchanged ones,
    so that refreshing an up-to-date lock changes nothing."""
    entries: dict[str, dict[str, Any]] = {}
    previous = old.entries if old else {}
    for name, entry in previous.items():
        if entry.get("resolved_from", "manual") == "manual":
            entries[name] = dict(entry)
    for entry in fresh:
        name = key(entry["kind"], entry["id"])
        if name in entries:
            continue
        before = previous.get(name)
        if before is not None and {k: v for k, v in before.items() if k != "resolved_at"} == {
            k: v for k, v in entry.items() if k != "resolved_at"
        }:
            entry = dict(entry, resolved_at=before.get("resolved_at", entry["resolved_at"]))
        entries[name] = entry
    return entries


def dumps(entries: Mapping[str, Mapping[str, Any]]) -> str:
    document = {"version": VERSION, "parents": dict(sorted(entries.items()))}
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(path: Path, entries: Mapping[str, Mapping[str, Any]]) -> None:
    from commonslint.fileio import write_atomic

    write_atomic(path, dumps(entries).encode("utf-8"))
