"""`--fix` and `--diff`: every byte outside the edit is kept, a second `--fix` changes nothing,
nothing is written without `--fix`, and a file that cannot be written is left intact."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
from conftest import codes, run_cli

from commonslint import fix as fix_mod
from commonslint.config import Config
from commonslint.findings import Fix
from commonslint.fixers import CODE_OF_CONDUCT, COVENANT_URL, licence_name_from, yaml_scalar
from commonslint.governance import code_of_conduct_status
from commonslint.lint import Linter
from commonslint.sources import open_local

# A card with comments, odd key order, quoting, CRLF line endings and no final newline: all of it
# must survive. `Apache-2.0` is the only thing CL108 may change.
CRLF_CARD = (
    "---\r\n"
    "# a comment the author wrote\r\n"
    "language: ['en']   # quoted on purpose\r\n"
    "license: Apache-2.0  # SPDX spelling\r\n"
    "tags:\r\n"
    '  - "b"\r\n'
    "  - a\r\n"
    "---\r\n"
    "\r\n"
    "# Model  \r\n"
    "\r\n"
    "Trailing spaces stay.   "
)


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _only_span_changed(before: bytes, after: bytes, old: bytes, new: bytes) -> None:
    """`after` is `before` with exactly one `old` replaced by `new`, every other byte equal."""
    start = before.index(old)
    assert before.count(old) == 1
    assert after[:start] == before[:start]
    assert after[start : start + len(new)] == new
    assert after[start + len(new) :] == before[start + len(old) :]


def test_cl108_fix_keeps_every_other_byte(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo({"README.md": CRLF_CARD.encode("utf-8")})
    before = (repo / "README.md").read_bytes()
    proc = run_cli("--fix", "--select", "CL108", str(repo))
    assert proc.returncode == 0, proc.stderr
    after = (repo / "README.md").read_bytes()
    _only_span_changed(before, after, b"Apache-2.0", b"apache-2.0")
    assert "fixed 1 problem" in proc.stderr
    assert "CL108" not in codes(proc.stdout)


def test_cl108_fix_keeps_quotes_and_a_byte_order_mark_outside_the_card(make_repo) -> None:  # type: ignore[no-untyped-def]
    card = '---\nlicense: "MIT"\n---\nünïcödé ✓\n'
    repo = make_repo({"README.md": card})
    before = (repo / "README.md").read_bytes()
    assert run_cli("--fix", "--select", "CL108", str(repo)).returncode == 0
    _only_span_changed(before, (repo / "README.md").read_bytes(), b'"MIT"', b'"mit"')
    # A BOM in another fixed file is a character like any other: kept.
    fixed_text, used, left = fix_mod.apply_edits(
        "\ufeffab\r\ncd", [Fix("x", 3, 5, "\n", "t"), Fix("x", 1, 2, "A", "t")]
    )
    assert fixed_text == "\ufeffAb\ncd" and len(used) == 2 and left == []


def test_second_fix_changes_nothing(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo(
        {
            "README.md": "---\nlicense: other\nlicense: MIT\n---\n# M\n\n## Citation\n\nx\n",
            "LICENSE": "Example Model Licence 1.0\n\nTerms...\n",
        }
    )
    first = run_cli("--fix", str(repo))
    assert first.returncode in (0, 1), first.stderr
    snapshot = _files(repo)
    second = run_cli("--fix", str(repo))
    assert _files(repo) == snapshot
    assert "nothing to fix" in second.stderr
    assert run_cli("--diff", str(repo)).returncode == 0


def test_no_write_without_fix_and_diff_writes_nothing(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo({"README.md": CRLF_CARD})
    snapshot = _files(repo)
    plain = run_cli(str(repo))
    assert "CL108" in codes(plain.stdout)
    diff = run_cli("--diff", str(repo))
    assert diff.returncode == 1
    assert _files(repo) == snapshot
    assert "-license: Apache-2.0  # SPDX spelling\n" in diff.stdout
    assert "+license: apache-2.0  # SPDX spelling\n" in diff.stdout
    assert "--- /dev/null" in diff.stdout and "CODE_OF_CONDUCT.md" in diff.stdout
    assert "\\ No newline at end of file" in diff.stdout
    assert "would fix" in diff.stderr
    # The diff keeps the file's CRLF (the subprocess helper reads text, which folds it).
    raw = run_cli("--diff", "--select", "CL108", "-o", str(repo.parent / "d.diff"), str(repo))
    assert raw.returncode == 1
    assert b"+license: apache-2.0  # SPDX spelling\r\n" in (repo.parent / "d.diff").read_bytes()


def test_read_only_file_gives_a_clear_error_and_stays_intact(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo({"README.md": CRLF_CARD})
    card = repo / "README.md"
    before = card.read_bytes()
    card.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    try:
        proc = run_cli("--fix", "--select", "CL108", str(repo))
        assert proc.returncode == 2
        assert "README.md: is read-only; not changed" in proc.stderr
        assert "Traceback" not in proc.stderr
        assert card.read_bytes() == before
        assert stat.S_IMODE(card.stat().st_mode) == 0o444
        # What remains is still reported.
        assert "CL108" in codes(proc.stdout)
        assert not [p for p in repo.iterdir() if p.name.endswith(".tmp")]
    finally:
        card.chmod(0o644)


def test_a_file_changed_meanwhile_is_not_overwritten(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo({"README.md": CRLF_CARD})
    linter = Linter(Config(select=["CL108"]))
    result = linter.lint(open_local(str(repo)), str(repo))
    plan = fix_mod.plan(linter, result.repo, str(repo), result)
    (repo / "README.md").write_text("someone else's edit\n", encoding="utf-8")
    errors = fix_mod.write(plan)
    assert errors and "changed while commonslint was running" in errors[0]
    assert (repo / "README.md").read_text(encoding="utf-8") == "someone else's edit\n"


def test_overlapping_fixes_are_taken_one_at_a_time() -> None:
    text = "abcdef"
    new, used, left = fix_mod.apply_edits(
        text, [Fix("x", 1, 4, "X", "a"), Fix("x", 2, 3, "Y", "b"), Fix("x", 9, 9, "Z", "c")]
    )
    assert new == "aXef"
    assert [f.fixer for f in used] == ["a"]
    assert sorted(why for _, why in left) == [
        "it overlaps another fix",
        "its position (9-9) is outside the file",
    ]


@pytest.mark.parametrize(
    "path", ["../outside.md", "/etc/passwd", "a/../../b", "model.safetensors", "x\\y"]
)
def test_a_fix_never_writes_outside_the_repository(tmp_path: Path, path: str) -> None:
    assert fix_mod.safe_path(tmp_path, path) is not None
    assert fix_mod.safe_path(tmp_path, "docs/CODE_OF_CONDUCT.md") is None


def test_a_link_out_of_the_repository_is_not_followed(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    (tmp_path / "outside.md").write_text("x")
    os.symlink(tmp_path / "outside.md", tmp_path / "repo" / "NOTES.md")
    assert (
        fix_mod.safe_path(tmp_path / "repo", "NOTES.md") == "its path leads outside the repository"
    )


def test_code_of_conduct_is_created_and_satisfies_cl401_and_cl402(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo({"README.md": "---\nlicense: mit\n---\n# M\n"})
    proc = run_cli("--fix", "--select", "CL401,CL402", str(repo))
    assert proc.returncode == 0, proc.stderr
    written = (repo / "CODE_OF_CONDUCT.md").read_text(encoding="utf-8")
    assert written == CODE_OF_CONDUCT
    assert COVENANT_URL in written and "Reporting problems" in written
    assert code_of_conduct_status("CODE_OF_CONDUCT.md", written).status == "ok"
    assert stat.S_IMODE((repo / "CODE_OF_CONDUCT.md").stat().st_mode) & 0o044  # not 0600
    assert codes(proc.stdout) == []
    # Our own short text, adopting the Covenant by reference, not a copy of it.
    assert "Our Pledge" not in written and len(written) < 2000


def test_licence_other_gets_a_link_and_a_name_from_the_file(make_repo) -> None:  # type: ignore[no-untyped-def]
    card = "---\nlicense: other   # custom\nlanguage: en\n---\n# M\n"
    repo = make_repo(
        {"README.md": card, "LICENSE.md": "# Coqui Public Model License 1.0.0\n\nText.\n"}
    )
    proc = run_cli("--fix", "--select", "CL103,CL104", str(repo))
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert (repo / "README.md").read_text(encoding="utf-8") == (
        "---\nlicense: other   # custom\n"
        "license_name: coqui-public-model-license-1.0.0\nlicense_link: LICENSE.md\n"
        "language: en\n---\n# M\n"
    )


def test_licence_other_without_a_title_gets_only_the_link(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo(
        {
            "README.md": "---\nlicense: other\nlicense_name: my-terms\n---\n# M\n",
            "LICENSE": "Copyright 2024 Someone\n\nYou may use this model...\n",
        }
    )
    linter = Linter(Config(select=["CL103"]))
    result = linter.lint(open_local(str(repo)), str(repo))
    (finding,) = result.findings
    assert finding.fix is not None
    assert finding.fix.text == "license_link: LICENSE\n"
    assert "the only licence file" in finding.fix.description
    # No title line: nothing is guessed for a name.
    assert licence_name_from("Copyright 2024 Someone\n") is None
    assert licence_name_from("\n\n== ACME Terms of Use ==\n") == (
        "acme-terms-of-use",
        "ACME Terms of Use",
    )


def test_licence_other_is_not_fixed_when_the_file_is_ambiguous(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo(
        {
            "README.md": "---\nlicense: other\n---\n# M\n",
            "LICENSE": "Model Licence\n",
            "LICENSE-code": "Code Licence\n",
        }
    )
    linter = Linter(Config(select=["CL103"]))
    (finding,) = linter.lint(open_local(str(repo)), str(repo)).findings
    assert finding.fix is None


def test_environmental_impact_scaffold_does_not_silence_cl501(make_repo) -> None:  # type: ignore[no-untyped-def]
    card = "\r\n".join(
        [
            "---",
            "license: mit",
            "---",
            "# M",
            "",
            "## Uses",
            "",
            "Text.",
            "",
            "## Citation",
            "",
            "x",
            "",
        ]
    )
    repo = make_repo({"README.md": card.encode("utf-8")})
    proc = run_cli("--fix", "--select", "CL501", str(repo))
    after = (repo / "README.md").read_bytes().decode("utf-8")
    head, _, tail = card.partition("## Citation")
    assert after.startswith(head + "## Environmental Impact\r\n")
    assert after.endswith("## Citation" + tail)
    assert "\n" not in after.replace("\r\n", "")  # the file's own line endings
    added = after[len(head) : len(after) - len("## Citation" + tail)]
    assert "[More Information Needed]" in added
    # No number is invented: the only digits are in "CO2" and the rule's code.
    assert not re.search(r"\d", re.sub(r"co2|CL501", "", added, flags=re.IGNORECASE))
    # No number was written, so the finding stays, and a second --fix adds nothing.
    assert codes(proc.stdout) == ["CL501"]
    again = run_cli("--fix", "--select", "CL501", str(repo))
    assert (repo / "README.md").read_bytes().decode("utf-8") == after
    assert codes(again.stdout) == ["CL501"]


def test_suppressed_findings_are_not_fixed(make_repo) -> None:  # type: ignore[no-untyped-def]
    card = "---\nlicense: MIT  # commonslint: ignore CL108\n---\n# M\n"
    repo = make_repo({"README.md": card})
    run_cli("--fix", "--select", "CL108", str(repo))
    assert (repo / "README.md").read_text(encoding="utf-8") == card


def test_yaml_scalar_quotes_only_when_needed() -> None:
    assert yaml_scalar("LICENSE") == "LICENSE"
    assert yaml_scalar("no") == '"no"'
    assert yaml_scalar("a: b") == '"a: b"'
    assert yaml_scalar("x #y") == '"x #y"'
