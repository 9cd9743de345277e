"""An audit of the whole bulk corpus (25,109 real cards) completes, and its numbers agree with an
independent count made with `huggingface_hub`'s own card reader.

This is the one slow test of the audit (about half a minute on two cores): the audit itself, and
`huggingface_hub.RepoCard` (pure-Python YAML) reading every card for the independent count.
"""

from __future__ import annotations

import gzip
import json
import logging
from pathlib import Path

import pytest
import yaml

from tests.conftest import CORPUS

BULK = CORPUS / "bulk" / "hub-readmes-2023.jsonl.gz"
CARDS = 25_109


def _hub_reading(card: str) -> dict:
    """The metadata as `huggingface_hub` reads it (errors ignored, as the Hub's UI does)."""
    from huggingface_hub import RepoCard

    try:
        return RepoCard(card, ignore_metadata_errors=True).data.to_dict()
    except Exception:  # a handful of cards break even the lenient reader: no metadata
        return {}


def _declares(data: dict) -> bool:
    """Our definition of "declares a licence", applied to huggingface_hub's reading: a
    non-empty id, or a list holding at least one (a mapping is a wrong type, not a licence)."""
    value = data.get("license")
    values = value if isinstance(value, list) else [value]
    return any(
        isinstance(v, (str, int, float)) and not isinstance(v, bool) and str(v).strip()
        for v in values
    )


@pytest.mark.skipif(not BULK.exists(), reason="the shared bulk corpus is not beside the project")
def test_bulk_corpus_audit_agrees_with_huggingface_hub(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "audit"
    done = cli("audit", str(BULK), "-o", str(out), "--jobs", "2", timeout=600)
    assert done.returncode == 0, done.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["complete"] is True
    assert summary["repositories"] == CARDS and summary["bad_records"]["count"] == 0
    assert sum(c["repositories"] for c in summary["licence_classes"].values()) == CARDS

    logging.getLogger("huggingface_hub").setLevel(logging.CRITICAL)
    hub_declared: dict[str, bool] = {}
    hub_emissions = 0
    cards: dict[str, str] = {}
    with gzip.open(BULK, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            data = _hub_reading(record["card"])
            hub_declared[record["source_path"]] = _declares(data)
            hub_emissions += data.get("co2_eq_emissions") is not None
            cards[record["source_path"]] = record["card"]

    ours = {}
    with open(out / "findings.jsonl", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            ours[record["id"]] = record["indicators"]["licence_declared"]
    assert list(ours) == list(hub_declared)  # every card, in input order
    assert summary["indicators"]["licence_declared"]["yes"] == sum(ours.values())

    # The two counts may differ only where the two YAML parsers differ: commonslint reads front
    # matter with libyaml (PyYAML's C loader), huggingface_hub with PyYAML's pure-Python loader,
    # and the Python scanner rejects some tabs that libyaml accepts (2 cards of the corpus).
    # Each disagreement must be exactly that: the C loader reads the block, Python's refuses it.
    from huggingface_hub.repocard import REGEX_YAML_BLOCK

    differ = [key for key in ours if ours[key] != hub_declared[key]]
    assert len(differ) <= 5, differ[:10]
    for key in differ:
        block = REGEX_YAML_BLOCK.search(cards[key])
        assert block is not None, key
        assert isinstance(yaml.load(block.group(2), Loader=yaml.CSafeLoader), dict), key
        with pytest.raises(yaml.YAMLError):
            yaml.load(block.group(2), Loader=yaml.SafeLoader)
    hub_count = sum(hub_declared.values())
    assert abs(summary["indicators"]["licence_declared"]["yes"] - hub_count) == len(differ)
    assert summary["emissions_present"]["repositories"] == hub_emissions
