"""Real cards: the 274 cards of the shared corpus and the 25,109 Hub READMEs of the bulk corpus.

Every one must lint without an exception, and the metadata our parser reads must equal what
`huggingface_hub`'s own `RepoCard` reads wherever that succeeds.
"""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from commonslint.card import REGEX_YAML_BLOCK, split_front_matter
from commonslint.config import Config
from commonslint.lint import Linter
from commonslint.sources import MemoryRepo, open_local
from tests.conftest import CORPUS, run_cli

CARDS = sorted(p for p in (CORPUS / "cards").iterdir() if p.is_dir()) if CORPUS.exists() else []
BULK = CORPUS / "bulk" / "hub-readmes-2023.jsonl.gz"
pytestmark = pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus is not present")


def bulk_cards() -> Iterator[tuple[str, str]]:
    with gzip.open(BULK, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            yield record["source_path"], record["card"]


def test_regex_is_the_hubs() -> None:
    from huggingface_hub import repocard

    assert REGEX_YAML_BLOCK.pattern == repocard.REGEX_YAML_BLOCK.pattern


def test_every_corpus_card_lints() -> None:
    linter = Linter(Config())
    seen = 0
    for folder in CARDS:
        result = linter.lint(open_local(str(folder)), str(folder))
        for finding in result.findings:
            loc = finding.location
            assert loc.line >= 1 and loc.column >= 1, (folder.name, finding)
            if loc.path == "README.md" and result.facts["card"]["readable"]:
                assert loc.line <= result.facts["card"]["text_lines"], (folder.name, finding)
        seen += 1
    assert seen == len(CARDS) > 250


@pytest.mark.parametrize("folder", CARDS[::25], ids=lambda p: p.name)
def test_corpus_cards_through_the_command_line(folder: Path) -> None:
    result = run_cli(str(folder))
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith(("Found", "All checks passed"))


def test_bulk_corpus_lints_and_agrees_with_huggingface_hub() -> None:
    from huggingface_hub import RepoCard

    logging.disable(logging.WARNING)  # RepoCard warns on every card without metadata
    try:
        linter = Linter(Config())
        total = agree = hub_failed = 0
        disagreements = []
        for source, text in bulk_cards():
            total += 1
            linter.lint(MemoryRepo({"README.md": text}, display=source), source)
            front = split_front_matter(text)
            try:
                hub = RepoCard(text, ignore_metadata_errors=True).data.to_dict()
            except Exception:
                hub_failed += 1
                continue
            ours = front.data if front.status == "ok" else {}
            ours = {k: v for k, v in ours.items() if v is not None}  # as CardData.to_dict
            if ours == hub:
                agree += 1
            else:
                disagreements.append(source)
    finally:
        logging.disable(logging.NOTSET)
    assert total == 25_109
    assert not disagreements, disagreements[:10]
    assert agree == total - hub_failed
    assert hub_failed < 50  # the corpus README says 6 fail even when ignoring metadata errors
