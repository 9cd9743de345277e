"""`commonslint init`: a starting configuration that loads, never an overwrite, and the snippets."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml
from conftest import run_cli

from commonslint import __version__
from commonslint.config import find_config, load_config


def test_init_writes_commonslint_toml_and_prints_snippets(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo({"README.md": "---\nlicense: mit\n---\n"})
    proc = run_cli("init", str(repo))
    assert proc.returncode == 0, proc.stderr
    written = repo / "commonslint.toml"
    config = load_config(written)
    assert config.select == ["ALL"] and config.fail_on.label == "error"
    assert find_config(repo) == written
    # The printed snippets are valid YAML of the right shape, pinned to this version.
    out = proc.stdout
    pre_commit = out[out.index("# .pre-commit-config.yaml") : out.index("\nRun it in GitHub")]
    hooks = yaml.safe_load(pre_commit)["repos"][0]
    assert hooks["rev"] == f"v{__version__}" and hooks["hooks"][0]["id"] == "commonslint"
    workflow = yaml.safe_load(out[out.index("# .github/workflows") :])
    step = workflow["jobs"]["commonslint"]["steps"][1]
    assert step["uses"].endswith(f"@v{__version__}")


def test_init_appends_to_pyproject_keeping_its_bytes(make_repo) -> None:  # type: ignore[no-untyped-def]
    original = b'[project]\r\nname = "my-model"  # keep me\r\n'
    repo = make_repo({"pyproject.toml": original})
    assert run_cli("init", str(repo)).returncode == 0
    data = (repo / "pyproject.toml").read_bytes()
    assert data.startswith(original)
    assert b"\n[tool.commonslint]" in data and b"\r\n" in data[len(original) :]
    assert not (repo / "commonslint.toml").exists()
    assert tomllib.loads(data.decode())["project"]["name"] == "my-model"
    assert load_config(repo / "pyproject.toml").fail_on.label == "error"
    # A second init leaves the configuration alone.
    again = run_cli("init", str(repo))
    assert again.returncode == 0 and "left as it is" in again.stdout
    assert (repo / "pyproject.toml").read_bytes() == data


def test_init_toml_option_and_no_overwrite(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo(
        {"pyproject.toml": "[project]\nname = 'x'\n", "commonslint.toml": "ignore = []\n"}
    )
    proc = run_cli("init", "--toml", str(repo))
    assert proc.returncode == 0
    assert (repo / "commonslint.toml").read_text() == "ignore = []\n"
    assert "[tool.commonslint]" not in (repo / "pyproject.toml").read_text()


def test_init_on_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    proc = run_cli("init", str(tmp_path / "nope"))
    assert proc.returncode == 2 and "not a folder" in proc.stderr
