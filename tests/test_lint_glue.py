"""`Linter.lint` skips the per-file-ignore, suppression and severity steps when they cannot
change anything; with them in use, it must give what the steps always run gave."""

from __future__ import annotations

import gzip
import itertools
import json
from typing import Any

import pytest

from commonslint import facts as facts_mod
from commonslint.config import Config
from commonslint.findings import Severity, sort_findings
from commonslint.lint import Linter, _apply_suppressions
from commonslint.sources import MemoryRepo
from tests.conftest import CORPUS

BULK = CORPUS / "bulk" / "hub-readmes-2023.jsonl.gz"


def _reference(linter: Linter, repo: MemoryRepo) -> list[Any]:
    """`Linter.lint` as it was, every step always run."""
    facts, suppressions = facts_mod.compute(repo, linter.config.kind)
    findings = linter.engine.run(facts)
    findings = [f for f in findings if not linter.config.ignored_for_path(f)]
    findings = _apply_suppressions(findings, suppressions, repo.card_path)
    facts["suppressions"] = {"unused": linter._unused(suppressions, repo.card_path)}
    late = linter.engine.run(facts, stage="suppressions")
    findings.extend(f for f in late if not linter.config.ignored_for_path(f))
    findings = [linter._severity(f) for f in findings]
    return [(f, f.severity, f.fix) for f in sort_findings(findings)]


def _cards() -> list[str]:
    cards = [
        "---\nlicense: mit\n# commonslint: ignore CL501 CL999 nonsense\n---\n# M\n",
        "---\nlicense: mit\n---\n# M\n<!-- commonslint: ignore CL602 -->\n## Bias\n",
        "no front matter at all <!-- commonslint: ignore CL002 CL101 -->\n",
        "---\ndatasets: [x]\n---\n# M\n",
    ]
    if BULK.exists():
        with gzip.open(BULK, "rt", encoding="utf-8") as handle:
            for line in itertools.islice(handle, 0, 3000, 30):
                cards.append(json.loads(line)["card"])
    return cards


CONFIGS = [
    Config(),
    Config(per_file_ignores={"README.md": ["CL5"]}, severity={"CL602": Severity.ERROR}),
    Config(per_file_ignores={"*.md": ["CL901", "CL1"]}, severity={"CL901": Severity.INFO}),
    Config(ignore=["CL6"], severity={"CL501": Severity.WARNING, "CL101": Severity.INFO}),
]


@pytest.mark.parametrize("config", CONFIGS)
def test_lint_gives_what_every_step_gave(config: Config) -> None:
    linter = Linter(config)
    suppressed = 0
    for card in _cards():
        got = linter.lint(MemoryRepo({"README.md": card}, card_only=True), "x").findings
        expected = _reference(linter, MemoryRepo({"README.md": card}, card_only=True))
        assert [(f, f.severity, f.fix) for f in got] == expected
        suppressed += "commonslint: ignore" in card
    assert suppressed >= 3
