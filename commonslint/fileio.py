"""Atomic writes: a temporary file in the same folder, flushed, then renamed over the target,
so a reader (or a crash) sees the old file or the new one, never half of one.

A kill (SIGKILL) between creating the temporary file and the rename cannot run the
clean-up, and leaves the temporary file behind: hidden, named `.{name}.XXXXXXXX.tmp` beside the
file it was for, and holding at most the new content. `tests/test_fix_killed.py` kills `--fix`
before every step and checks this."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


@contextlib.contextmanager
def atomic_writer(path: Path, text: bool = False) -> Iterator[IO[Any]]:
    """A file handle whose content replaces `path` when the block ends without an error.

    For content written in pieces (a large report); `write_atomic` for content in hand."""
    if path.is_symlink():
        # Write through the link, as an editor does: renaming over it would replace the link
        # itself with a regular file.
        path = Path(os.path.realpath(path))
    folder = path.parent if str(path.parent) else Path(".")
    try:
        mode = os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        # A new file gets the permissions open() would give it, set on the temporary file before
        # the rename (mkstemp makes it 0600): a kill can then never leave it with other ones.
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        handle: IO[Any] = (
            os.fdopen(fd, "w", encoding="utf-8", newline="\n") if text else os.fdopen(fd, "wb")
        )
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_atomic(path: Path, data: bytes) -> None:
    with atomic_writer(path) as handle:
        handle.write(data)
