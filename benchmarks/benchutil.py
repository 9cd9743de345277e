"""Helpers shared by the hand-run benchmarks: a typical repository, measured child processes.

Not part of the package and not imported by the tests: run the `bench_*.py` scripts beside it.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BULK = ROOT.parent / "shared" / "corpus" / "bulk" / "hub-readmes-2023.jsonl.gz"
GIB = 1024**3


@dataclass
class Run:
    wall: float  # seconds
    max_rss_kb: int  # peak resident memory of the child, from wait4
    returncode: int


def measure(cmd: list[str], env: dict[str, str], cwd: Path | None = None) -> Run:
    """Wall time and peak RSS of one child process (wait4 gives that child's own rusage)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(wall, usage.ru_maxrss, proc.returncode)


def summary(runs: list[Run]) -> dict[str, float]:
    walls = [r.wall for r in runs]
    return {
        "min_ms": min(walls) * 1000,
        "median_ms": statistics.median(walls) * 1000,
        "max_rss_mb": max(r.max_rss_kb for r in runs) / 1024,
    }


def compiled_copy(folder: Path, interpreter: str | None = None) -> Path:
    """The package and its rules copied to `folder` with bytecode compiled, as pip installs it.

    Run from the source tree with PYTHONDONTWRITEBYTECODE set (as in this project's
    environment), Python compiles every commonslint module on every start, some 25 ms that an
    installed package (pip writes the .pyc files) never pays. The library modules it imports
    are installed and compiled already, so the comparison is only fair with this copy.
    """
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(ROOT / "commonslint", folder / "commonslint")
    shutil.copytree(ROOT / "rules", folder / "rules")
    subprocess.run(
        [interpreter or sys.executable, "-m", "compileall", "-q", str(folder / "commonslint")],
        check=True,
    )
    return folder


def python_env(
    no_site: bool, interpreter: str | None = None, source: Path = ROOT
) -> tuple[list[str], dict[str, str]]:
    """The interpreter command and environment for children.

    `no_site` runs `python -S` with site-packages put on PYTHONPATH by hand: the same modules,
    without the `.pth` start-up hooks some environments install (they import modules on every
    Python start and would be charged to commonslint and to the floor alike). `interpreter`
    is another Python, such as a clean virtual environment's, with the dependencies installed.
    """
    env = dict(os.environ)
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    paths = [str(source)]
    command = [interpreter or sys.executable]
    if no_site and interpreter:
        raise SystemExit("--no-site applies to this interpreter only; use one or the other")
    if no_site:
        command.append("-S")
        paths.append(sysconfig.get_paths()["purelib"])
        paths.append(sysconfig.get_paths()["platlib"])
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return command, env


def make_typical_repo(folder: Path, weights_bytes: int) -> Path:
    """README with full front matter, LICENSE, CODE_OF_CONDUCT.md, config.json and sparse weights.

    The text files are the project's own example (examples/good-model); the weights are sparse
    files of the requested total size (no disk blocks are written).
    """
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    example = ROOT / "examples" / "good-model"
    for name in ("README.md", "LICENSE", "CODE_OF_CONDUCT.md", "CONTRIBUTING.md"):
        shutil.copy(example / name, folder / name)
    config = {
        "architectures": ["BertForSequenceClassification"],
        "hidden_size": 768,
        "num_attention_heads": 12,
        "num_hidden_layers": 12,
        "vocab_size": 30522,
        "id2label": {"0": "NEGATIVE", "1": "POSITIVE"},
    }
    (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    (folder / "tokenizer_config.json").write_text('{"do_lower_case": true}\n')
    if weights_bytes:
        shards = ("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors")
        for name in shards:
            with open(folder / name, "wb") as handle:
                handle.truncate(weights_bytes // len(shards))
        (folder / "model.safetensors.index.json").write_text('{"weight_map": {}}\n')
    return folder
