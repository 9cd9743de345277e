"""The command line as a user runs it: exit codes, formats, configuration, rule packs, bad input."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import ROOT, codes, run_cli, write_repo
from tests.test_rules import GOOD_CARD, repo

BAD = ROOT / "examples" / "bad-model"
GOOD = ROOT / "examples" / "good-model"


def test_examples_exit_codes() -> None:
    good = run_cli(str(GOOD))
    assert good.returncode == 0, good.stdout + good.stderr
    assert "All checks passed" in good.stdout
    bad = run_cli(str(BAD))
    assert bad.returncode == 1
    assert "CL502" in codes(bad.stdout)
    assert bad.stdout.splitlines()[-1].startswith("Found ")


def test_output_is_sorted_and_deterministic() -> None:
    first = run_cli(str(BAD)).stdout
    assert first == run_cli(str(BAD)).stdout
    lines = [line for line in first.splitlines()[:-1]]
    keys = []
    for line in lines:
        path, row, col, rest = line.split(":", 3)
        keys.append((path, int(row), int(col), rest.split()[0]))
    assert keys == sorted(keys)


def test_paths_are_shown_relative_to_the_working_folder() -> None:
    out = run_cli("bad-model", cwd=ROOT / "examples").stdout
    assert out.splitlines()[0].startswith("bad-model/")
    out = run_cli(".", cwd=BAD).stdout
    assert out.splitlines()[0].startswith(("README.md:", "CODE_OF_CONDUCT.md:"))


def test_fail_on_warning_and_info() -> None:
    assert run_cli(str(BAD), "--select", "CL6").returncode == 0  # warnings only
    assert run_cli(str(BAD), "--select", "CL6", "--fail-on", "warning").returncode == 1
    assert run_cli(str(BAD), "--select", "CL403").returncode == 0
    assert run_cli(str(BAD), "--select", "CL403", "--fail-on", "info").returncode == 1


def test_missing_target_is_an_error_not_clean(tmp_path: Path) -> None:
    result = run_cli(str(tmp_path / "nope"))
    assert result.returncode == 2
    assert "no such file or folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_usage_error_exits_2() -> None:
    result = run_cli("--format", "nonsense")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_json_format_schema() -> None:
    result = run_cli(str(BAD), "--format", "json")
    assert result.returncode == 1
    doc = json.loads(result.stdout)
    assert doc["schema_version"] == 1
    assert doc["tool"]["name"] == "commonslint"
    assert doc["summary"]["total"] == len(doc["findings"]) > 0
    first = doc["findings"][0]
    for key in (
        "code",
        "name",
        "severity",
        "message",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "documentation",
    ):
        assert key in first
    assert first["documentation"].startswith("docs/rules.md#cl")
    assert any(f["code"] == "CL108" and f["fix"] for f in doc["findings"])
    assert "README.md" in " ".join(doc["targets"][0]["examined"])


def test_card_path_as_target(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "r", {"MODEL_CARD.md": "---\nlicense: MIT\n---\n# x\n"})
    result = run_cli(str(root / "MODEL_CARD.md"), "--select", "CL108")
    assert result.returncode == 0
    assert "MODEL_CARD.md:2:10: CL108" in result.stdout


def test_python_dash_m_and_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("commonslint ")


def test_rules_and_rule_commands() -> None:
    listing = run_cli("rules")
    assert listing.returncode == 0
    assert "CL201" in listing.stdout or "CL101" in listing.stdout
    assert len(listing.stdout.splitlines()) >= 30
    doc = run_cli("rule", "CL105")
    assert doc.returncode == 0
    assert "Apache-2.0 §4(a)" in doc.stdout and "Example that fails" in doc.stdout
    by_name = run_cli("rule", "licence-text-missing")
    assert by_name.stdout == doc.stdout
    missing = run_cli("rule", "CL999")
    assert missing.returncode == 2 and "no rule" in missing.stderr


def test_generated_rule_reference_is_current() -> None:
    result = run_cli("rules", "--format", "markdown")
    reference = ROOT / "docs" / "rules.md"
    assert reference.read_text(encoding="utf-8") == result.stdout, (
        "docs/rules.md is stale: run `commonslint rules --format markdown > docs/rules.md`"
    )


# ------------------------------------------------------------------ configuration


def test_pyproject_config_select_ignore_severity(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "r", repo(GOOD_CARD.replace("license: mit", "license: MIT")))
    (root / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.commonslint]\nignore = ["CL4"]\n'
        'severity = { CL108 = "error" }\n',
        encoding="utf-8",
    )
    result = run_cli(".", cwd=root)
    assert "CL108 [error]" in result.stdout
    assert result.returncode == 1
    assert not [c for c in codes(result.stdout) if c.startswith("CL4")]
    # the command line overrides the file
    assert run_cli(".", "--ignore", "CL108", cwd=root).returncode == 0


def test_nearest_config_wins_and_commonslint_toml_beats_pyproject(tmp_path: Path) -> None:
    outer = tmp_path / "outer"
    root = write_repo(outer / "r", repo(GOOD_CARD.replace("license: mit", "license: MIT")))
    (outer / "commonslint.toml").write_text('ignore = ["CL108"]\n', encoding="utf-8")
    assert "CL108" not in codes(run_cli(".", cwd=root).stdout)
    (root / "pyproject.toml").write_text('[tool.commonslint]\nselect = ["CL1"]\n', encoding="utf-8")
    assert "CL108" in codes(run_cli(".", cwd=root).stdout)  # nearer file, no ignore there
    (root / "commonslint.toml").write_text('select = ["CL5"]\n', encoding="utf-8")
    assert "CL108" not in codes(run_cli(".", cwd=root).stdout)
    assert "CL108" in codes(run_cli(".", "--isolated", cwd=root).stdout)


def test_per_file_ignores_and_fail_on(tmp_path: Path) -> None:
    files = repo(GOOD_CARD)
    files["CODE_OF_CONDUCT.md"] = "Report to [INSERT CONTACT METHOD].\n"
    root = write_repo(tmp_path / "r", files)
    assert "CL402" in codes(run_cli(".", cwd=root).stdout)
    (root / "commonslint.toml").write_text(
        '[per-file-ignores]\n"CODE_OF_CONDUCT.md" = ["CL402"]\n', encoding="utf-8"
    )
    assert "CL402" not in codes(run_cli(".", cwd=root).stdout)
    (root / "commonslint.toml").write_text('fail-on = "warning"\n', encoding="utf-8")
    assert run_cli(".", cwd=root).returncode == 1


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("select = 3\n", "`select` must be a list"),
        ("bogus = true\n", "unknown setting(s): bogus"),
        ('fail-on = "fatal"\n', "unknown severity"),
        ("select = [\n", "not valid TOML"),
    ],
)
def test_bad_config_is_exit_2(tmp_path: Path, content: str, words: str) -> None:
    root = write_repo(tmp_path / "r", repo(GOOD_CARD))
    (root / "commonslint.toml").write_text(content, encoding="utf-8")
    result = run_cli(".", cwd=root)
    assert result.returncode == 2
    assert words in result.stderr and "commonslint.toml" in result.stderr
    assert "Traceback" not in result.stderr


# ------------------------------------------------------------------ rule packs

ORG_PACK = """
rules:
  - id: ORG001
    name: emissions-required
    severity: error
    summary: Our organisation requires emissions data.
    when: "not emissions.present"
    at: "card.at"
    message: "policy: report `co2_eq_emissions` ({{ card.path }})"
"""


def test_user_pack_adds_a_rule(tmp_path: Path) -> None:
    card = GOOD_CARD.split("co2_eq_emissions")[0] + "---\n# T\n"
    root = write_repo(tmp_path / "r", repo(card))
    (root / "policy.yaml").write_text(ORG_PACK, encoding="utf-8")
    (root / "commonslint.toml").write_text('rule-packs = ["policy.yaml"]\n', encoding="utf-8")
    result = run_cli(".", cwd=root)
    assert "ORG001 [error] policy: report `co2_eq_emissions` (README.md)" in result.stdout
    assert result.returncode == 1


@pytest.mark.parametrize(
    ("pack", "words"),
    [
        (ORG_PACK.replace("severity: error", "severity: fatal"), "rule 'ORG001': unknown severity"),
        (ORG_PACK.replace('    when: "not emissions.present"\n', ""), "`when` is required"),
        (ORG_PACK.replace("not emissions.present", "not ("), "`when` is not a valid Jinja2"),
        (
            ORG_PACK.replace("id: ORG001", "id: CL101"),
            "already defined in rule pack rules/licence.yaml",
        ),
        (ORG_PACK.replace("not emissions.present", "nosuchfact.x"), "`when` failed"),
        ("rules: [\n", "not valid YAML"),
        ("- just a list\n", "expected a mapping with a `rules:` list"),
    ],
)
def test_broken_pack_names_pack_rule_and_problem(tmp_path: Path, pack: str, words: str) -> None:
    root = write_repo(tmp_path / "r", repo(GOOD_CARD))
    (root / "policy.yaml").write_text(pack, encoding="utf-8")
    (root / "commonslint.toml").write_text('rule-packs = ["policy.yaml"]\n', encoding="utf-8")
    result = run_cli(".", cwd=root)
    assert result.returncode == 2, result.stdout
    assert "policy.yaml" in result.stderr and words in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_a_pack_cannot_run_code(tmp_path: Path) -> None:
    escape = ORG_PACK.replace(
        "not emissions.present",
        "card.__class__.__mro__[1].__subclasses__()",
    )
    root = write_repo(tmp_path / "r", repo(GOOD_CARD))
    (root / "policy.yaml").write_text(escape, encoding="utf-8")
    (root / "commonslint.toml").write_text('rule-packs = ["policy.yaml"]\n', encoding="utf-8")
    result = run_cli(".", cwd=root)
    assert result.returncode == 2
    assert "ORG001" in result.stderr


# ------------------------------------------------------------------ suppressions


def test_inline_suppressions(tmp_path: Path) -> None:
    card = GOOD_CARD.replace("license: mit", "license: MIT  # commonslint: ignore CL108")
    card = card.replace(
        "## Bias, Risks, and Limitations\n\nTrained on film reviews only; poor on other text.\n",
        "<!-- commonslint: ignore CL602 -->\n",
    )
    root = write_repo(tmp_path / "r", repo(card))
    result = run_cli(".", cwd=root)
    found = codes(result.stdout)
    assert "CL108" not in found and "CL602" not in found
    assert "CL901" not in found
    assert result.returncode == 0


def test_trailing_suppression_is_line_scoped(tmp_path: Path) -> None:
    card = GOOD_CARD.replace("language: [en]", "language: [en]  # commonslint: ignore CL108")
    card = card.replace("license: mit", "license: MIT")
    root = write_repo(tmp_path / "r", repo(card))
    found = codes(run_cli(".", cwd=root).stdout)
    assert "CL108" in found  # on another line: not silenced
    assert "CL901" in found  # and the suppression matched nothing


# ------------------------------------------------------------------ bad input


def _lint_card(tmp_path: Path, content: str | bytes) -> tuple[int, str, str]:
    root = write_repo(tmp_path / "r", repo(content))
    result = run_cli(".", cwd=root)
    assert "Traceback" not in result.stderr
    return result.returncode, result.stdout, result.stderr


def test_invalid_yaml_points_at_parser_position(tmp_path: Path) -> None:
    status, out, _ = _lint_card(tmp_path, "---\nlicense: mit\nlanguage: [en\n---\n")
    assert status == 1
    line = next(ln for ln in out.splitlines() if "CL003" in ln)
    assert line.startswith("README.md:3:14:")  # the end of the block, where the list is open


def test_non_utf8_and_utf16_readmes(tmp_path: Path) -> None:
    status, out, _ = _lint_card(tmp_path, b"---\nlicense: mit\n---\n\xe9t\xe9\n")
    assert status == 1 and "CL902" in codes(out) and "not valid UTF-8" in out
    status, out, _ = _lint_card(tmp_path / "b", "---\nlicense: mit\n---\n".encode("utf-16"))
    assert "CL902" in codes(out) and "UTF-16" in out


def test_empty_readme(tmp_path: Path) -> None:
    status, out, _ = _lint_card(tmp_path, "")
    assert status == 1 and "CL002" in codes(out)


def test_readme_that_is_a_folder(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "r", {"README.md/inner.txt": "x", "CODE_OF_CONDUCT.md": "x"})
    result = run_cli(".", cwd=root)
    assert result.returncode == 1
    assert "CL001" in codes(result.stdout)
    assert "Traceback" not in result.stderr


def test_huge_readme_is_capped(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "r", repo(GOOD_CARD))
    with open(root / "README.md", "a", encoding="utf-8") as handle:
        handle.write("x" * (50 * 1024 * 1024))
    result = run_cli(".", cwd=root)
    assert result.returncode == 1
    assert "CL902" in codes(result.stdout) and "too large" in result.stdout


def test_link_outside_the_repository_is_not_followed(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("Licensed under the Apache License, Version 2.0.\n", encoding="utf-8")
    root = write_repo(tmp_path / "r", {k: v for k, v in repo(GOOD_CARD).items() if k != "LICENSE"})
    os.symlink(secret, root / "LICENSE")
    result = run_cli(".", "--show-files", cwd=root)
    assert "Traceback" not in result.stderr
    assert "LICENSE" not in result.stdout.split("examined", 1)[-1].split("\n", 1)[0]
    assert "CL105" in codes(result.stdout)  # the outside file does not count as a licence file


def test_weight_files_are_never_opened(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "r", repo(GOOD_CARD))
    weights = root / "model.safetensors"
    weights.write_bytes(b"\0" * 1024)
    os.chmod(weights, 0)  # opening it would fail loudly (unless root: checked via --show-files)
    result = run_cli(".", "--show-files", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "safetensors" not in result.stdout


def test_readme_lists_every_rule_and_ci_runs_its_test_command() -> None:
    from commonslint.rulepacks import load_rules

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = run_cli("rules", "--format", "readme-table").stdout
    assert table in readme, "README's rule table is stale: see the comment above it"
    missing = [r.code for r in load_rules() if f"[{r.code}](docs/rules.md#" not in readme]
    assert not missing, f"README's rule table lacks {missing}"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m pytest -q" in readme and "python -m pytest -q" in ci


_INTERRUPT_WHILE_LOADING = """
import sys

class Interrupt:  # Ctrl-C arrives while the interface's modules load
    def find_spec(self, name, path=None, target=None):
        if name == "commonslint.cli":
            raise KeyboardInterrupt
        return None

sys.meta_path.insert(0, Interrupt())
from commonslint.__main__ import run
sys.exit(run())
"""


def test_ctrl_c_while_the_interface_loads_ends_quietly() -> None:
    import subprocess
    import sys

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", _INTERRUPT_WHILE_LOADING], env=env, capture_output=True, text=True
    )
    assert done.returncode == 130
    assert done.stderr == "commonslint: interrupted\n"


def test_the_console_script_is_the_quiet_entry_point() -> None:
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        scripts = distribution("commonslint").entry_points.select(group="console_scripts")
    except PackageNotFoundError:
        pytest.skip("commonslint is not installed, only on the path")
    assert [(s.name, s.value) for s in scripts] == [("commonslint", "commonslint.__main__:run")]
