"""`commonslint init`: a starting configuration, and the snippets that run commonslint where
people already work (pre-commit, GitHub Actions).

The `[tool.commonslint]` table is appended to an existing `pyproject.toml` (its bytes before the
new table are kept as they were); without one, or with `--toml`, a `commonslint.toml` is written.
An existing configuration is never overwritten.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path

from commonslint import __version__
from commonslint.config import config_from_table
from commonslint.fileio import write_atomic
from commonslint.report import PROJECT_URL

SETTINGS = """\
# Rules to check: "ALL", or codes and prefixes such as "CL1" (the licence) or "CL201".
select = ["ALL"]
# Codes or prefixes not to check, for example ["CL403"] if you take contributions elsewhere.
ignore = []
# The lowest severity that makes commonslint exit 1: "error", "warning" or "info".
fail-on = "error"
# Severity overrides, for example: severity = { CL501 = "error" } to require emissions data.
# Your organisation's own rules: rule-packs = ["policy/rules.yaml"]
"""


def repository_slug() -> str:
    return PROJECT_URL.removeprefix("https://github.com/")


def pre_commit_snippet() -> str:
    return f"""\
# .pre-commit-config.yaml
repos:
  - repo: {PROJECT_URL}
    rev: v{__version__}
    hooks:
      - id: commonslint            # lints the whole repository on every commit
      # - id: commonslint-changed  # or: only when the card, licence or community files change
"""


def action_snippet() -> str:
    return f"""\
# .github/workflows/commonslint.yml
name: commonslint
on: [push, pull_request]
permissions:
  contents: read
  security-events: write   # to upload SARIF to code scanning
jobs:
  commonslint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: {repository_slug()}@v{__version__}
        with:
          path: .
"""


def _has_table(path: Path) -> bool:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        from commonslint.config import ConfigError

        raise ConfigError(f"{path}: cannot be read as TOML ({exc})") from None
    return "commonslint" in data.get("tool", {})


def write_config(folder: Path, own_file: bool) -> tuple[Path, str]:
    """Write the starting configuration; return where, and what happened."""
    # Checked here so that a broken template can never be written.
    config_from_table(tomllib.loads(SETTINGS), None)
    own = folder / "commonslint.toml"
    project = folder / "pyproject.toml"
    if own.exists():
        return own, "already exists; left as it is"
    if project.is_file() and not own_file:
        if _has_table(project):
            return project, "already has a [tool.commonslint] table; left as it is"
        data = project.read_bytes()
        newline = b"\r\n" if b"\r\n" in data else b"\n"
        sep = b"" if not data or data.endswith(b"\n") else newline
        table = ("\n[tool.commonslint]\n" + SETTINGS).encode("utf-8").replace(b"\n", newline)
        write_atomic(project, data + sep + table)
        return project, "[tool.commonslint] table added"
    write_atomic(own, SETTINGS.encode("utf-8"))
    return own, "written"


def run_init(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="commonslint init",
        description="Write a starting configuration and print the pre-commit and Action snippets.",
    )
    parser.add_argument("folder", nargs="?", default=".", help="the repository (default: .)")
    parser.add_argument(
        "--toml",
        action="store_true",
        help="write commonslint.toml even when there is a pyproject.toml",
    )
    args = parser.parse_args(argv)
    folder = Path(args.folder)
    if not folder.is_dir():
        from commonslint.cli import UsageError

        raise UsageError(f"{args.folder}: not a folder")
    path, what = write_config(folder, args.toml)
    out = sys.stdout
    out.write(f"{path}: {what}\n\n")
    out.write("Run commonslint before every commit with pre-commit (https://pre-commit.com):\n\n")
    out.write(pre_commit_snippet())
    out.write("\nRun it in GitHub Actions, with annotations, a job summary and code scanning:\n\n")
    out.write(action_snippet())
    return 0
