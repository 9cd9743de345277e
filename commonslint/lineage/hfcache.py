"""Parents' cards in the local Hugging Face cache, read without importing `huggingface_hub`.

The cache layout is documented and stable (huggingface_hub "Manage the cache" guide)::

    <cache>/models--<owner>--<name>/refs/main            the commit `main` pointed at
    <cache>/models--<owner>--<name>/snapshots/<commit>/README.md
    <cache>/datasets--<owner>--<name>/...

The cache folder is `HF_HUB_CACHE`, else `HUGGINGFACE_HUB_CACHE` (older name), else
`HF_HOME/hub`, else `XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub`, the order
`huggingface_hub.constants` uses. A fine-tuner almost always has the base model's card here.
Only the card is read (with a byte cap); the snapshot's listing gives the files of note.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from commonslint.lineage.records import ParentRecord, record_from_card

MAX_CARD_BYTES = 2 * 1024 * 1024


# What `cache_dir()` reads from the environment: its four names, and HOME for `~`.
_ENV_NAMES = ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME", "HOME")
_ENCODED: tuple[object, ...] | None = None  # the names as keys of `os.environ._data`
_FOUND: dict[tuple[object, ...], Path] = {}  # those values -> the folder they name


def _environ_values() -> tuple[object, ...] | None:
    """The raw values of `_ENV_NAMES` in `os.environ`, read from its C dict: `os.environ.get`
    raises and catches a KeyError for each absent name, which cost more than the rest of a
    lint's look-ups in the cache. None where `os.environ` is not CPython's POSIX mapping, or
    without HOME (then `~` is the password entry's, which is not kept)."""
    global _ENCODED
    environ = os.environ
    data = getattr(environ, "_data", None)
    if os.name != "posix" or type(environ) is not os._Environ or type(data) is not dict:
        return None
    if _ENCODED is None:
        _ENCODED = tuple(environ.encodekey(name) for name in _ENV_NAMES)  # type: ignore[attr-defined]
    get = data.get
    values = tuple([get(key) for key in _ENCODED])
    return values if values[-1] is not None else None


def cache_dir(env: Mapping[str, str] | None = None) -> Path:
    if env is None:
        # The folder depends only on the values read, so it is kept per those values: a
        # changed variable (a test's HF_HOME) is a new key and is worked out afresh.
        values = _environ_values()
        if values is not None:
            found = _FOUND.get(values)
            if found is None:
                if len(_FOUND) >= 32:
                    _FOUND.clear()
                found = _FOUND[values] = _cache_dir(os.environ)
            return found
    return _cache_dir(os.environ if env is None else env)


def _cache_dir(env: Mapping[str, str]) -> Path:
    # `env` is read in place: copying os.environ cost more than a lint.
    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        if value := env.get(name):
            return _under(value)
    if value := env.get("HF_HOME"):
        return _under(value, "hub")
    return _under(env.get("XDG_CACHE_HOME") or "~/.cache", "huggingface", "hub")


def _under(base: str, *parts: str) -> Path:
    """`Path(base).expanduser()` joined with `parts`. Building it costs more than the rest of a
    lint's look-ups in the cache, and its value is fixed by `base` and by what `~` expands to
    now (`os.path.expanduser` reads the same HOME or password entry), so it is kept per those."""
    return _expanded(base, parts, os.path.expanduser(base))


@lru_cache(maxsize=32)
def _expanded(base: str, parts: tuple[str, ...], expanded: str) -> Path:
    return Path(base).expanduser().joinpath(*parts)


# `os.access` with the effective ids, as `os.stat` resolves a path, where the platform has it.
_EFFECTIVE = os.access in os.supports_effective_ids


def is_folder(path: Path) -> bool:
    """`os.path.isdir(path)`. Most machines that lint in bulk have no cache folder, and for a
    missing path `isdir` raises and catches a FileNotFoundError inside (1.5 us a call); `access`
    says no without one (0.6 us), so `isdir` is asked only when something is there."""
    try:
        there = os.access(path, os.F_OK, effective_ids=_EFFECTIVE)
    except ValueError:  # a NUL in the path, which `isdir` answers False for
        return False
    return there and os.path.isdir(path)


def folder_name(kind: str, repo_id: str) -> str:
    return f"{kind}s--{repo_id.replace('/', '--')}"


class HFCache:
    """Look-ups in one cache folder; the folder listing is read once, and only on a miss."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else cache_dir()
        self._lower: dict[str, str] | None = None
        self._is_folder: bool | None = None  # whether `root` is a folder, asked once

    def _repo_folder(self, kind: str, repo_id: str) -> Path | None:
        if self._is_folder is None:
            self._is_folder = is_folder(self.root)
        if not self._is_folder:
            # Nothing is found under a folder that is not there (most machines that lint in
            # bulk have no cache): one stat for the lint, not a stat and a listing per parent.
            return None
        name = folder_name(kind, repo_id)
        exact = self.root / name
        if exact.is_dir():
            return exact
        # Hub ids are case-insensitive; the cache keeps the spelling of whoever downloaded.
        if self._lower is None:
            try:
                self._lower = {n.lower(): n for n in os.listdir(self.root)}
            except OSError:
                self._lower = {}
        found = self._lower.get(name.lower())
        return self.root / found if found else None

    def _snapshot(self, folder: Path) -> tuple[Path, str] | None:
        """The snapshot `main` points at, else the only (or last by name) one with a card."""
        snapshots = folder / "snapshots"
        try:
            commit = (folder / "refs" / "main").read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            commit = ""
        if commit and (snapshots / commit / "README.md").is_file():
            return snapshots / commit, commit
        try:
            names = sorted(os.listdir(snapshots))
        except OSError:
            return None
        with_card = [n for n in names if (snapshots / n / "README.md").is_file()]
        return (snapshots / with_card[-1], with_card[-1]) if with_card else None

    def lookup(self, kind: str, repo_id: str) -> ParentRecord | None:
        folder = self._repo_folder(kind, repo_id)
        if folder is None:
            return None
        found = self._snapshot(folder)
        if found is None:
            return None
        snapshot, commit = found
        card = snapshot / "README.md"
        try:
            if card.stat().st_size > MAX_CARD_BYTES:
                return None
            text = card.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        try:
            files = tuple(sorted(os.listdir(snapshot)))
        except OSError:
            files = ()
        return record_from_card(
            repo_id,
            kind,
            text,
            source="cache",
            where=f"{folder.name}/snapshots/{commit}/README.md in the Hugging Face cache",
            revision=commit,
            files=files,
        )
