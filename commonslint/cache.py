"""A small per-user cache of derived data (parsed rule packs, compiled rule code).

Parsing the built-in YAML and compiling the rules' Jinja2 costs more than linting a card, on
every commit. Both are pure functions of files that rarely change, so their results are kept as
`marshal` data under the user's cache folder, keyed by what they were derived from. A missing,
stale, corrupt or unwritable cache only costs time: it is never a source of truth.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
from pathlib import Path
from typing import Any

import yaml

try:  # CPython's own SHA-256: `hashlib` loads OpenSSL first (~2.5 ms of every run, issue 7)
    from _sha2 import sha256  # type: ignore[import-not-found]  # Python 3.12+
except ImportError:
    try:
        from _sha256 import sha256  # type: ignore[import-not-found,no-redef]  # Python 3.11
    except ImportError:
        from hashlib import sha256  # type: ignore[assignment]  # a build without them

_VERSION = "1"


def cache_dir() -> Path | None:
    if os.environ.get("COMMONSLINT_NO_CACHE"):
        return None
    explicit = os.environ.get("COMMONSLINT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "commonslint"


def cache_file(kind: str, key_material: str) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    digest = sha256(f"{_VERSION}|{sys.version}|{key_material}".encode()).hexdigest()[:24]
    return folder / f"{kind}-{digest}.marshal"


def read(path: Path | None) -> Any:
    if path is None:
        return None
    try:
        return marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None


def write(path: Path | None, value: Any) -> None:
    if path is None:
        return
    with contextlib.suppress(OSError, ValueError):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps(value))
        os.replace(tmp, path)


def load_yaml(path: Path) -> Any:
    """`yaml.load` with the C safe loader, through the cache (keyed by path, size, mtime).

    Only plain data survives `marshal` (no dates, sets or custom objects), which is all that
    rule packs and the knowledge base hold; anything else is loaded without the cache.
    """
    try:
        info = path.stat()
    except OSError:
        info = None
    target = None
    if info is not None:
        target = cache_file("yaml", f"{path.resolve()}|{info.st_size}|{info.st_mtime_ns}")
        cached = read(target)
        if cached is not None:
            return cached
    with open(path, encoding="utf-8") as handle:
        data = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if target is not None:
        try:
            marshal.dumps(data)
        except ValueError:
            return data
        write(target, data)
    return data
