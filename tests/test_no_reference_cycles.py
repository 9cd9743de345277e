"""A lint leaves no reference cycles behind.

Everything a lint builds (the card text, its YAML nodes, the facts) is freed by reference
counting as soon as the result is dropped. A cycle (a recursive closure, an object pointing
back at its owner) would keep all of it alive until the cyclic GC runs, and that collection
was a tenth of a bulk lint's time when lineage left one per card with parents.
"""

from __future__ import annotations

import gc
import gzip
import itertools
import json
from collections.abc import Iterator

from commonslint.config import Config
from commonslint.lint import Linter
from commonslint.sources import MemoryRepo, open_local
from tests.conftest import CORPUS, ROOT

BULK = CORPUS / "bulk" / "hub-readmes-2023.jsonl.gz"


def _repos() -> Iterator[tuple[object, str]]:
    for folder in sorted((ROOT / "examples").iterdir()):
        if folder.is_dir():
            yield open_local(str(folder)), folder.name
    for folder in sorted((CORPUS / "cards").iterdir())[:80]:
        if folder.is_dir():
            yield open_local(str(folder)), folder.name
    if BULK.exists():
        with gzip.open(BULK, "rt", encoding="utf-8") as handle:
            for line in itertools.islice(handle, 0, 3000, 5):
                card = json.loads(line)["card"]
                for card_only in (True, False):
                    yield MemoryRepo({"README.md": card}, card_only=card_only), "x"


def test_linting_leaves_no_cyclic_garbage() -> None:
    linter = Linter(Config())
    repos = list(_repos())
    linter.lint(*repos[0])  # first-use caches fill here, outside the count
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        with_parents = 0
        for repo, target in repos:
            result = linter.lint(repo, target)
            with_parents += bool(result.facts["lineage"].get("nodes"))
            del result
        unreachable = gc.collect()
    finally:
        if was_enabled:
            gc.enable()
    assert with_parents > 20  # the cards that once left a cycle were linted
    assert unreachable == 0
