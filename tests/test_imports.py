"""Heavy modules load only on the paths that need them (issue 7, "Imports").

A pre-commit hook pays for every import on every commit: a plain local lint must never import
`huggingface_hub` (nor the HTTP stack under it), and the licence-expression parser is loaded
only when a card's licence needs it. Checked through the command line as a user runs it, with
Python's own import log (PYTHONPROFILEIMPORTTIME).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT

# Never on a local lint: the Hub client and everything it pulls in.
NEVER_LOCAL = ("huggingface_hub", "requests", "httpx", "urllib3", "tqdm", "fsspec")


def imported(stderr: str) -> set[str]:
    """Top-level module names from `-X importtime` lines (`import time: self | cum | name`)."""
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":
                names.add(name.split(".")[0])
    return names


def lint_imports(cli, target: Path, *args: str) -> set[str]:
    result = cli(str(target), *args, env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert result.returncode in (0, 1), result.stderr
    names = imported(result.stderr)
    assert "commonslint" in names and "yaml" in names  # the log is really being read
    return names


@pytest.mark.parametrize("example", ["good-model", "bad-model"])
def test_plain_local_lint_never_imports_the_hub_client(cli, example: str) -> None:
    names = lint_imports(cli, ROOT / "examples" / example)
    assert not names & set(NEVER_LOCAL), sorted(names & set(NEVER_LOCAL))


def test_json_report_and_other_options_stay_local(cli, make_repo) -> None:
    repo = make_repo({"README.md": "---\nlicense: apache-2.0\nbase_model: org/parent\n---\n# M\n"})
    names = lint_imports(cli, repo, "--format", "json", "--show-files")
    assert not names & set(NEVER_LOCAL), sorted(names & set(NEVER_LOCAL))


def test_rule_listing_does_not_import_the_hub_client(cli) -> None:
    result = cli("rules", env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert result.returncode == 0, result.stderr
    assert "huggingface_hub" not in imported(result.stderr)


def test_a_card_with_only_an_spdx_id_does_not_load_the_expression_parser(cli, make_repo) -> None:
    """`license: mit` is resolved by lookup; only compound expressions need the parser."""
    repo = make_repo({"README.md": "---\nlicense: mit\n---\n# M\n", "LICENSE": "MIT\n"})
    assert "license_expression" not in lint_imports(cli, repo)


def test_license_other_with_a_name_does_not_load_the_expression_parser(cli) -> None:
    """`license: other` with `license_name` (the good example) is a knowledge-base lookup."""
    assert "license_expression" not in lint_imports(cli, ROOT / "examples" / "good-model")


def test_importtime_parsing_helper() -> None:
    sample = (
        "import time: self [us] | cumulative | imported package\n"
        "import time:       100 |        200 |   yaml.loader\n"
        "import time:        50 |        300 | huggingface_hub\n"
    )
    assert imported(sample) == {"yaml", "huggingface_hub"}
