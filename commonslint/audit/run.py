"""`commonslint audit SOURCE...`: lint many repositories in parallel, and report on the commons.

The parent process reads the sources, hands batches of work items to a pool of worker processes
(`audit.workers`, each with one `Linter`), and writes what comes back in input order: records to
`findings.jsonl` as they arrive, the tally merged batch by batch, and at the end `summary.json`
and a self-contained `report.html` rendered by streaming the records back from the JSONL. At
most a few batches per worker are in flight or waiting to be written, so memory stays flat
however many cards there are.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from commonslint.audit.inputs import AuditError, Source, classify, items
from commonslint.audit.output import open_output, read_back, sync
from commonslint.audit.progress import Progress
from commonslint.audit.summary import Tally, summary
from commonslint.audit.work import Batch, Fields, Item, init_worker, run_batch
from commonslint.audit.workers import WorkerFailed, ordered_map

DEFAULT_OUTPUT_DIR = "commonslint-audit"
IN_FLIGHT_PER_JOB = 4


def _codes(text: str) -> list[str]:
    return [c.strip().upper() for c in text.split(",") if c.strip()]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="commonslint audit",
        description="Audit many repositories with the same rules as `commonslint .` and report "
        "on the commons: findings as JSON Lines, a summary as JSON, and an HTML report.",
        epilog="SOURCE is a folder of repositories, a .jsonl[.gz] or .parquet file of cards, "
        "hf-cache (or hf-cache:PATH) for the local Hugging Face cache, or hf://owner/name and "
        "hub-ids:FILE for Hub ids (with --online). Exit status: 0 when the audit completed "
        "(findings are what an audit is for), 2 on an error, 130 when interrupted.",
    )
    parser.add_argument("sources", nargs="+", metavar="SOURCE", help="what to audit (see below)")
    out = parser.add_argument_group("outputs")
    out.add_argument(
        "-o",
        "--output-dir",
        metavar="DIR",
        help=f"write findings.jsonl, summary.json and report.html here "
        f"(default: {DEFAULT_OUTPUT_DIR}, unless --jsonl/--summary/--html say otherwise)",
    )
    out.add_argument("--jsonl", metavar="FILE", help="per-repository findings (JSON Lines)")
    out.add_argument("--summary", metavar="FILE", help="aggregate summary (JSON)")
    out.add_argument("--html", metavar="FILE", help="self-contained HTML report")
    out.add_argument("--no-html", action="store_true", help="do not write the HTML report")
    out.add_argument("--title", help="a title for the summary and the report (default: none)")
    run = parser.add_argument_group("running")
    run.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=None,
        help="worker processes (default: the number of CPU cores)",
    )
    run.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted audit from its findings.jsonl, skipping finished ids",
    )
    run.add_argument("--batch-size", type=int, default=256, help=argparse.SUPPRESS)
    run.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar on standard error (default: when it is a terminal)",
    )
    run.add_argument(
        "--online", action="store_true", help="allow network access (needed for Hub ids)"
    )
    fields = parser.add_argument_group("record fields (JSON Lines and Parquet sources)")
    fields.add_argument("--id-field", default=Fields.id, help="default: %(default)s")
    fields.add_argument("--card-field", default=Fields.card, help="default: %(default)s")
    fields.add_argument(
        "--group-field", default=Fields.group, help="default: %(default)s ('' for none)"
    )
    rules = parser.add_argument_group("rules")
    rules.add_argument("--config", metavar="FILE", help="a commonslint.toml or pyproject.toml")
    rules.add_argument(
        "--select", type=_codes, metavar="CODES", help="codes or prefixes to check (default: all)"
    )
    rules.add_argument(
        "--extend-select", type=_codes, metavar="CODES", default=[], help="check these as well"
    )
    rules.add_argument(
        "--ignore", type=_codes, metavar="CODES", default=[], help="codes or prefixes not to check"
    )
    rules.add_argument(
        "--kind", choices=("model", "dataset"), help="lint every repository as this kind"
    )
    return parser


def _config(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The rules to run: the defaults (an audit judges other people's repositories, so no
    configuration is picked up from the current folder), or --config, then the options."""
    from commonslint.config import Config, load_config

    config = load_config(Path(args.config)) if args.config else Config()
    if args.select is not None:
        config.select = args.select
    config.extend_select = config.extend_select + args.extend_select
    config.ignore = config.ignore + args.ignore
    if args.kind:
        config.kind = args.kind
    return config


def _outputs(args: argparse.Namespace) -> tuple[Path, Path, Path | None]:
    explicit = args.jsonl or args.summary or args.html
    base = Path(args.output_dir) if args.output_dir or not explicit else None

    def pick(given: str | None, name: str) -> Path | None:
        if given:
            return Path(given)
        return base / name if base is not None else None

    jsonl = pick(args.jsonl, "findings.jsonl")
    summary_path = pick(args.summary, "summary.json")
    html = None if args.no_html else pick(args.html, "report.html")
    if jsonl is None or summary_path is None:
        raise AuditError(
            "say where the findings and the summary go: --output-dir DIR, or both "
            "--jsonl FILE and --summary FILE"
        )
    return jsonl, summary_path, html


def _batches(stream: Iterable[Item], size: int, progress: Progress) -> Iterator[list[Item]]:
    batch: list[Item] = []
    for item in stream:
        if item[0] == "done":
            progress.update(skipped=1)
            continue
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _all_items(
    sources: Sequence[Source], fields: Fields, done: frozenset[str], exclude: frozenset[str]
) -> Iterator[Item]:
    for source in sources:
        yield from items(source, fields, done, exclude)


def run_audit(argv: Sequence[str]) -> int:
    args = _parser().parse_args(argv)
    if args.jobs is not None and args.jobs < 1:
        raise AuditError("--jobs must be at least 1")
    if args.batch_size < 1:
        raise AuditError("--batch-size must be at least 1")
    sources = [classify(spec) for spec in args.sources]
    hub = [s for s in sources if s.kind == "hub"]
    if hub and not args.online:
        raise AuditError(f"{hub[0].label}: auditing Hub repositories needs --online")
    if len({s.label for s in sources}) != len(sources):
        raise AuditError("a source is named twice")
    jsonl_path, summary_path, html_path = _outputs(args)
    config = _config(args)
    fields = Fields(args.id_field, args.card_field, args.group_field)

    from commonslint.rulepacks import load_rules

    all_rules = load_rules(config.rule_packs)
    active_rules = [r for r in all_rules if config.selects(r.code)]
    from commonslint.report.audit_html import RowsFile, write_report

    rows = RowsFile(html_path) if html_path is not None else None
    done: set[str] = set()
    tally = Tally()
    resume_at = None
    if args.resume:
        done, tally, resume_at = read_back(jsonl_path, rows.add_record if rows else None)
    jobs = args.jobs or os.cpu_count() or 1
    show = sys.stderr.isatty() if args.progress is None else args.progress
    progress = Progress(show)
    progress.skipped = len(done) if args.resume else 0
    frozen_done = frozenset(done)
    del done
    handle = open_output(jsonl_path, resume_at)
    complete = False
    try:
        outputs = frozenset(
            os.path.realpath(p.parent) for p in (jsonl_path, summary_path, html_path) if p
        )
        stream = _batches(
            _all_items(sources, fields, frozen_done, outputs), args.batch_size, progress
        )
        messages: dict[int, dict[int, str]] = {}  # worker -> its message numbers' texts
        for batch in _results(
            stream, jobs, config, fields, frozen_done, rows is not None, args.online
        ):
            handle.write(batch.text)
            sync(handle)
            tally.merge(batch.tally)
            if rows is not None:
                known = messages.setdefault(batch.worker, {})
                known.update(batch.messages)
                for table_row in batch.rows:
                    for finding in table_row[8]:
                        finding[3] = known[finding[3]]
                    rows.add(table_row)
            progress.update(done=batch.tally.repositories, bad=batch.tally.bad)
        complete = True
    except (KeyboardInterrupt, WorkerFailed) as stop:
        progress.finish()
        handle.close()
        if rows is not None:
            rows.discard()
        _write_summary(summary_path, tally, active_rules, args, complete=False)
        why = "interrupted" if isinstance(stop, KeyboardInterrupt) else f"error: {stop}"
        print(
            f"commonslint: {why}; {tally.repositories + tally.bad:,} records are in "
            f"{jsonl_path}; run the same command with --resume to finish",
            file=sys.stderr,
        )
        return 130 if isinstance(stop, KeyboardInterrupt) else 2
    except BaseException:
        if rows is not None:
            rows.discard()
        raise
    finally:
        if not handle.closed:
            handle.close()
    progress.finish()
    document = _write_summary(summary_path, tally, active_rules, args, complete=complete)
    if html_path is not None and rows is not None:
        write_report(html_path, document, rows, all_rules)
    _print_summary(document, progress.elapsed, jsonl_path, summary_path, html_path, show)
    return 0


def _results(
    batches: Iterator[list[Item]],
    jobs: int,
    config: Any,
    fields: Fields,
    done: frozenset[str],
    want_rows: bool,
    online: bool,
) -> Iterator[Batch]:
    """What each batch gave, in input order."""
    if jobs == 1:
        init_worker(config, fields, done, in_parent=True, rows=want_rows, online=online)
        for batch in batches:
            yield run_batch(batch)
        return
    initargs = (config, fields, done, False, want_rows, online)
    yield from ordered_map(run_batch, batches, jobs, init_worker, initargs, IN_FLIGHT_PER_JOB)


def _write_summary(
    path: Path, tally: Tally, rules: Any, args: argparse.Namespace, complete: bool
) -> dict[str, Any]:
    from commonslint.fileio import write_atomic

    document = summary(tally, rules, args.sources, title=args.title, complete=complete)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    write_atomic(path, text.encode("utf-8"))
    return document


def _print_summary(
    document: dict[str, Any],
    elapsed: float,
    jsonl: Path,
    summary_path: Path,
    html: Path | None,
    show_time: bool,
) -> None:
    n = document["repositories"]
    out = [f"audited {n:,} repositories"]
    bad = document["bad_records"]["count"]
    if bad:
        out[0] += f" ({bad:,} bad records, listed in {summary_path})"
    for name, data in document["indicators"].items():
        share = data["share"]
        shown = "n/a" if share is None else f"{share:.1%}"
        out.append(f"  {name.replace('_', ' ')}: {shown} ({data['yes']:,} of {data['applies']:,})")
    top = document["most_common_problems"][:5]
    if top:
        out.append(
            "  most common problems: "
            + ", ".join(f"{p['code']} {p['name']} ({p['share']:.0%})" for p in top)
        )
    written = [str(jsonl), str(summary_path)] + ([str(html)] if html else [])
    out.append(f"wrote {', '.join(written)}")
    sys.stdout.write("\n".join(out) + "\n")
    if show_time:
        print(f"commonslint: audit took {elapsed:.1f} s", file=sys.stderr)
