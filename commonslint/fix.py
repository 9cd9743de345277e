"""Applying fixes (`--fix`) and showing them (`--diff`).

A fix is a text edit at a recorded position (`findings.Fix`). For each file, the fixes are applied
from the end backwards, so earlier offsets stay valid; a fix that overlaps one already taken is
left for the next pass. Passes repeat (on an in-memory view of the edited files) until no fix is
left, so one `--fix` reaches the point where a second changes nothing. Files are decoded and
encoded as UTF-8 without newline translation, so CRLF line endings, a byte-order mark and every
byte outside the edits stay as they were. Writes are atomic (`fileio.write_atomic`), never go
outside the repository, never replace a file that changed since it was read, and never touch a
read-only file.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from commonslint.findings import Fix
from commonslint.sources import LocalRepo, ReadResult, Repo, is_weight_file

if TYPE_CHECKING:
    from commonslint.lint import Linter, Result

MAX_PASSES = 8
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


class FixError(Exception):
    """A fix that could not be written; the original file is left as it was."""


@dataclass
class FileChange:
    path: str  # relative to the repository root
    shown: str  # as the user sees it
    before: str | None  # None: the fix creates the file
    after: str
    fixes: list[Fix] = field(default_factory=list)


@dataclass
class Plan:
    """What `--fix` would write for one repository, and what it had to leave alone."""

    root: Path | None
    changes: dict[str, FileChange] = field(default_factory=dict)
    skipped: dict[tuple[str, str], str] = field(default_factory=dict)  # (path, fixer) -> why

    @property
    def applied(self) -> list[Fix]:
        return [fix for change in self.changes.values() for fix in change.fixes]


class OverlayRepo(LocalRepo):
    """A local repository seen with some files replaced or added in memory (the next pass)."""

    def __init__(self, base: LocalRepo, texts: dict[str, str]) -> None:
        super().__init__(base.root, base.display, kind=base.kind, max_bytes=base.max_bytes)
        self.card_path = base.card_path
        self._base = base
        self._texts = dict(texts)

    def files(self) -> list[str]:
        return sorted(set(self._base.files()) | set(self._texts))

    def _read(self, path: str) -> ReadResult:
        if path in self._texts:
            return ReadResult(text=self._texts[path])
        return self._base.read_text(path)


def apply_edits(text: str, fixes: Iterable[Fix]) -> tuple[str, list[Fix], list[tuple[Fix, str]]]:
    """Apply non-overlapping edits to `text`; return the new text, the fixes used, those left."""
    used: list[Fix] = []
    left: list[tuple[Fix, str]] = []
    taken: list[tuple[int, int]] = []
    for fix in sorted(fixes, key=lambda f: (f.start, f.end, f.fixer)):
        if not 0 <= fix.start <= fix.end <= len(text):
            left.append((fix, f"its position ({fix.start}-{fix.end}) is outside the file"))
            continue
        # Two edits touching the same characters, or inserting at the same point, would depend
        # on their order: take the first, and let the next pass see the result.
        if any((fix.start < end and start < fix.end) or fix.start == start for start, end in taken):
            left.append((fix, "it overlaps another fix"))
            continue
        taken.append((fix.start, fix.end))
        used.append(fix)
    for fix in sorted(used, key=lambda f: f.start, reverse=True):
        text = text[: fix.start] + fix.text + text[fix.end :]
    return text, used, left


def safe_path(root: Path, path: str) -> str | None:
    """Why `path` must not be written by a fix, or None when it may (inside the root, no links
    out, not a weight file): a user's rule pack proposes fixes too."""
    pure = PurePosixPath(path)
    if not path or "\\" in path or pure.is_absolute() or ".." in pure.parts or "\0" in path:
        return "its path is not a plain path inside the repository"
    if is_weight_file(path):
        return "it would write a weight or archive file"
    real_root = os.path.realpath(root)
    real = os.path.realpath(os.path.join(root, *pure.parts))
    if not real.startswith(real_root + os.sep):
        return "its path leads outside the repository"
    return None


def plan(linter: Linter, repo: Repo, target: str, first: Result) -> Plan:
    """Every fix for one repository, applied in memory pass after pass until none is left."""
    if not isinstance(repo, LocalRepo):
        return Plan(root=None)
    result = first
    found = Plan(root=repo.root)
    texts: dict[str, str] = {}
    reasons: dict[tuple[str, str], str] = {}
    for _ in range(MAX_PASSES):
        by_path: dict[str, list[Fix]] = {}
        for finding in result.findings:
            if finding.fix is not None:
                by_path.setdefault(finding.fix.path, []).append(finding.fix)
        current = result.repo
        changed = False
        for path, fixes in sorted(by_path.items()):
            why = safe_path(repo.root, path)
            if why is None and any(f.create for f in fixes):
                why = _create(found, current, repo, path, fixes, texts)
                changed |= why is None
            elif why is None:
                why, edited = _edit(found, current, repo, path, fixes, texts, reasons)
                changed |= edited
            if why is not None:
                for fix in fixes:
                    reasons[(path, fix.fixer)] = why
        if not changed:
            break
        result = linter.lint(OverlayRepo(repo, texts), target)
    # What is left is what the last state still proposes, with the last reason it was refused.
    for finding in result.findings:
        if finding.fix is not None:
            key = (finding.fix.path, finding.fix.fixer)
            found.skipped[key] = reasons.get(key, f"still proposed after {MAX_PASSES} passes")
    return found


def _create(
    found: Plan, current: Repo, repo: LocalRepo, path: str, fixes: list[Fix], texts: dict[str, str]
) -> str | None:
    """Add a new file to the plan, or say why not."""
    if current.exists(path) or os.path.lexists(os.path.join(repo.root, path)):
        return "the file it would create already exists"
    fix = next(f for f in fixes if f.create)
    texts[path] = fix.text
    found.changes[path] = FileChange(path, repo.show(path), None, fix.text, [fix])
    return None


def _edit(
    found: Plan,
    current: Repo,
    repo: LocalRepo,
    path: str,
    fixes: list[Fix],
    texts: dict[str, str],
    reasons: dict[tuple[str, str], str],
) -> tuple[str | None, bool]:
    """Apply what fits of a file's fixes in memory; say why the file could not be edited."""
    read = current.read_text(path)
    if read.text is None:
        return f"the file {read.error or 'cannot be read'}", False
    new, used, left = apply_edits(read.text, fixes)
    for fix, why in left:
        reasons[(path, fix.fixer)] = why
    if not used or new == read.text:
        return None, False
    change = found.changes.get(path)
    if change is None:
        change = found.changes[path] = FileChange(path, repo.show(path), read.text, new)
    change.after = new
    change.fixes.extend(used)
    texts[path] = new
    return None, True


def write(found: Plan) -> list[str]:
    """Write every change of a plan; return one message per file that could not be written."""
    errors: list[str] = []
    if found.root is None:
        return errors
    for _, change in sorted(found.changes.items()):
        try:
            _write_one(found.root, change)
        except FixError as exc:
            errors.append(f"{change.shown}: {exc}; not changed")
        except OSError as exc:
            errors.append(f"{change.shown}: cannot be written ({exc.strerror or exc}); not changed")
    return errors


def _write_one(root: Path, change: FileChange) -> None:
    from commonslint.fileio import write_atomic

    full = Path(os.path.realpath(os.path.join(root, *PurePosixPath(change.path).parts)))
    data = change.after.encode("utf-8")
    if change.before is None:
        if os.path.lexists(full):
            raise FixError("the file appeared while commonslint was running")
        full.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(full, data)  # with the permissions open() would give a new file
        return
    info = os.stat(full)
    if not stat.S_ISREG(info.st_mode):
        raise FixError("is not a regular file")
    # The read-only bit is the owner's "do not change": honoured even where the OS would let
    # us replace the file (rename ignores it, and root ignores it altogether).
    if not info.st_mode & stat.S_IWUSR:
        raise FixError("is read-only")
    try:
        on_disk = full.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise FixError("is no longer UTF-8 text") from None
    if on_disk != change.before:
        raise FixError("changed while commonslint was running")
    write_atomic(full, data)


def unified_diff(found: Plan) -> str:
    """The plan as a unified diff (`a/` and `b/` paths, as git shows them)."""
    out: list[str] = []
    for _, change in sorted(found.changes.items()):
        before = _LINES.findall(change.before or "")
        after = _LINES.findall(change.after)
        shown = change.shown if change.shown.startswith("/") else f"/{change.shown}"
        fromfile = "/dev/null" if change.before is None else f"a{shown}"
        for line in difflib.unified_diff(before, after, fromfile, f"b{shown}"):
            if line.endswith(("\n", "\r")):
                out.append(line if line.endswith("\n") else line + "\n")
            else:
                out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


def summary(plans: Iterable[Plan], wrote: bool) -> list[str]:
    """Lines for stderr: what was (or would be) fixed, and what was left and why."""
    plans = list(plans)
    applied = [fix for p in plans for fix in p.applied]
    files = sorted({c.shown for p in plans for c in p.changes.values()})
    lines = []
    if applied:
        verb = "fixed" if wrote else "would fix"
        noun = "problem" if len(applied) == 1 else "problems"
        lines.append(f"{verb} {len(applied)} {noun} in {', '.join(files)}")
    elif not any(p.skipped for p in plans):
        lines.append("nothing to fix")
    for p in plans:
        for (path, fixer), why in sorted(p.skipped.items()):
            lines.append(f"not fixed: {fixer} in {path}: {why}")
    return lines
