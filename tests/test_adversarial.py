"""Files written by anyone: each adversarial input ends in findings or a clear error, quickly,
in bounded memory, never with a traceback and never blocking (issue 7, "Hardness").

Every run is the command line in a child process with a wall-clock timeout and an address-space
limit (RLIMIT_AS), so a hang or a blow-up fails the test instead of the machine.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from commonslint import facts
from commonslint.card import MAX_SECTIONS
from commonslint.sources import MemoryRepo
from tests.conftest import codes, run_cli, write_repo

TIMEOUT = 20  # seconds; each case takes well under one on an idle machine
MEMORY_MB = 400  # address space, not resident memory: a plain run needs about 150

FRONT = "---\nlicense: mit\ndatasets:\n  - stanfordnlp/imdb\n---\n"
BODY = "\n# Model\n\n## Bias, Risks, and Limitations\n\nIt is wrong about sarcasm.\n"


def _limit_memory() -> None:
    limit = MEMORY_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def run_bounded(
    *args: str, prefix: Sequence[str] = (), cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    result = run_cli(*args, cwd=cwd, timeout=TIMEOUT, prefix=prefix, preexec_fn=_limit_memory)
    assert "Traceback" not in result.stderr, result.stderr
    assert "internal error" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), (result.returncode, result.stderr)
    if "--format" not in args:
        summary = result.stdout.rstrip().splitlines()[-1]
        assert summary.startswith(("Found", "All checks passed")), result.stdout
    return result


def finding_lines(output: str, code: str) -> list[str]:
    return [line for line in output.splitlines() if f": {code} " in line]


# ------------------------------------------------------------------------------- YAML


def billion_laughs(key: str) -> str:
    """Nine levels of nine aliases: 9**9 (387 million) strings if anything expands it."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    previous = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
        previous = name
    lines.append(f"{key}: *i")
    return "---\nlicense: mit\n" + "\n".join(lines) + "\n---\n" + BODY


@pytest.mark.parametrize(
    "key", ["bomb", "tags", "datasets", "base_model", "language", "co2_eq_emissions", "widget"]
)
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_yaml_alias_bomb_is_not_expanded(make_repo, key: str, fmt: str) -> None:
    repo = make_repo({"README.md": billion_laughs(key)})
    result = run_bounded(str(repo), "--format", fmt)
    if fmt == "json":
        json.loads(result.stdout)
    assert len(result.stdout) < 100_000


@pytest.mark.parametrize(
    "value",
    [
        "[" * 10_000 + "]" * 10_000,
        "{a: " * 10_000 + "1" + "}" * 10_000,
        "- " * 10_000 + "x",
    ],
    ids=["flow-sequence", "flow-mapping", "block-sequence"],
)
def test_yaml_nested_ten_thousand_levels(make_repo, value: str) -> None:
    repo = make_repo({"README.md": f"---\nlicense: mit\nx: {value}\n---\n{BODY}"})
    result = run_bounded(str(repo))
    # Parsed or reported as invalid YAML, either way a finding, never a RecursionError.
    assert "RecursionError" not in result.stdout or "CL003" in codes(result.stdout)


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:os.system ['touch {marker}']",
        "!!python/object:builtins.dict {{}}",
        "!!python/name:os.system",
        "!!python/module:os",
    ],
)
def test_python_tags_are_refused_not_constructed(make_repo, tmp_path: Path, tag: str) -> None:
    marker = tmp_path / "constructed"
    card = f"---\nlicense: mit\nx: {tag.format(marker=marker)}\n---\n{BODY}"
    repo = make_repo({"README.md": card})
    result = run_bounded(str(repo))
    [line] = finding_lines(result.stdout, "CL003")
    assert "could not determine a constructor" in line
    assert not marker.exists()


# ------------------------------------------------------------------------------- bytes


def test_readme_of_200_megabytes_is_capped_unread(make_repo) -> None:
    repo = make_repo({"README.md": FRONT + BODY})
    with open(repo / "README.md", "r+b") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: no disk blocks, but 200 MB to read
    result = run_bounded(str(repo))
    [line] = finding_lines(result.stdout, "CL902")
    assert "is too large (209715200 bytes" in line


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (os.urandom(64 * 1024), ("NUL bytes", "not valid UTF-8")),
        ((FRONT + BODY).encode() + b"\x00\x00" + b"more", ("NUL bytes (first at byte",)),
        ((FRONT + BODY).encode() + b"\xff\xfe\xc3(", ("is not valid UTF-8 (byte",)),
        ((FRONT + BODY).encode("utf-16"), ("is UTF-16 text",)),
        (b"\xfe\xff" + (FRONT + BODY).encode("utf-16-be"), ("is UTF-16 text",)),
    ],
    ids=["random", "nul", "invalid-utf8", "utf16-le", "utf16-be"],
)
def test_readme_that_is_not_utf8_text(make_repo, content: bytes, expected: tuple[str]) -> None:
    repo = make_repo({"README.md": content})
    result = run_bounded(str(repo))
    [line] = finding_lines(result.stdout, "CL902")
    assert line.startswith(f"{repo}/README.md:1:1: ")
    assert any(text in line for text in expected), line


def test_licence_file_that_is_not_utf8_text(make_repo) -> None:
    repo = make_repo({"README.md": FRONT + BODY, "LICENSE": "MIT License\n".encode("utf-16")})
    result = run_bounded(str(repo))
    [line] = finding_lines(result.stdout, "CL902")
    assert "`LICENSE` is UTF-16 text" in line


def test_a_million_headings_are_read_fast_and_capped(make_repo) -> None:
    text = FRONT + "#\n" * 1_000_000
    card_f, _ = facts.card_facts(MemoryRepo({"README.md": text}), [])
    assert len(card_f["sections"]) == MAX_SECTIONS
    repo = make_repo({"README.md": text})
    run_bounded(str(repo))


# ------------------------------------------------------------------------------- special files


@pytest.mark.parametrize("name", ["LICENSE", "README.md", "CODE_OF_CONDUCT.md"])
def test_fifo_does_not_block(make_repo, name: str) -> None:
    files = {"README.md": FRONT + BODY}
    files.pop(name, None)
    repo = make_repo(files)
    os.mkfifo(repo / name)  # nobody writes to it: an open without O_NONBLOCK would hang
    result = run_bounded(str(repo))
    lines = finding_lines(result.stdout, "CL902")
    assert any(f"`{name}` is not a regular file" in line for line in lines), result.stdout


def test_device_named_licence_is_not_read(make_repo) -> None:
    repo = make_repo({"README.md": FRONT + BODY})
    try:
        # /dev/zero's numbers: reading it would never end.
        os.mknod(repo / "LICENSE", 0o644 | 0o020000, os.makedev(1, 5))
    except OSError as exc:
        if exc.errno in (errno.EPERM, errno.EACCES):
            pytest.skip("creating a device node needs privileges this run does not have")
        raise
    result = run_bounded(str(repo))
    [line] = finding_lines(result.stdout, "CL902")
    assert "`LICENSE` is not a regular file" in line


def test_link_to_a_file_outside_is_not_followed(make_repo, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("Apache License\nVersion 2.0, January 2004\nSECRET-MARKER\n")
    repo = make_repo({"README.md": FRONT + BODY})
    (repo / "LICENSE").symlink_to(outside)
    result = run_bounded(str(repo), "--show-files", "--format", "text")
    [line] = finding_lines(result.stdout, "CL902")
    assert "`LICENSE` is a link to a place outside the repository" in line
    assert "SECRET-MARKER" not in result.stdout
    examined = [line for line in result.stdout.splitlines() if line.startswith("examined")]
    assert "LICENSE" not in examined[0]


def test_card_that_is_a_link_outside_is_not_followed(make_repo, tmp_path: Path) -> None:
    outside = tmp_path / "card.md"
    outside.write_text(FRONT + BODY)
    repo = make_repo({"LICENSE": "MIT License\n"})
    (repo / "README.md").symlink_to(outside)
    result = run_bounded(str(repo))
    assert any(
        "`README.md` is a link to a place outside" in line for line in result.stdout.split("\n")
    )


def test_link_loops_end(make_repo) -> None:
    repo = make_repo({"README.md": FRONT + BODY})
    (repo / "LICENSE").symlink_to("LICENSE")
    (repo / "COPYING").symlink_to("NOTICE")
    (repo / "NOTICE").symlink_to("COPYING")
    (repo / "docs").mkdir()
    (repo / "docs" / "up").symlink_to("..")  # a folder loop for the walk
    (repo / "deep").mkdir()
    (repo / "deep" / "loop").symlink_to("../deep")
    result = run_bounded(str(repo))
    lines = finding_lines(result.stdout, "CL902")
    for name in ("LICENSE", "COPYING", "NOTICE"):
        assert any(f"`{name}` is a link loop" in line for line in lines), result.stdout


def _without_read_override() -> list[str]:
    """A command prefix under which file permissions apply, even to root."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: root reads a mode-000 file regardless")
    caps = "-dac_override,-dac_read_search"
    probe = subprocess.run(
        [setpriv, f"--bounding-set={caps}", f"--inh-caps={caps}", "--", "true"],
        capture_output=True,
        check=False,
    )
    if probe.returncode != 0:
        pytest.skip(f"setpriv cannot drop the read-override capabilities here: {probe.stderr!r}")
    return [setpriv, f"--bounding-set={caps}", f"--inh-caps={caps}", "--"]


def test_file_without_read_permission(make_repo) -> None:
    repo = make_repo({"README.md": FRONT + BODY, "LICENSE": "MIT License\n"})
    (repo / "LICENSE").chmod(0)
    try:
        result = run_bounded(str(repo), prefix=_without_read_override())
    finally:
        (repo / "LICENSE").chmod(0o644)
    [line] = finding_lines(result.stdout, "CL902")
    assert "`LICENSE` cannot be read (permission denied)" in line


def test_unlistable_folder_is_skipped_not_fatal(make_repo) -> None:
    repo = make_repo({"README.md": FRONT + BODY, "docs/CODE_OF_CONDUCT.md": "Be kind.\n"})
    (repo / "docs").chmod(0)
    try:
        run_bounded(str(repo), prefix=_without_read_override())
    finally:
        (repo / "docs").chmod(0o755)


def test_folder_named_like_a_file(make_repo) -> None:
    repo = make_repo({"README.md/inner.txt": "x", "LICENSE/inner.txt": "y"})
    run_bounded(str(repo))


def test_many_adversarial_files_in_one_repository(tmp_path: Path) -> None:
    """All at once: the lint still ends, with one finding per bad file."""
    repo = write_repo(
        tmp_path / "repo",
        {
            "README.md": billion_laughs("tags"),
            "LICENSE": b"\x00" * 100,
            "CODE_OF_CONDUCT.md": "\ufeffBe kind.\n".encode("utf-16"),
        },
    )
    os.mkfifo(repo / "NOTICE")
    (repo / "COPYING").symlink_to("COPYING")
    result = run_bounded(str(repo))
    assert len(finding_lines(result.stdout, "CL902")) == 4
