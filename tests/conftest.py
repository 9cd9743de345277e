"""Shared test helpers: fixture repositories written on the fly, and the CLI as a user runs it."""

from __future__ import annotations

import gzip
import itertools
import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
BULK = CORPUS / "bulk" / "hub-readmes-2023.jsonl.gz"


def sample_cards(every: int) -> list[str]:
    """The texts of all corpus cards, then every `every`th bulk card: what a fast path is held
    equal to its reference on (each part only where the shared corpus is present)."""
    texts = []
    if (CORPUS / "cards").is_dir():
        texts += [
            p.read_text(encoding="utf-8", errors="replace")
            for p in sorted((CORPUS / "cards").rglob("*.md"))
        ]
    if BULK.exists():
        with gzip.open(BULK, "rt", encoding="utf-8") as f:
            texts += [json.loads(line)["card"] for line in itertools.islice(f, 0, None, every)]
    return texts


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each test session gets its own cache folder, so no test depends on a user's cache."""
    monkeypatch.setenv("COMMONSLINT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def write_repo(root: Path, files: dict[str, str | bytes]) -> Path:
    """Create a repository folder from {relative path: text or bytes}."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., Path]:
    counter = iter(range(1000))

    def make(files: dict[str, str | bytes], name: str | None = None) -> Path:
        return write_repo(tmp_path / (name or f"repo{next(counter)}"), files)

    return make


def run_cli(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 60,
    prefix: Sequence[str] = (),
    preexec_fn: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `python -m commonslint ARGS` in a subprocess, as a user (or pre-commit) would.

    `prefix` runs it under another command (e.g. `setpriv ...`); `preexec_fn` sets limits."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = str(ROOT) + os.pathsep + full_env.get("PYTHONPATH", "")
    full_env.update(env or {})
    return subprocess.run(
        [*prefix, sys.executable, "-m", "commonslint", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=preexec_fn,
        check=False,
    )


@pytest.fixture
def cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    return run_cli


def codes(output: str) -> list[str]:
    """The rule codes of text-format findings, in order."""
    found = []
    for line in output.splitlines():
        parts = line.split(": ", 2)
        if len(parts) >= 2 and parts[1][:2].isalpha() and parts[1].split(" ")[0][2:].isdigit():
            found.append(parts[1].split(" ")[0])
    return found
