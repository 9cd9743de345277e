"""Throughput of `commonslint audit` on the bulk corpus, and the time per card beside the time
`huggingface_hub` takes merely to parse the same card.

Run from the project root (the shared corpus beside it):

    python benchmarks/bench_audit.py                 # the whole corpus, --jobs 2
    python benchmarks/bench_audit.py --limit 5000    # quicker

It prints a Markdown table (paste it into benchmarks/README.md). Three measurements:
1. the audit end to end, as a user runs it (`python -m commonslint audit CORPUS --jobs N`, with
   and without the HTML report), wall time and the CPU time of all its processes;
2. `Linter.lint` on one card held in memory, single process, after imports: microseconds a card;
3. `huggingface_hub.ModelCard(text)` and `RepoCard(text, ignore_metadata_errors=True)` on the
   same cards, single process: what merely parsing a card costs with the Hub's own library.
The machine's load average is printed beside the numbers: on a shared machine the wall-clock
rate falls with it, while the CPU time per card does not.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import itertools
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BULK = ROOT.parent / "shared" / "corpus" / "bulk" / "hub-readmes-2023.jsonl.gz"
sys.path.insert(0, str(ROOT))


def _cards(limit: int | None) -> list[str]:
    with gzip.open(BULK, "rt", encoding="utf-8") as handle:
        return [json.loads(line)["card"] for line in itertools.islice(handle, limit)]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def audit_run(source: Path, jobs: int, html: bool) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (all processes), records written."""
    with tempfile.TemporaryDirectory() as tmp:
        args = [sys.executable, "-m", "commonslint", "audit", str(source), "-o", tmp]
        args += ["--jobs", str(jobs), "--no-progress"] + ([] if html else ["--no-html"])
        env = dict(os.environ, PYTHONPATH=str(ROOT), COMMONSLINT_CACHE_DIR=str(Path(tmp) / "c"))
        cpu = _children_cpu()
        start = time.perf_counter()
        subprocess.run(args, check=True, env=env, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - start
        cpu = _children_cpu() - cpu
        with open(Path(tmp) / "findings.jsonl", "rb") as handle:
            records = sum(1 for _ in handle)
    return wall, cpu, records


def per_card(label: str, cards: list[str], fn) -> float:  # type: ignore[no-untyped-def]
    for card in cards[:50]:
        fn(card)  # warm up
    start = time.process_time()
    for card in cards:
        fn(card)
    return (time.process_time() - start) / len(cards) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None, help="cards (default: all)")
    parser.add_argument("--sample", type=int, default=5000, help="cards for per-card timings")
    args = parser.parse_args()
    if not BULK.exists():
        sys.exit(f"the bulk corpus is not at {BULK}")
    source = BULK
    tmp = None
    if args.limit:
        tmp = tempfile.NamedTemporaryFile(suffix=".jsonl.gz", delete=False)  # noqa: SIM115
        with gzip.open(BULK, "rb") as handle, gzip.open(tmp.name, "wb") as out:
            out.writelines(itertools.islice(handle, args.limit))
        source = Path(tmp.name)

    rows = []
    load = os.getloadavg()[0]
    for html in (False, True):
        wall, cpu, n = audit_run(source, args.jobs, html)
        rows.append(
            f"| audit, --jobs {args.jobs}{'' if html else ', --no-html'} | {n:,} | {wall:.2f} s "
            f"| **{n / wall:,.0f}** | {cpu:.2f} s | {cpu / n * 1e6:.0f} µs | {load:.2f} |"
        )
    if tmp is not None:
        os.unlink(tmp.name)

    from commonslint.config import Config
    from commonslint.lint import Linter
    from commonslint.sources import MemoryRepo

    cards = _cards(args.sample)
    linter = Linter(Config())
    lint_us = per_card(
        "lint", cards, lambda c: linter.lint(MemoryRepo({"README.md": c}, card_only=True), "x")
    )

    logging.disable(logging.WARNING)  # the Hub library logs every card without metadata
    from huggingface_hub import ModelCard, RepoCard

    def hub_strict(card: str) -> None:
        # Strict mode refuses some cards; the time spent is what is measured.
        with contextlib.suppress(Exception):
            ModelCard(card)

    def hub_lenient(card: str) -> None:
        with contextlib.suppress(Exception):
            RepoCard(card, ignore_metadata_errors=True)

    strict_us = per_card("hub", cards, hub_strict)
    lenient_us = per_card("hub-lenient", cards, hub_lenient)

    print(f"Bulk corpus: {BULK.name}; {os.cpu_count()} CPU cores; Python {sys.version.split()[0]}")
    print()
    print("| run | records | wall | records/s | CPU (all processes) | CPU a record | load |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(row)
    print()
    print(f"Per card, single process, {len(cards):,} cards (CPU time):")
    print()
    print("| what | µs a card |")
    print("| --- | ---: |")
    print(f"| commonslint `Linter.lint` (every rule, findings built) | {lint_us:.0f} |")
    print(f"| huggingface_hub `ModelCard(text)` (parse only) | {strict_us:.0f} |")
    print(f"| huggingface_hub `RepoCard(text, ignore_metadata_errors=True)` | {lenient_us:.0f} |")


if __name__ == "__main__":
    main()
