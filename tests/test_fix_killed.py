"""`--fix` killed at any point leaves each file either as it was or fully fixed (issue 7).

`commonslint --fix` runs on two repositories needing several fixes in several files (CL108 and
the CL501 scaffold in one card, CL103 in a CRLF card, CL401 creating CODE_OF_CONDUCT.md in both),
and is SIGKILLed:

- deterministically, before each step that changes the disk. The child runs the CLI under an
  audit hook (`sys.addaudithook`, test code only: nothing in commonslint knows about it) that
  counts the events which create, open for writing, rename, chmod, remove or make a folder, with
  a profile hook counting writes through file objects, and SIGKILLs its own process at event
  number K, for K = 1, 2, ... until a run is no longer killed. Those are the calls that change
  the disk, so the states a kill can leave are the states before each of them (and a write cut
  short, which only a writer that truncates in place could expose: this one catches such a writer
  already, between its open and its write);
- and from outside, after delays spread over the length of an uninterrupted run, as a user's
  kill would come.

After each kill, every file is byte-identical to its original (or still absent) or to the fully
fixed version (from an uninterrupted run on a copy), with the same permissions (a created file
has the ones open() would give it); a second `--fix` then reaches the fully fixed state. A kill
between creating a temporary file and renaming it cannot run the clean-up, so a temporary file
may be left: the test accepts it only hidden, named `.{file}.XXXXXXXX.tmp` beside a file being
fixed, and holding a prefix of that file's fixed content, so no user mistakes it for theirs.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT, write_repo

REPOS: dict[str, dict[str, str | bytes]] = {
    "a": {
        "README.md": "---\nlicense: Apache-2.0\nlanguage: en\n---\n# Model A\n\nTrained on GPUs.\n",
        "LICENSE": "Apache License\nVersion 2.0, January 2004\n",
    },
    "b": {
        "README.md": b"---\r\nlicense: other\r\n---\r\n# Model B\r\n\r\nNo final newline.",
        "LICENSE.md": "# Acme Model Licence 2.0\n\nYou may use this model.\n",
    },
}
ARGS = ("--isolated", "-q", "--fix", "--select", "CL108,CL103,CL401,CL501")
TEMP = re.compile(r"^\.(?P<name>.+)\.[A-Za-z0-9_]{8}\.tmp$")  # tempfile.mkstemp's names

# The child: the CLI under an audit hook that SIGKILLs the process at the Kth disk-changing event.
_UNDER_HOOK = """
import os, signal, sys
kill_at = int(sys.argv[1])
folder = os.path.realpath(sys.argv[2])
seen = 0
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

def changes_disk(event, args):
    if event == "open":
        path, mode, flags = args
        writing = any(c in (mode or "") for c in "wax+") or bool((flags or 0) & WRITE_FLAGS)
        # An int "path" is a descriptor (os.fdopen): it is the temporary file, being written.
        return writing and (isinstance(path, int) or inside(path))
    if event in ("os.rename", "os.chmod", "os.remove", "os.mkdir", "os.truncate", "os.rmdir"):
        return isinstance(args[0], int) or inside(args[0])
    return False

def inside(path):
    path = os.fsdecode(path) if isinstance(path, (str, bytes)) else ""
    return os.path.realpath(path).startswith(folder + os.sep)

def hook(event, args):
    global seen
    if event == "write" or changes_disk(event, args):
        seen += 1
        if seen == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

# Writes through a file object are not audited: count them too, so that a kill also lands
# between opening a file and writing it (what would catch a writer that truncates in place).
WRITERS = ("BufferedWriter", "BufferedRandom", "FileIO", "TextIOWrapper")
CONSOLE = (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__)

def profile(frame, event, arg):
    if event == "c_call" and getattr(arg, "__name__", "") in ("write", "writelines"):
        owner = getattr(arg, "__self__", None)
        if type(owner).__name__ in WRITERS and owner not in CONSOLE or arg is os.write:
            hook("write", ())

sys.addaudithook(hook)
sys.setprofile(profile)
from commonslint.cli import main
sys.exit(main(sys.argv[3:]))
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _make(where: Path) -> list[str]:
    for name, files in REPOS.items():
        write_repo(where / name, files)
    return [str(where / name) for name in REPOS]


def _snapshot(where: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(where).as_posix(): (p.read_bytes(), stat.S_IMODE(p.stat().st_mode))
        for p in sorted(where.rglob("*"))
        if p.is_file()
    }


def _fix(targets: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "commonslint", *ARGS, *targets],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _check(where: Path, original: dict, fixed: dict) -> tuple[frozenset[str], int]:
    """Every file as it was or fully fixed, temporary files recognisable; (fixed files, temps)."""
    now = _snapshot(where)
    temps = 0
    done = set()
    for path, state in now.items():
        folder, _, name = path.rpartition("/")
        if match := TEMP.match(name):
            target = f"{folder}/{match['name']}"
            assert target in fixed and fixed[target] != original.get(target), path
            assert fixed[target][0].startswith(state[0]), f"{path} holds something else"
            temps += 1
            continue
        assert path in original or path in fixed, f"unexpected file {path}"
        assert state in (original.get(path), fixed.get(path)), f"{path} is half fixed: {state}"
        if state != original.get(path):
            done.add(path)
    for path in original:
        assert path in now, f"{path} was removed"
    return frozenset(done), temps


def test_fix_killed_at_every_step_leaves_each_file_whole(tmp_path: Path) -> None:
    whole = tmp_path / "whole"
    targets = _make(whole)
    original = _snapshot(whole)
    started = time.monotonic()
    first = _fix(targets)
    duration = time.monotonic() - started
    assert first.returncode in (0, 1), first.stderr
    fixed = _snapshot(whole)
    changed = {p for p in fixed if fixed[p] != original.get(p)}
    # Two cards edited, two codes of conduct created: the run has several steps to interrupt.
    assert changed == {"a/README.md", "b/README.md", "a/CODE_OF_CONDUCT.md", "b/CODE_OF_CONDUCT.md"}
    umask = os.umask(0)
    os.umask(umask)
    assert fixed["a/CODE_OF_CONDUCT.md"][1] == 0o666 & ~umask

    states: set[frozenset[str]] = set()
    leftovers = 0
    kill_at = 1
    while True:
        where = tmp_path / f"k{kill_at}"
        targets = _make(where)
        proc = subprocess.run(
            [sys.executable, "-c", _UNDER_HOOK, str(kill_at), str(where), *ARGS, *targets],
            env=_env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        done, temps = _check(where, original, fixed)
        if proc.returncode != -signal.SIGKILL:  # ran to the end: every step has been tried
            assert proc.returncode in (0, 1), proc.stderr
            assert done == frozenset(changed)
            break
        states.add(done)
        leftovers += temps
        again = _fix(targets)  # a second --fix finishes the job
        assert again.returncode in (0, 1), again.stderr
        done, _ = _check(where, original, fixed)
        assert done == frozenset(changed), f"after a kill at step {kill_at}, --fix left {done}"
        shutil.rmtree(where)
        kill_at += 1
        assert kill_at < 200, "the kills never stop the run"
    # The kills really landed between the writes: before any, between files, after some, and
    # with a temporary file written but not yet renamed.
    assert frozenset() in states and len(states) >= len(changed), sorted(map(sorted, states))
    assert leftovers > 0

    # From outside, as a user's kill comes: at delays spread over an uninterrupted run.
    for step in range(12):
        where = tmp_path / f"t{step}"
        targets = _make(where)
        child = subprocess.Popen(
            [sys.executable, "-m", "commonslint", *ARGS, *targets],
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(duration * step / 10)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        _check(where, original, fixed)
        shutil.rmtree(where)


def test_write_atomic_gives_a_new_file_open_permissions_before_the_rename(tmp_path: Path) -> None:
    """Set on the temporary file, so no kill leaves a new file (a code of conduct, a report
    written with --output, a lock file) readable by its owner only, as mkstemp makes it."""
    from commonslint.fileio import write_atomic

    umask = os.umask(0o027)
    try:
        write_atomic(tmp_path / "new.md", b"new\n")
        existing = tmp_path / "mine.md"
        existing.write_bytes(b"old\n")
        existing.chmod(0o604)
        write_atomic(existing, b"new\n")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new.md").stat().st_mode) == 0o640
    assert stat.S_IMODE(existing.stat().st_mode) == 0o604 and existing.read_bytes() == b"new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.md", "new.md"]
