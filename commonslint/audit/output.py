"""The audit's outputs on disk: `findings.jsonl` written as records arrive, and resumed.

The JSON Lines file is the audit's memory: one record a repository, in input order, flushed
batch by batch, so that an interrupted audit leaves every finished repository on disk. To
resume, the file is read back: each complete record's id is done and its counts go into the
tally; a line cut short by the interruption (or anything after a line that is not a record) is
dropped by truncating the file to the last good record, and the audit appends from there.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from commonslint.audit.summary import Tally


def read_back(
    path: Path, each: Callable[[dict[str, Any]], None] | None = None
) -> tuple[set[str], Tally, int]:
    """Ids and tally of the complete records in an earlier run's output, and the byte offset
    just past the last of them (where appending must start); `each` sees every kept record."""
    done: set[str] = set()
    tally = Tally()
    good_end = 0
    if not path.exists():
        return done, tally, 0
    with open(path, "rb") as handle:
        offset = 0
        for line in handle:
            offset += len(line)
            if not line.endswith(b"\n"):
                break  # cut short by the interruption
            try:
                record = json.loads(line)
            except ValueError:
                break
            if not isinstance(record, dict) or not isinstance(record.get("id"), str):
                break
            done.add(record["id"])
            tally.add(record)
            if each is not None:
                each(record)
            good_end = offset
    return done, tally, good_end


def open_output(path: Path, resume_at: int | None) -> IO[str]:
    """The findings file, opened to append at `resume_at` (truncating what follows), or new."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if resume_at is None or not path.exists():
        return open(path, "w", encoding="utf-8", newline="\n")
    with open(path, "r+b") as handle:
        handle.truncate(resume_at)
    return open(path, "a", encoding="utf-8", newline="\n")


def sync(handle: IO[str]) -> None:
    """Hand a batch to the operating system, so that a killed audit loses at most the batches
    in flight (no fsync: that would guard against a power cut, at a cost on every batch)."""
    handle.flush()
