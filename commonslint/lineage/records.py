"""A parent as one source knows it: declared licence, where that was learnt, its own parents.

Every source (lock file, Hugging Face cache, known table, Hub) answers with a `ParentRecord`, so
the resolver and the rules never care where an answer came from beyond saying so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from commonslint.card import parse_card

KINDS = ("model", "dataset")
# A Hub repository id: `name` (legacy, no owner) or `owner/name`.
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")
_HUB_URL = re.compile(r"^https?://(www\.)?(huggingface\.co|hf\.co)/", re.I)


@dataclass(frozen=True)
class ParentRecord:
    id: str
    kind: str
    licence: tuple[str, ...]  # the parent's `license` value(s) as declared
    licence_name: str | None
    source: str  # lock, cache, known, hub
    resolved_from: str  # hub, cache, known, manual (what the lock file says, else = source)
    where: str  # a path, a URL, or the known table's citation
    revision: str | None = None
    resolved_at: str | None = None
    files: tuple[str, ...] = ()  # files of note: licence, NOTICE, use policy
    base_models: tuple[str, ...] = ()
    relation: str | None = None
    datasets: tuple[str, ...] = ()
    notes: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def notice_file(self) -> bool | None:
        """True/False when the source listed the parent's files, None when it did not."""
        if self.source == "known" and not self.files:
            return None
        return any(PurePosixPath(f).name.lower().startswith("notice") for f in self.files)


def hub_id(value: str, kind: str) -> str | None:
    """The Hub id a `base_model`/`datasets` value names, or None for a local path or junk."""
    if len(value) <= 200:
        return _cached_hub_id(value, kind)  # the same parents come card after card
    return _hub_id(value, kind)


@lru_cache(maxsize=4096)
def _cached_hub_id(value: str, kind: str) -> str | None:
    return _hub_id(value, kind)


def _hub_id(value: str, kind: str) -> str | None:
    text = value.strip()
    if text.startswith(("/", ".", "~")) or "\\" in text or re.match(r"^[A-Za-z]:/", text):
        return None  # a local path: absolute, relative, home, or Windows
    if _HUB_URL.match(text):
        text = _HUB_URL.sub("", text)
        if text.startswith("datasets/") and kind == "dataset":
            text = text.removeprefix("datasets/")
        text = re.split(r"/(tree|blob|resolve)/", text)[0]
    text = text.rstrip("/")
    return text if _HUB_ID.match(text) else None


def strings(value: Any) -> tuple[str, ...]:
    """A string-or-list metadata value as strings; anything else is left to CL005."""
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str) and v.strip())
    return ()


def notable_files(paths: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The files of a parent worth recording: licence texts, NOTICE, use policies."""
    from commonslint.facts import licence_file_kind

    return tuple(sorted(p for p in paths if licence_file_kind(p) is not None))


def record_from_card(
    repo_id: str,
    kind: str,
    text: str,
    *,
    source: str,
    where: str,
    revision: str | None = None,
    files: tuple[str, ...] = (),
    resolved_at: str | None = None,
) -> ParentRecord:
    """A record from a parent's README.md, parsed exactly as our own card is."""
    card = parse_card("README.md", text)
    data = card.data if card.front.status == "ok" else {}
    name = data.get("license_name")
    relation = data.get("base_model_relation")
    return ParentRecord(
        id=repo_id,
        kind=kind,
        licence=strings(data.get("license")) or _scalar(data.get("license")),
        licence_name=str(name) if isinstance(name, (str, int, float)) else None,
        source=source,
        resolved_from=source,
        where=where,
        revision=revision,
        resolved_at=resolved_at,
        files=notable_files(files),
        base_models=strings(data.get("base_model")),
        relation=relation if isinstance(relation, str) else None,
        datasets=strings(data.get("datasets")),
    )


def _scalar(value: Any) -> tuple[str, ...]:
    # `license: 1.0`-style numbers happen; booleans and mappings are not licences.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (str(value),)
    return ()
