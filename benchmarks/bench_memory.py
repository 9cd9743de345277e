"""Peak resident memory: one repository, and a streamed lint of the bulk corpus at growing sizes.

    python benchmarks/bench_memory.py [--sizes 1000,5000,25109]

Single repository: `python -m commonslint .` on the typical repository with 3 GiB of sparse
weights (target: under 60 MB). Corpus: a child process streams the first N cards of the bulk
corpus, lints each as a `MemoryRepo` and keeps only counts, as an audit does (target: peak
memory flat in N). Peak RSS is the child's own, from wait4.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from benchutil import BULK, GIB, ROOT, compiled_copy, make_typical_repo, measure, python_env

STREAM = """
import gzip, json, sys
from collections import Counter
from commonslint.config import Config
from commonslint.lint import Linter
from commonslint.sources import MemoryRepo
limit = int(sys.argv[2])
linter = Linter(Config())
counts = Counter()
with gzip.open(sys.argv[1], "rt", encoding="utf-8") as handle:
    for number, line in enumerate(handle):
        if number >= limit:
            break
        record = json.loads(line)
        result = linter.lint(MemoryRepo({"README.md": record["card"]}), record["source_path"])
        counts.update(f.code for f in result.findings)
print(sum(counts.values()))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,25109")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="commonslint-bench-") as tmp:
        python, env = python_env(False, None, compiled_copy(Path(tmp) / "installed"))
        env["COMMONSLINT_CACHE_DIR"] = str(Path(tmp) / "cache")
        repo = make_typical_repo(Path(tmp) / "repo", 3 * GIB)
        cmd = [*python, "-m", "commonslint", "."]
        measure(cmd, env, repo)  # warm the rule cache
        single = [measure(cmd, env, repo) for _ in range(5)]
        floor = [measure([*python, "-c", "import yaml"], env) for _ in range(5)]
        print(f"python -c 'import yaml': {max(r.max_rss_kb for r in floor) / 1024:.1f} MB")
        peak = max(r.max_rss_kb for r in single) / 1024
        print(f"commonslint . (typical repository, 3 GiB weights): {peak:.1f} MB (target < 60)")
        peaks = []
        for size in (int(s) for s in args.sizes.split(",")):
            run = measure([*python, "-c", STREAM, str(BULK), str(size)], env, ROOT)
            if run.returncode != 0:
                sys.exit(f"corpus stream of {size} cards failed ({run.returncode})")
            peaks.append(run.max_rss_kb / 1024)
            print(f"bulk corpus, first {size:>6} cards: {peaks[-1]:.1f} MB, {run.wall:.1f} s")
        print(f"largest / smallest peak: {max(peaks) / min(peaks):.2f} (flat: close to 1)")


if __name__ == "__main__":
    main()
