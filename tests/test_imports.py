"""Heavy modules load only on the paths that need them (issue 7, "Imports").

A pre-commit hook pays for every import on every commit: a plain local lint must never import
`huggingface_hub` (nor the HTTP stack under it), the licence-expression parser is loaded only
when a card's licence needs it, and Jinja2 only when a rule needs it (the built-in rules run as
translated Python from the per-user cache; a user's pack runs in Jinja2's sandbox). Checked
through the command line as a user runs it, with Python's own import log
(PYTHONPROFILEIMPORTTIME).
"""

from __future__ import annotations

import subprocess
import sys
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


@pytest.mark.parametrize("example", ["good-model", "bad-model"])
def test_builtin_rules_on_a_warm_cache_never_import_jinja(
    cli, tmp_path: Path, example: str
) -> None:
    """The bad example's findings have messages: they render without Jinja2 too."""
    env = {"COMMONSLINT_CACHE_DIR": str(tmp_path / "cache")}
    cold = cli(str(ROOT / "examples" / example), env={**env, "PYTHONPROFILEIMPORTTIME": "1"})
    assert "jinja2" in imported(cold.stderr)  # the first run translates the rules
    warm = cli(str(ROOT / "examples" / example), env={**env, "PYTHONPROFILEIMPORTTIME": "1"})
    assert warm.returncode == cold.returncode and warm.stdout == cold.stdout
    names = imported(warm.stderr)
    assert "commonslint" in names and "yaml" in names
    assert "jinja2" not in names and "markupsafe" not in names
    if example == "bad-model":
        assert warm.returncode == 1 and "CL006" in warm.stdout and "is not a key" in warm.stdout


def test_json_report_on_a_warm_cache_does_not_import_jinja(cli, make_repo) -> None:
    repo = make_repo({"README.md": "---\nlicense: apache-2.0\nlicence: mit\n---\n# M\n"})
    lint_imports(cli, repo, "--format", "json")
    names = lint_imports(cli, repo, "--format", "json")
    assert "jinja2" not in names


def test_a_user_pack_still_imports_jinja_and_its_sandbox(cli, make_repo) -> None:
    policy = (
        "rules:\n"
        "  - id: ORG001\n"
        "    name: has-licence\n"
        "    severity: warning\n"
        "    summary: the card names a licence\n"
        "    when: \"'license' not in card.meta\"\n"
        "    at: card.at\n"
        '    message: "no licence in {{ card.path }}"\n'
    )
    repo = make_repo(
        {
            "README.md": "---\nlanguage: en\n---\n# M\n",
            "policy.yaml": policy,
            "commonslint.toml": 'rule-packs = ["policy.yaml"]\n',
        }
    )
    lint_imports(cli, repo)
    result = cli(str(repo), cwd=repo, env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert result.returncode == 1 and "ORG001" in result.stdout, result.stdout + result.stderr
    assert "no licence in README.md" in result.stdout
    assert "jinja2" in imported(result.stderr)
    assert "jinja2.sandbox" in result.stderr


def test_a_user_pack_escaping_the_sandbox_still_exits_2(cli, make_repo) -> None:
    escape = "card.meta.__class__.__mro__[1].__subclasses__() | length > 0"
    policy = (
        "rules:\n  - id: ORG001\n    name: escape\n    severity: error\n"
        f'    summary: tries\n    when: "{escape}"\n    at: card.at\n    message: escaped\n'
    )
    repo = make_repo(
        {
            "README.md": "---\nlicense: mit\n---\n# M\n",
            "policy.yaml": policy,
            "commonslint.toml": 'rule-packs = ["policy.yaml"]\n',
        }
    )
    cli(str(repo), cwd=repo)  # warm
    result = cli(str(repo), cwd=repo, env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert result.returncode == 2 and "escaped" not in result.stdout
    assert "ORG001" in result.stderr and "SecurityError" in result.stderr
    assert "jinja2.sandbox" in result.stderr and "Traceback" not in result.stderr


def test_tomllib_only_when_a_configuration_file_is_read(cli, make_repo) -> None:
    card = "---\nlicense: mit\nlanguage: [en]\n---\n# M\n"
    bare = make_repo({"README.md": card})
    assert "tomllib" not in lint_imports(cli, bare)
    # someone else's pyproject.toml, without our table, is passed over unparsed
    other = make_repo({"README.md": card, "pyproject.toml": '[project]\nname = "x"\n'})
    assert "tomllib" not in lint_imports(cli, other)
    ours = make_repo(
        {"README.md": card, "pyproject.toml": '[tool.commonslint]\nignore = ["CL4"]\n'}
    )
    assert "tomllib" in lint_imports(cli, ours)


def test_a_pyproject_table_spelt_with_an_escape_is_still_found(cli, make_repo) -> None:
    card = "---\nlicense: mit\nlanguage: [en]\n---\n# M\n"
    plain = make_repo({"README.md": card})
    assert "CL401" in cli(str(plain)).stdout
    escaped = '[tool."\\u0063ommonslint"]\nignore = ["CL4"]\n'
    assert "commonslint" not in escaped
    repo = make_repo({"README.md": card, "pyproject.toml": escaped})
    result = cli(str(repo))
    assert result.returncode in (0, 1) and "CL401" not in result.stdout, result.stdout


def test_a_warm_plain_lint_imports_little_beyond_yaml(cli, make_repo) -> None:
    """Modules a plain lint once loaded without using them on that path (issue 7): Jinja2 and
    MarkupSafe (rules run translated), tomllib (no configuration file), shutil with bz2 and
    lzma (argparse's terminal width), hashlib's OpenSSL (cache keys), threading (one lock)."""
    floor = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import yaml"],
        capture_output=True,
        text=True,
        check=True,
    )
    repo = make_repo({"README.md": "---\nlicense: mit\nlicence: mit\n---\n# M\n"})
    lint_imports(cli, repo)  # warm the cache
    extra = lint_imports(cli, repo) - imported(floor.stderr)
    unused = {"jinja2", "markupsafe", "tomllib", "shutil", "lzma", "bz2", "_hashlib", "threading"}
    assert not extra & unused, sorted(extra & unused)
