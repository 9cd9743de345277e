"""The pre-commit hooks: `.pre-commit-hooks.yaml` is a valid manifest whose file filter matches
what it says, and (one slow test) the real `pre-commit try-repo` installs this repository as a
hook that fails on a bad card and passes once it is fixed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, write_repo

MANIFEST = ROOT / ".pre-commit-hooks.yaml"
BAD_CARD = "---\nlicense: Apache-2.0\ndatasets: [null]\n---\n# Model\n"
GOOD_CARD = "---\nlicense: apache-2.0\ndatasets: [imdb]\n---\n# Model\n"


def _hooks() -> dict[str, dict[str, object]]:
    return {hook["id"]: hook for hook in yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))}


def test_manifest_is_valid_for_pre_commit() -> None:
    clientlib = pytest.importorskip("pre_commit.clientlib", reason="pre-commit is not installed")
    loaded = clientlib.load_manifest(str(MANIFEST))
    assert {hook["id"] for hook in loaded} == {"commonslint", "commonslint-changed"}
    for hook in _hooks().values():
        assert hook["language"] == "python"
        assert hook["entry"] == "commonslint"
        assert hook["pass_filenames"] is False


@pytest.mark.parametrize(
    ("path", "matches"),
    [
        ("README.md", True),
        ("readme.md", True),
        ("LICENSE", True),
        ("LICENCE.txt", True),
        ("LICENSE-MODEL.md", True),
        ("COPYING", True),
        ("NOTICE", True),
        ("USE_POLICY.md", True),
        ("CODE_OF_CONDUCT.md", True),
        ("code-of-conduct.md", True),
        (".github/CODE_OF_CONDUCT.md", True),
        ("docs/CONTRIBUTING.md", True),
        ("commonslint.toml", True),
        ("pyproject.toml", True),
        ("models/m/README.md", True),
        ("config.json", False),
        ("model.safetensors", False),
        ("README.md.bak", False),
        ("docs/guide.md", False),
        ("LICENSES/x/notes.py", False),
    ],
)
def test_changed_hook_runs_only_for_the_files_it_names(path: str, matches: bool) -> None:
    pattern = re.compile(str(_hooks()["commonslint-changed"]["files"]))
    assert bool(pattern.search(path)) is matches


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)


@pytest.mark.slow
def test_try_repo_fails_on_a_bad_card_then_passes(tmp_path: Path) -> None:
    """Slow (it pip-installs this repository into a fresh environment, from the package index).

    pre-commit installs the hook from a git repository's committed HEAD, so this uses a clone of
    this checkout's HEAD: commit before running it.
    """
    pytest.importorskip("pre_commit", reason="pre-commit is not installed")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    env = dict(
        os.environ,
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        GIT_AUTHOR_NAME="test",
        GIT_AUTHOR_EMAIL="test@example.org",
        GIT_COMMITTER_NAME="test",
        GIT_COMMITTER_EMAIL="test@example.org",
    )
    env.pop("GITHUB_ACTIONS", None)
    hook_repo = tmp_path / "hook-repo"
    subprocess.run(
        ["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(hook_repo)],
        check=True,
        capture_output=True,
        env=env,
    )
    if not (hook_repo / "README.md").exists():
        # pyproject.toml names README.md as the package's readme, so the package cannot be built
        # without it; until the project has its README, the clone gets a stand-in.
        (hook_repo / "README.md").write_text("# commonslint\n", encoding="utf-8")
        _git("add", "README.md", cwd=hook_repo)
        _git("-c", "commit.gpgsign=false", "commit", "-qm", "stand-in README", cwd=hook_repo)

    model = write_repo(tmp_path / "model", {"README.md": BAD_CARD, "notes.txt": "hello\n"})
    _git("init", "-q", cwd=model)
    _git("add", ".", cwd=model)

    def try_repo(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["pre-commit", "try-repo", str(hook_repo), *args],
            cwd=model,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )

    failed = try_repo("commonslint", "--all-files")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "README.md:3:" in failed.stdout and "CL005" in failed.stdout
    assert "CL108" in failed.stdout

    # The file-filtered hook skips a commit that touches none of its files...
    skipped = try_repo("commonslint-changed", "--files", "notes.txt")
    assert skipped.returncode == 0, skipped.stdout + skipped.stderr
    assert "Skipped" in skipped.stdout
    # ...and lints when the card changes.
    assert try_repo("commonslint-changed", "--files", "README.md").returncode == 1

    (model / "README.md").write_text(GOOD_CARD, encoding="utf-8")
    _git("add", ".", cwd=model)
    passed = try_repo("commonslint", "--all-files")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout
