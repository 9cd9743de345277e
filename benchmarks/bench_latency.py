"""Latency of `commonslint .` on a typical repository, against `python -c "import yaml"`.

    python benchmarks/bench_latency.py [--runs 21] [--no-site | --python VENV/bin/python]
        [--reuse PATH-TO-reuse]

Builds a typical repository in a temporary folder (benchutil.make_typical_repo) twice, with
3 GiB of sparse weight files and without, and times, interleaved so that machine load falls on
all alike: the floor `python -c "import yaml"`, `python -m commonslint .` in each repository
(warm rule cache, as a pre-commit hook runs), and `reuse lint` when a `reuse` executable is
given or on PATH. Targets (issue 7): commonslint at most 4x the floor and faster than
`reuse lint`; with weights within 10 % of without.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from benchutil import (
    GIB,
    ROOT,
    Run,
    compiled_copy,
    make_typical_repo,
    measure,
    python_env,
    summary,
)


def reuse_setup(folder: Path) -> None:
    """Make the folder REUSE-compliant, so that `reuse lint` does its normal, passing job."""
    (folder / "LICENSES").mkdir(exist_ok=True)
    shutil.copy(folder / "LICENSE", folder / "LICENSES" / "LicenseRef-commonslint-example.txt")
    (folder / "REUSE.toml").write_text(
        'version = 1\n\n[[annotations]]\npath = "**"\nprecedence = "aggregate"\n'
        'SPDX-FileCopyrightText = "2025 commonslint developers"\n'
        'SPDX-License-Identifier = "LicenseRef-commonslint-example"\n'
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--weights-gib", type=float, default=3.0)
    parser.add_argument("--no-site", action="store_true", help="children run `python -S`")
    parser.add_argument("--python", help="interpreter for the children (e.g. a clean venv's)")
    parser.add_argument(
        "--source",
        action="store_true",
        help="run from the source tree (compiling every module on each start) instead of a "
        "byte-compiled copy, as installed",
    )
    parser.add_argument("--reuse", default=shutil.which("reuse"), help="the reuse executable")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="commonslint-bench-") as tmp:
        base = Path(tmp)
        source = ROOT if args.source else compiled_copy(base / "installed", args.python)
        python, env = python_env(args.no_site, args.python, source)
        env["COMMONSLINT_CACHE_DIR"] = str(base / "cache")
        heavy = make_typical_repo(base / "with-weights", int(args.weights_gib * GIB))
        light = make_typical_repo(base / "without-weights", 0)
        commands: dict[str, tuple[list[str], Path | None]] = {
            "floor: python -c 'import yaml'": ([*python, "-c", "import yaml"], None),
            "commonslint . (with weights)": ([*python, "-m", "commonslint", "."], heavy),
            "commonslint . (without weights)": ([*python, "-m", "commonslint", "."], light),
        }
        if args.reuse:
            for folder in (heavy, light):
                reuse_setup(folder)
            commands["reuse lint (with weights)"] = ([args.reuse, "lint"], heavy)
            commands["reuse lint (without weights)"] = ([args.reuse, "lint"], light)
        for cmd, cwd in commands.values():  # warm the rule cache and the page cache
            first = measure(cmd, env, cwd)
            if first.returncode not in (0, 1):
                raise SystemExit(f"{cmd} failed with {first.returncode}")
        runs: dict[str, list[Run]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, (cmd, cwd) in commands.items():
                runs[name].append(measure(cmd, env, cwd))
    results = {name: summary(r) for name, r in runs.items()}
    floor = results["floor: python -c 'import yaml'"]["median_ms"]
    mode = args.python or ("python -S (no site hooks)" if args.no_site else "python (site hooks)")
    mode += ", commonslint from the source tree" if args.source else ", commonslint byte-compiled"
    print(f"{args.runs} interleaved runs each; children: {mode}")
    print(f"{'command':34} {'min ms':>8} {'median ms':>10} {'x floor':>8} {'peak MB':>8}")
    for name, res in results.items():
        ratio = res["median_ms"] / floor
        print(
            f"{name:34} {res['min_ms']:8.1f} {res['median_ms']:10.1f} {ratio:8.2f} "
            f"{res['max_rss_mb']:8.1f}"
        )
    heavy_ms = results["commonslint . (with weights)"]["median_ms"]
    light_ms = results["commonslint . (without weights)"]["median_ms"]
    print(f"\ncommonslint / floor: {heavy_ms / floor:.2f} (target <= 4)")
    print(f"weights / no weights: {heavy_ms / light_ms:.3f} (target within 10 %)")
    if args.reuse:
        reuse_ms = results["reuse lint (with weights)"]["median_ms"]
        print(f"commonslint / reuse lint: {heavy_ms / reuse_ms:.2f} (target < 1)")
    peak = results["commonslint . (with weights)"]["max_rss_mb"]
    print(f"commonslint peak RSS: {peak:.1f} MB (target < 60)")


if __name__ == "__main__":
    main()
