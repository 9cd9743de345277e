"""The rule packs, data files and Python sources cite public sources only.

The rule packs' `docs`, `sources` and `source` texts reach users (docs/rules.md, `commonslint rule
CODE`, the audit report), and the comments and docstrings of `commonslint/` and `benchmarks/` are
read by anyone who reads the code, so none of them may point at this workspace's research notes
(DOMAIN.md) or its test corpus, which users do not have. The tests themselves read that corpus and
are not checked.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from tests.conftest import CORPUS, ROOT, run_cli

RULES = ROOT / "rules"
DATA_FILES = sorted([*RULES.glob("*.yaml"), *RULES.glob("*.json")])
PY_SOURCES = sorted([*(ROOT / "commonslint").rglob("*.py"), *(ROOT / "benchmarks").glob("*.py")])
PRIVATE = ("DOMAIN", "../shared", "shared/corpus")


def _private_mentions(text: str) -> list[str]:
    return [
        f"{n}: {line.strip()[:120]}"
        for n, line in enumerate(text.splitlines(), 1)
        if any(word in line for word in PRIVATE)
    ]


def test_the_data_files_are_all_checked() -> None:
    names = {p.name for p in DATA_FILES}
    assert {"licences.yaml", "licence.yaml", "licence_signatures.yaml"} <= names
    assert {"licence_signatures.json", "licence_sketches.json"} <= names


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_no_rule_or_data_file_cites_the_workspace(path: Path) -> None:
    found = _private_mentions(path.read_text(encoding="utf-8"))
    assert not found, f"{path.name} cites a source users cannot see:\n" + "\n".join(found)


def test_the_python_sources_are_all_checked() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in PY_SOURCES}
    assert {"commonslint/licences.py", "commonslint/lineage/obligations.py"} <= names
    assert {"benchmarks/build_sketches.py", "benchmarks/bench_detect.py"} <= names
    assert not any(name.startswith("tests/") for name in names)


@pytest.mark.parametrize("path", PY_SOURCES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_python_source_cites_the_workspace(path: Path) -> None:
    found = _private_mentions(path.read_text(encoding="utf-8"))
    rel = path.relative_to(ROOT).as_posix()
    assert not found, f"{rel} cites a source users cannot see:\n" + "\n".join(found)


def test_the_check_finds_a_private_citation() -> None:
    assert _private_mentions("basis: CC BY-SA 4.0 §3(b) (DOMAIN.md §4.2)")
    assert _private_mentions('"source": "shared/corpus/licenses/x.txt"')
    assert not _private_mentions("sources: [hub-docs docs/hub/repositories-licenses.md]")


def test_rule_documentation_as_users_get_it_cites_no_workspace_file() -> None:
    result = run_cli("rules", "--format", "markdown")
    assert result.returncode == 0, result.stderr
    assert "## CL" in result.stdout
    assert not _private_mentions(result.stdout)


def _build_sketches():
    spec = importlib.util.spec_from_file_location(
        "build_sketches", ROOT / "benchmarks" / "build_sketches.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not (CORPUS / "MANIFEST.tsv").is_file(), reason="test corpus not present")
def test_sketch_generator_cites_corpus_texts_by_their_public_origin() -> None:
    build = _build_sketches()
    corpus_sources = [
        name for options in build.SOURCES.values() for kind, name in options if kind == "corpus"
    ]
    assert corpus_sources
    for name in corpus_sources:
        cite = build._corpus_origin(name)
        assert not _private_mentions(cite), cite
        # owner/repo path (commit 0123abcd)
        assert re.fullmatch(r"[\w.-]+/[\w.-]+ \S+ \(commit [0-9a-f]{8}\)", cite), cite
