"""The command line: `commonslint [check] TARGET...`, `commonslint rules`, `commonslint rule CODE`,
`commonslint init`.

Exit codes, as ruff's: 0 when nothing is at or above `--fail-on`, 1 when something is, 2 for a
usage, configuration or internal error (a missing target included: it is never "clean").
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from commonslint import __version__

SUBCOMMANDS = ("check", "rules", "rule", "init", "lineage", "audit")


class UsageError(Exception):
    pass


def _codes(text: str) -> list[str]:
    return [c.strip().upper() for c in text.split(",") if c.strip()]


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, its width found as `shutil.get_terminal_size` finds it but without
    importing shutil (with bz2 and lzma, ~3 ms): argparse makes a formatter for every
    `add_argument`, so a plain lint paid for it on every commit (issue 7)."""

    def __init__(self, prog: str) -> None:
        try:
            columns = int(os.environ["COLUMNS"])
        except (KeyError, ValueError):
            columns = 0
        if columns <= 0:
            try:
                columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
            except (AttributeError, ValueError, OSError):
                columns = 80
            columns = columns or 80
        super().__init__(prog, width=columns - 2)


def _check_parser() -> argparse.ArgumentParser:
    from commonslint.report import FORMATS

    parser = argparse.ArgumentParser(
        formatter_class=_HelpFormatter,
        prog="commonslint",
        description="Lint a model repository for the promises that make a model a commons.",
        epilog="Other commands: `commonslint rules` lists the rules, `commonslint rule CODE` "
        "explains one, `commonslint lineage` shows a model's parents and their licences, "
        "`commonslint audit` lints many repositories into one report, `commonslint init` writes "
        "a starting configuration. Exit status: 0 clean, 1 findings at or above --fail-on, "
        "2 error.",
    )
    parser.add_argument(
        "targets",
        nargs="*",
        default=["."],
        metavar="TARGET",
        help="a model repository folder or its README.md, or hf://owner/name, "
        "hf://datasets/owner/name (default: .)",
    )
    parser.add_argument(
        "--format",
        choices=sorted(FORMATS),
        default=None,
        help="output format (default: text; github when GITHUB_ACTIONS=true)",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    parser.add_argument(
        "--fail-on",
        choices=("error", "warning", "info"),
        default=None,
        help="lowest severity that makes the exit status 1 (default: error)",
    )
    parser.add_argument(
        "--select",
        type=_codes,
        metavar="CODES",
        help="comma-separated codes or prefixes to check (replaces the config's)",
    )
    parser.add_argument(
        "--extend-select",
        type=_codes,
        metavar="CODES",
        default=[],
        help="codes or prefixes to check in addition",
    )
    parser.add_argument(
        "--ignore", type=_codes, metavar="CODES", default=[], help="codes or prefixes not to check"
    )
    parser.add_argument(
        "--kind",
        choices=("model", "dataset"),
        help="lint as a model or a dataset repository (default: guessed)",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="use this commonslint.toml or pyproject.toml instead of the nearest",
    )
    parser.add_argument("--isolated", action="store_true", help="ignore all configuration files")
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="print findings only, without the summary line"
    )
    parser.add_argument(
        "--show-files", action="store_true", help="list the files that were examined"
    )
    parser.add_argument(
        "--statistics",
        action="store_true",
        help="print how many findings each rule gave instead of the findings",
    )
    parser.add_argument(
        "--fix",
        action="store_true",
        help="apply the fixes that cannot change meaning, then report what remains",
    )
    parser.add_argument(
        "--diff",
        action="store_true",
        help="print the fixes as a unified diff without writing; exit 1 if there is any",
    )
    parser.add_argument(
        "--online",
        action="store_true",
        help="ask the Hub for the licences of parents no local source knows",
    )
    parser.add_argument("--revision", help="revision of hf:// targets (branch, tag or commit)")
    parser.add_argument("--version", action="version", version=f"commonslint {__version__}")
    return parser


def _load_config(args: argparse.Namespace, first_target: str):  # type: ignore[no-untyped-def]
    from commonslint.config import Config, find_config, load_config
    from commonslint.findings import Severity

    if args.isolated:
        config = Config()
    elif args.config:
        config = load_config(Path(args.config))
    else:
        start = Path(first_target) if not first_target.startswith("hf://") else Path.cwd()
        found = find_config(start if start.exists() else Path.cwd())
        config = load_config(found) if found else Config()
    if args.select is not None:
        config.select = args.select
    config.extend_select = config.extend_select + args.extend_select
    config.ignore = config.ignore + args.ignore
    if args.fail_on:
        config.fail_on = Severity.parse(args.fail_on)
    if args.kind:
        config.kind = args.kind
    return config


def _write(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    from commonslint.fileio import write_atomic

    write_atomic(Path(output), text.encode("utf-8"))


def run_check(argv: Sequence[str]) -> int:
    from commonslint.lint import Linter, Result, worst
    from commonslint.report import reporter
    from commonslint.sources import DEFAULT_MAX_BYTES, open_local

    args = _check_parser().parse_args(argv)
    config = _load_config(args, args.targets[0])
    linter = Linter(config)

    def lint_all() -> list[Result]:
        results = []
        for target in args.targets:
            max_bytes = config.max_file_size or DEFAULT_MAX_BYTES
            if target.startswith("hf://"):
                if args.fix or args.diff:
                    raise UsageError("--fix and --diff apply to local repositories only")
                from commonslint.hub import HubRepo

                repo = HubRepo(target, args.revision, max_bytes)
            else:
                if args.revision:
                    raise UsageError("--revision applies to hf:// targets only")
                repo = open_local(target, max_bytes)
                repo.online = args.online
            results.append(linter.lint(repo, target))
        return results

    results = lint_all()
    write_failed = False
    if args.fix or args.diff:
        from commonslint import fix

        plans = [fix.plan(linter, r.repo, r.target, r) for r in results]
        notes = fix.summary(plans, wrote=not args.diff)
        if args.diff:
            _write("".join(fix.unified_diff(p) for p in plans), args.output)
            for note in notes:
                print(f"commonslint: {note}", file=sys.stderr)
            return 1 if any(p.changes for p in plans) else 0
        errors = [error for p in plans for error in fix.write(p)]
        for line in [*(f"error: {e}" for e in errors), *notes]:
            if not args.quiet or line.startswith("error"):
                print(f"commonslint: {line}", file=sys.stderr)
        write_failed = bool(errors)
        results = lint_all()  # report what remains on disk, not what was planned
    fmt = args.format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    if args.statistics:
        from commonslint.report import statistics

        if fmt not in ("text", "json", "github"):
            raise UsageError("--statistics prints text or json; choose one of those formats")
        report = statistics.render(results, as_json=fmt == "json")
    else:
        report = reporter(fmt)(results, linter.all_rules)
    if fmt == "text" and not args.statistics:
        lines = report.splitlines(keepends=True)
        if args.show_files:
            for result in results:
                examined = ", ".join(result.repo.show(p) for p in result.examined) or "nothing"
                lines.insert(len(lines) - 1, f"examined {result.target}: {examined}\n")
        if args.quiet:
            lines = lines[:-1]
        report = "".join(lines)
    _write(report, args.output)
    if write_failed:
        return 2
    top = worst([f for r in results for f in r.findings])
    return 1 if top is not None and top >= config.fail_on else 0


def run_rules(argv: Sequence[str]) -> int:
    from commonslint.rulepacks import load_rules

    parser = argparse.ArgumentParser(prog="commonslint rules", description="List every rule.")
    parser.add_argument(
        "--format", choices=("text", "json", "markdown", "readme-table"), default="text"
    )
    args = parser.parse_args(argv)
    rules = load_rules()
    if args.format == "json":
        import json

        sys.stdout.write(
            json.dumps(
                [
                    {
                        "code": r.code,
                        "name": r.name,
                        "severity": r.severity.label,
                        "summary": r.summary,
                        "kinds": sorted(r.kinds),
                        "pack": r.pack,
                        "docs": r.docs,
                    }
                    for r in rules
                ],
                indent=2,
            )
            + "\n"
        )
    elif args.format == "readme-table":
        from commonslint.ruledocs import rule_table

        sys.stdout.write(rule_table(rules, link_prefix="docs/rules.md"))
    elif args.format == "markdown":
        from commonslint.ruledocs import reference_markdown

        sys.stdout.write(reference_markdown(rules))
    else:
        width = max(len(r.name) for r in rules)
        for r in rules:
            sys.stdout.write(f"{r.code}  {r.name:<{width}}  {r.severity.label:<7}  {r.summary}\n")
    return 0


def run_rule(argv: Sequence[str]) -> int:
    from commonslint.ruledocs import rule_text
    from commonslint.rulepacks import load_rules

    parser = argparse.ArgumentParser(prog="commonslint rule", description="Explain one rule.")
    parser.add_argument("code", help="a rule code (CL201) or name (share-alike-not-kept)")
    args = parser.parse_args(argv)
    wanted = args.code.strip()
    for rule in load_rules():
        if wanted.upper() == rule.code or wanted.lower() == rule.name:
            sys.stdout.write(rule_text(rule))
            return 0
    raise UsageError(f"no rule {wanted!r}; `commonslint rules` lists them")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from commonslint.config import ConfigError
    from commonslint.engine import RuleError
    from commonslint.rulepacks import PackError
    from commonslint.sources import TargetError

    try:
        if argv and argv[0] in SUBCOMMANDS:
            command, rest = argv[0], argv[1:]
        else:
            command, rest = "check", argv
        if command == "rules":
            return run_rules(rest)
        if command == "rule":
            return run_rule(rest)
        if command == "init":
            from commonslint.init import run_init

            return run_init(rest)
        if command == "lineage":
            from commonslint.lineage.command import run as run_lineage

            return run_lineage(rest)
        if command == "audit":
            from commonslint.audit.run import run_audit

            return run_audit(rest)
        return run_check(rest)
    except (TargetError, ConfigError, PackError, RuleError, UsageError) as exc:
        print(f"commonslint: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("commonslint: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`| head`): not our error; keep Python from complaining at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except Exception as exc:  # the promise is no traceback, ever; COMMONSLINT_DEBUG shows it
        if os.environ.get("COMMONSLINT_DEBUG"):
            raise
        print(
            f"commonslint: internal error: {type(exc).__name__}: {exc} "
            "(set COMMONSLINT_DEBUG=1 for details; please report it)",
            file=sys.stderr,
        )
        return 2
