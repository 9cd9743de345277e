"""Atomic writes keep a file's permissions, give a new file the usual ones, and follow links."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from commonslint.fileio import write_atomic


def test_new_file_gets_the_umask_permissions_not_private_ones(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "new.txt", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o644


def test_existing_permissions_are_kept(tmp_path: Path) -> None:
    target = tmp_path / "card.md"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["card.md"]  # no temporary file left


def test_a_link_is_written_through_not_replaced(tmp_path: Path) -> None:
    real = tmp_path / "docs" / "README.md"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "README.md"
    link.symlink_to(Path("docs") / "README.md")
    write_atomic(link, b"new")
    assert link.is_symlink()
    assert real.read_bytes() == b"new"
