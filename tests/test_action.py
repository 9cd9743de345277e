"""The composite GitHub Action: `action.yml` validates against the Actions schema, takes its inputs
only through `env:`, and its shell steps, run with the environment GitHub gives them, write the
annotations, the job summary and the SARIF file.

The `uses:` steps (setup-python, upload-sarif) are GitHub's and are not run here; setup-python's
output is a stub interpreter that records what the install step asks of it, so the install step
runs without a network.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT, write_repo

ACTION = ROOT / "action.yml"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
BAD_CARD = "---\nlicense: Apache-2.0\ndatasets: [null]\n---\n# Model\n"

# The interpreter setup-python would hand over. `-m venv DIR` makes a venv whose python records
# pip's arguments and whose `commonslint` runs this checkout (as pip would have installed it).
STUB_PYTHON = """#!/bin/sh
echo "python $*" >> "$STUB_LOG"
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
  mkdir -p "$3/bin"
  printf '#!/bin/sh\\necho "venv-python $*" >> "$STUB_LOG"\\n' > "$3/bin/python"
  printf '#!/bin/sh\\nPYTHONPATH="$STUB_ROOT" exec "$STUB_REAL_PYTHON" -m commonslint "$@"\\n' \\
    > "$3/bin/commonslint"
  chmod +x "$3/bin/python" "$3/bin/commonslint"
fi
"""


def _action() -> dict[str, Any]:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


def test_action_validates_against_the_github_actions_schema() -> None:
    exe = shutil.which("check-jsonschema")
    command = [exe] if exe else [sys.executable, "-m", "check_jsonschema"]
    proc = subprocess.run(
        [*command, "--builtin-schema", "vendor.github-actions", str(ACTION)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    workflow = ROOT / "examples" / "github-workflow.yml"
    proc = subprocess.run(
        [*command, "--builtin-schema", "vendor.github-workflows", str(workflow)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_inputs_reach_scripts_only_through_env() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    for step in steps:
        if "run" in step:
            assert "${{" not in step["run"], step.get("name")
            assert step["shell"] == "bash"
    uses = [s["uses"] for s in steps if "uses" in s]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/"))
    assert "always()" in upload["if"]


class Runner:
    """Runs the action's shell steps in order, as the runner would, resolving `${{ }}` in `env:`."""

    def __init__(self, tmp: Path, workspace: Path, inputs: dict[str, str]) -> None:
        tmp.mkdir(parents=True, exist_ok=True)
        self.tmp = tmp
        self.workspace = workspace
        action = _action()
        self.inputs = {k: str(v.get("default", "")) for k, v in action["inputs"].items()}
        self.inputs.update(inputs)
        self.steps = action["runs"]["steps"]
        self.outputs: dict[str, dict[str, str]] = {}
        self.summary = tmp / "step_summary.md"
        self.summary.write_text("")
        runner_temp = tmp / "runner_temp"
        runner_temp.mkdir()
        stub = tmp / "stub-python"
        stub.write_text(STUB_PYTHON)
        stub.chmod(0o755)
        self.log = tmp / "stub.log"
        self.context = {
            "github.action_path": str(ROOT),
            "runner.temp": str(runner_temp),
        }
        self.outputs["python"] = {"python-path": str(stub)}
        self.base_env = {
            "PATH": os.environ["PATH"],
            "HOME": str(tmp),
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "RUNNER_TEMP": str(runner_temp),
            "COMMONSLINT_CACHE_DIR": os.environ["COMMONSLINT_CACHE_DIR"],
            "STUB_LOG": str(self.log),
            "STUB_ROOT": str(ROOT),
            "STUB_REAL_PYTHON": sys.executable,
        }

    def resolve(self, value: str) -> str:
        def one(match: re.Match[str]) -> str:
            expr = match.group(1)
            if expr.startswith("inputs."):
                return self.inputs[expr.removeprefix("inputs.")]
            step = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr)
            if step:
                return self.outputs.get(step.group(1), {}).get(step.group(2), "")
            return self.context[expr]

        return EXPRESSION.sub(one, value)

    def run(self) -> dict[str, subprocess.CompletedProcess[str]]:
        done = {}
        for step in self.steps:
            if "run" not in step:
                continue
            output = self.tmp / f"output-{step['id']}"
            output.write_text("")
            env = dict(self.base_env, GITHUB_OUTPUT=str(output))
            env.update({k: self.resolve(str(v)) for k, v in step.get("env", {}).items()})
            script = self.tmp / f"{step['id']}.sh"
            script.write_text(step["run"])
            # `shell: bash` is run as `bash --noprofile --norc -eo pipefail {0}`.
            proc = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                cwd=self.workspace,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            done[step["id"]] = proc
            self.outputs[step["id"]] = dict(
                line.split("=", 1) for line in output.read_text().splitlines() if "=" in line
            )
            if proc.returncode != 0:
                break
        return done


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "workspace"
    write_repo(ws / "model", {"README.md": BAD_CARD})
    return ws


def test_shell_steps_write_annotations_summary_and_sarif(tmp_path: Path, workspace: Path) -> None:
    runner = Runner(tmp_path, workspace, {"path": "model"})
    done = runner.run()
    assert done["install"].returncode == 0, done["install"].stderr
    log = runner.log.read_text()
    assert "python -m venv" in log
    assert f"venv-python -m pip install --disable-pip-version-check --quiet {ROOT}" in log
    lint = done["lint"]
    assert lint.returncode == 1, lint.stderr
    assert runner.outputs["lint"]["exit-code"] == "1"
    assert runner.outputs["lint"]["sarif-written"] == "true"  # so the upload step runs
    assert "::error file=model/README.md,line=3" in lint.stdout
    summary = runner.summary.read_text()
    assert summary.startswith("## commonslint") and "CL108" in summary
    sarif = json.loads((workspace / "commonslint.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif["runs"][0]["results"]
    }
    assert uris == {"model/README.md"}


def test_clean_repository_passes_and_fail_on_is_passed(tmp_path: Path, workspace: Path) -> None:
    (workspace / "model" / "README.md").write_text("---\nlicense: Apache-2.0\n---\n# M\n")
    runner = Runner(tmp_path, workspace, {"path": "model", "sarif-file": "out/cl.sarif"})
    (workspace / "out").mkdir()
    done = runner.run()
    assert done["lint"].returncode == 0, done["lint"].stderr
    assert (workspace / "out" / "cl.sarif").is_file()
    strict = Runner(tmp_path / "again", workspace, {"path": "model", "fail-on": "warning"})
    assert strict.run()["lint"].returncode == 1


def test_an_input_cannot_inject_shell(tmp_path: Path, workspace: Path) -> None:
    evil = 'model"; touch pwned; echo "'
    runner = Runner(tmp_path, workspace, {"path": evil, "fail-on": "$(touch pwned2)"})
    done = runner.run()
    assert done["lint"].returncode == 2
    assert "no such file" in done["lint"].stderr or "invalid choice" in done["lint"].stderr
    assert not (workspace / "pwned").exists() and not (workspace / "pwned2").exists()
    assert runner.outputs["lint"]["exit-code"] == "2"
    assert "sarif-written" not in runner.outputs["lint"]  # nothing to upload
