"""Audit sources: what `commonslint audit SOURCE...` accepts, turned into a stream of work items.

- a JSON Lines file of cards (`.jsonl`, `.ndjson`, optionally gzip-compressed): each line is a
  record whose fields (`--id-field`, `--card-field`, `--group-field`) hold an id, the card text
  and an optional group; the defaults are those of the shared bulk corpus;
- a Parquet file of such records (needs `pyarrow`, the `parquet` extra), read in batches;
- a folder holding many repositories (`owner/name/` or `name/` folders, found by their README.md);
- the local Hugging Face cache (`hf-cache`, `hf-cache:PATH`, or a folder that is one), each
  cached model or dataset at the snapshot its `main` ref names;
- Hub ids (`hf://owner/name`, or `hub-ids:FILE` with one id a line): online only.

Everything is streamed: a line, a batch of rows or a folder is read only when the pool is ready
for it, so memory stays flat however large the source. Ids already in a resumed audit's output
are skipped here when the id is known without parsing (folders), or by the workers otherwise.
"""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from commonslint.audit.work import Fields, Item
from commonslint.sources import SKIP_DIRS, TargetError

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz", ".json.gz", ".jsonl.gzip")
CARD_NAME = "README.md"


class AuditError(TargetError):
    """A source or option that makes the audit impossible (exit 2, as any bad target)."""


@dataclass(frozen=True)
class Source:
    label: str  # as the user wrote it; records name their source by it
    kind: str  # "jsonl" | "parquet" | "folder" | "hf-cache" | "hub"
    path: Path | None = None
    ids: tuple[str, ...] = ()


def classify(spec: str) -> Source:
    """What kind of source a command-line argument is."""
    if spec.startswith("hf://"):
        return Source(spec, "hub", ids=(spec.removeprefix("hf://"),))
    if spec.startswith("hub-ids:"):
        path = Path(spec.removeprefix("hub-ids:"))
        if not path.is_file():
            raise AuditError(f"{spec}: no such file of Hub ids")
        return Source(spec, "hub", path=path)
    if spec == "hf-cache" or spec.startswith("hf-cache:"):
        path = Path(spec.partition(":")[2]) if ":" in spec else _default_hf_cache()
        if not path.is_dir():
            raise AuditError(f"{spec}: no Hugging Face cache at {path}")
        return Source(spec, "hf-cache", path=_hub_folder(path))
    path = Path(spec)
    if not path.exists():
        raise AuditError(f"{spec}: no such file or folder")
    if path.is_dir():
        if _is_hf_cache(path):
            return Source(spec, "hf-cache", path=_hub_folder(path))
        return Source(spec, "folder", path=path)
    name = path.name.lower()
    if name.endswith(".parquet"):
        return Source(spec, "parquet", path=path)
    if name.endswith(JSONL_SUFFIXES) or _is_gzip(path):
        return Source(spec, "jsonl", path=path)
    raise AuditError(
        f"{spec}: not a source an audit reads (a folder of repositories, a .jsonl[.gz] or "
        ".parquet file of cards, hf-cache, hf://owner/name or hub-ids:FILE)"
    )


def _is_gzip(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(2) == b"\x1f\x8b"
    except OSError:
        return False


def items(
    source: Source,
    fields: Fields,
    done_ids: frozenset[str] = frozenset(),
    exclude: frozenset[str] = frozenset(),
) -> Iterator[Item]:
    """The work items of a source. `exclude`: real paths of folders that are not repositories
    (the audit's own output folder, when it is inside the folder audited)."""
    if source.kind == "jsonl":
        yield from _jsonl_items(source)
    elif source.kind == "parquet":
        yield from _parquet_items(source, fields)
    elif source.kind == "folder":
        yield from _folder_items(source, done_ids, exclude)
    elif source.kind == "hf-cache":
        yield from _cache_items(source, done_ids)
    else:
        yield from _hub_items(source, done_ids)


# ------------------------------------------------------------------------------ JSON Lines


def _jsonl_items(source: Source) -> Iterator[Item]:
    assert source.path is not None
    label = source.label
    number = 0
    try:
        raw = open(source.path, "rb")  # noqa: SIM115 -- closed below, after the gzip check
    except OSError as exc:
        raise AuditError(f"{label}: cannot be read ({exc.strerror or exc})") from None
    with raw:
        compressed = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        handle: Any = gzip.GzipFile(fileobj=raw) if compressed else raw
        try:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    yield ("line", label, number, line)
        except (OSError, EOFError, zlib.error) as exc:
            # A cut-short or corrupt gzip stream: what was read is audited, the rest is a bad
            # record at the place it broke.
            yield (
                "bad",
                label,
                f"line {number + 1}",
                None,
                f"the file cannot be read past here ({type(exc).__name__}: {exc})",
            )


# ------------------------------------------------------------------------------ Parquet


def _parquet_items(source: Source, fields: Fields) -> Iterator[Item]:
    assert source.path is not None
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise AuditError(
            f"{source.label}: reading Parquet needs pyarrow (pip install 'commonslint[parquet]')"
        ) from None
    try:
        table = pq.ParquetFile(source.path)
    except Exception as exc:  # pyarrow raises its own error types for a file that is not Parquet
        raise AuditError(f"{source.label}: not a readable Parquet file ({exc})") from None
    columns = set(table.schema_arrow.names)
    if fields.card not in columns:
        raise AuditError(
            f"{source.label}: no `{fields.card}` column (it has {', '.join(sorted(columns))}); "
            "name the card column with --card-field"
        )
    wanted = [c for c in (fields.id, fields.card, fields.group) if c and c in columns]
    row = 0
    for batch in table.iter_batches(batch_size=512, columns=wanted):
        data = batch.to_pydict()
        cards = data[fields.card]
        ids = data.get(fields.id, [None] * len(cards))
        groups = data.get(fields.group, [None] * len(cards)) if fields.group else None
        for i, card in enumerate(cards):
            row += 1
            ident = ids[i]
            ident = str(ident) if isinstance(ident, (str, int)) and ident != "" else None
            group = groups[i] if groups is not None else None
            yield ("card", source.label, f"row {row}", ident, group, card)


# ------------------------------------------------------------------------------ folders


def _has_card(folder: str) -> bool:
    return os.path.isfile(os.path.join(folder, CARD_NAME))


def _subfolders(folder: str) -> list[os.DirEntry[str]]:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    return sorted(
        (
            e
            for e in entries
            if e.name not in SKIP_DIRS
            and not e.name.startswith(".")
            and e.is_dir(follow_symlinks=False)
        ),
        key=lambda e: e.name,
    )


def _folder_items(
    source: Source, done_ids: frozenset[str], exclude: frozenset[str] = frozenset()
) -> Iterator[Item]:
    """Each repository under the folder: a sub-folder with a README.md, or `owner/name/`
    folders of one (an owner folder has none of its own but sub-folders that do). A folder
    that is itself a repository is audited as one."""
    assert source.path is not None
    root = str(source.path)
    if _has_card(root):
        yield _folder_item(source, root, ".", done_ids)
        return
    try:
        os.listdir(root)
    except OSError as exc:
        yield ("bad", source.label, ".", None, f"the folder cannot be listed ({exc.strerror})")
        return
    for entry in _subfolders(root):
        if os.path.realpath(entry.path) in exclude:
            continue
        if _has_card(entry.path):
            yield _folder_item(source, entry.path, entry.name, done_ids)
            continue
        inner = _subfolders(entry.path)
        if inner and any(_has_card(e.path) for e in inner):
            for sub in inner:
                yield _folder_item(source, sub.path, f"{entry.name}/{sub.name}", done_ids)
        else:
            yield _folder_item(source, entry.path, entry.name, done_ids)  # a repo with no card


def _folder_item(source: Source, path: str, rel: str, done_ids: frozenset[str]) -> Item:
    if rel in done_ids:
        return ("done", rel)
    return ("folder", source.label, rel, rel, path, None, None)


# ------------------------------------------------------------------------------ the HF cache


def _default_hf_cache() -> Path:
    # The lineage facts read the same cache by the same rules (HF_HUB_CACHE, HF_HOME, ...),
    # without importing huggingface_hub.
    from commonslint.lineage.hfcache import cache_dir

    return cache_dir()


def _hub_folder(path: Path) -> Path:
    """`~/.cache/huggingface` and `~/.cache/huggingface/hub` are both accepted."""
    hub = path / "hub"
    return hub if hub.is_dir() and not _cache_entries(path) else path


def _cache_entries(path: Path) -> list[os.DirEntry[str]]:
    try:
        return sorted(
            (
                e
                for e in os.scandir(path)
                if e.name.startswith(("models--", "datasets--")) and e.is_dir()
            ),
            key=lambda e: e.name,
        )
    except OSError:
        return []


def _is_hf_cache(path: Path) -> bool:
    return bool(_cache_entries(path)) or (
        (path / "hub").is_dir() and bool(_cache_entries(path / "hub"))
    )


def _snapshot(entry: str) -> str | None:
    """The snapshot folder `refs/main` names, else the most recently changed one."""
    snapshots = os.path.join(entry, "snapshots")
    try:
        with open(os.path.join(entry, "refs", "main"), encoding="utf-8") as handle:
            revision = handle.read().strip()
        candidate = os.path.join(snapshots, revision)
        if revision and os.path.isdir(candidate):
            return candidate
    except OSError:
        pass
    try:
        folders = [e for e in os.scandir(snapshots) if e.is_dir()]
    except OSError:
        return None
    if not folders:
        return None
    return max(folders, key=lambda e: (e.stat().st_mtime, e.name)).path


def _cache_items(source: Source, done_ids: frozenset[str]) -> Iterator[Item]:
    """Cached models and datasets (spaces are not model repositories and are passed over)."""
    assert source.path is not None
    for entry in _cache_entries(source.path):
        prefix, _, rest = entry.name.partition("--")
        ident = rest.replace("--", "/")
        kind = "model" if prefix == "models" else "dataset"
        shown = ident if kind == "model" else f"datasets/{ident}"
        if shown in done_ids:
            yield ("done", shown)
            continue
        snapshot = _snapshot(entry.path)
        if snapshot is None:
            yield ("bad", source.label, entry.name, shown, "the cache holds no snapshot of it")
            continue
        blobs = os.path.join(entry.path, "blobs")
        yield ("folder", source.label, entry.name, shown, snapshot, kind, blobs)


# ------------------------------------------------------------------------------ Hub ids


def hub_target(text: str) -> tuple[str, str] | None:
    """`owner/name`, `datasets/owner/name`, or either as `hf://...` -> (target, id shown)."""
    text = text.strip().removeprefix("hf://").strip("/")
    parts = text.split("/")
    if parts[0] in ("models", "datasets") and len(parts) == 3:
        kind, parts = parts[0], parts[1:]
    else:
        kind = "models"
    if len(parts) not in (1, 2) or not all(parts):
        return None
    ident = "/".join(parts)
    if kind == "datasets":
        return f"hf://datasets/{ident}", f"datasets/{ident}"
    return f"hf://{ident}", ident


def _hub_items(source: Source, done_ids: frozenset[str]) -> Iterator[Item]:
    """Hub repositories named on the command line or one a line in a file (`#` comments)."""
    if source.path is None:
        lines: Iterator[tuple[int, str]] = iter(enumerate(source.ids, start=1))
        where = "argument"
    else:
        try:
            text = source.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise AuditError(f"{source.label}: cannot be read ({exc})") from None
        lines = iter(enumerate(text.splitlines(), start=1))
        where = "line"
    for number, line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        position = f"{where} {number}" if where == "line" else where
        found = hub_target(line)
        if found is None:
            yield ("bad", source.label, position, None, f"not a Hub id: {line!r}")
            continue
        target, ident = found
        if ident in done_ids:
            yield ("done", ident)
            continue
        yield ("hub", source.label, position, ident, target)
