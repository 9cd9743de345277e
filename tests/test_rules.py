"""Every rule, through the command line: a fixture repository that fires it, one that does not.

Each case is a small repository written on the fly. The passing fixture differs from the failing
one only in what the rule is about, so a rule that fires on everything (or nothing) fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from commonslint.cli import main
from commonslint.rulepacks import load_rules
from tests.conftest import CORPUS, codes, write_repo

SHARED_LICENCES = CORPUS / "licenses"

GOOD_CARD = """---
license: mit
language: [en]
datasets: [openai/gsm8k]
co2_eq_emissions:
  emissions: 120.5
  source: CodeCarbon
  training_type: fine-tuning
  geographical_location: Quebec, Canada
  hardware_used: 1 A100
---

# Test model

## Uses

### Out-of-Scope Use

Not for medical advice.

## Bias, Risks, and Limitations

Trained on film reviews only; poor on other text.

## Training Details

### Training Data

The imdb train split.
"""
MIT_TEXT = (SHARED_LICENCES / "mit__Stability-AI-stablediffusion.txt").read_text(encoding="utf-8")
COC = "# Code of conduct\n\nWe adopt the Contributor Covenant 2.1. Report to a@example.org.\n"
CONTRIB = "# Contributing\n\nOpen a discussion.\n"


def card(**replace: str) -> str:
    text = GOOD_CARD
    for old, new in replace.items():
        text = text.replace(old.replace("_", " ") if old.startswith("_") else old, new)
    return text


def repo(card_text: str | bytes | None = None, **extra: str | bytes) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {
        "CODE_OF_CONDUCT.md": COC,
        "CONTRIBUTING.md": CONTRIB,
        "LICENSE": MIT_TEXT,
    }
    if card_text is not None:
        files["README.md"] = card_text
    files.update(extra)
    return files


def without(files: dict[str, str | bytes], name: str) -> dict[str, str | bytes]:
    return {k: v for k, v in files.items() if k != name}


def swap(old: str, new: str) -> str:
    assert old in GOOD_CARD, old
    return GOOD_CARD.replace(old, new, 1)


APACHE_CARD = swap("license: mit", "license: apache-2.0")
RAIL_CARD = swap("license: mit", "license: creativeml-openrail-m")

# code -> (files that trigger it, files that do not)
CASES: dict[str, tuple[dict[str, str | bytes], dict[str, str | bytes]]] = {
    "CL001": (repo(None), repo(GOOD_CARD)),
    "CL002": (repo("# Title\n---\nlicense: mit\n---\n"), repo(GOOD_CARD)),
    "CL003": (repo(swap("language: [en]", "language: [en")), repo(GOOD_CARD)),
    "CL004": (repo("---\n- license: mit\n---\n# x\n"), repo(GOOD_CARD)),
    "CL005": (repo(swap("datasets: [openai/gsm8k]", "datasets: [null]")), repo(GOOD_CARD)),
    "CL006": (repo(swap("datasets: [openai/gsm8k]", "dataset: [imdb]")), repo(GOOD_CARD)),
    "CL007": (
        repo(swap("language: [en]", "language: [en, no]")),
        repo(swap("language: [en]", 'language: [en, "no"]')),
    ),
    "CL008": (repo(swap("license: mit", "license: mit\nlicense: mit")), repo(GOOD_CARD)),
    "CL101": (repo(swap("license: mit\n", "")), repo(GOOD_CARD)),
    "CL102": (repo(swap("license: mit", "license: apache 2")), repo(GOOD_CARD)),
    "CL103": (
        repo(swap("license: mit", "license: other"), LICENSE="Our own terms.\n"),
        repo(
            swap("license: mit", "license: other\nlicense_name: ours\nlicense_link: LICENSE"),
            LICENSE="Our own terms.\n",
        ),
    ),
    "CL104": (
        repo(
            swap("license: mit", "license: other\nlicense_name: ours\nlicense_link: LICENSE.md"),
            LICENSE="Our own terms.\n",
        ),
        repo(
            swap("license: mit", "license: other\nlicense_name: ours\nlicense_link: LICENSE"),
            LICENSE="Our own terms.\n",
        ),
    ),
    "CL105": (
        without(repo(APACHE_CARD), "LICENSE"),
        repo(APACHE_CARD, LICENSE="Licensed under the Apache License, Version 2.0.\n"),
    ),
    "CL107": (
        repo(swap("license: mit", "license: bsd")),
        repo(swap("license: mit", "license: bsd-3-clause")),
    ),
    "CL108": (repo(swap("license: mit", "license: MIT")), repo(GOOD_CARD)),
    "CL302": (repo(RAIL_CARD.replace("Not for medical advice.", "")), repo(RAIL_CARD)),
    "CL401": (without(repo(GOOD_CARD), "CODE_OF_CONDUCT.md"), repo(GOOD_CARD)),
    "CL403": (without(repo(GOOD_CARD), "CONTRIBUTING.md"), repo(GOOD_CARD)),
    "CL501": (repo(GOOD_CARD.split("co2_eq_emissions")[0] + "---\n# T\n"), repo(GOOD_CARD)),
    "CL502": (repo(swap("emissions: 120.5", 'emissions: "120 g"')), repo(GOOD_CARD)),
    "CL503": (repo(swap("  source: CodeCarbon\n", "")), repo(GOOD_CARD)),
    "CL504": (repo(GOOD_CARD + "\nCarbon emitted: 0.12 kg CO2eq\n"), repo(GOOD_CARD)),
    "CL601": (repo(swap("The imdb train split.", "[More Information Needed]")), repo(GOOD_CARD)),
    "CL602": (repo(swap("Trained on film reviews only; poor on other text.", "")), repo(GOOD_CARD)),
    "CL603": (
        repo(swap("datasets: [openai/gsm8k]\n", "").replace("The imdb train split.", "")),
        repo(swap("datasets: [openai/gsm8k]\n", "")),
    ),
    "CL901": (
        repo(swap("license: mit", "license: mit\n# commonslint: ignore CL101")),
        repo(swap("license: mit\n", "# commonslint: ignore CL101\n")),
    ),
    "CL902": (repo(b"---\nlicense: mit\n---\n\xff\xfe bad"), repo(GOOD_CARD)),
}
CASES["CL402"] = (
    {**repo(GOOD_CARD), "CODE_OF_CONDUCT.md": "Report to [INSERT CONTACT METHOD].\n"},
    repo(GOOD_CARD),
)
# Rules that need a licence text or lineage facts are tested with those facts' own tests.
ELSEWHERE = {"CL106", "CL110", "CL301"}


def lint(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    status = main([str(root), "--isolated", *args])
    out = capsys.readouterr().out
    return status, out


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_fires_and_stays_quiet(
    code: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    failing, passing = CASES[code]
    _, out = lint(write_repo(tmp_path / "fails", failing), capsys)
    assert code in codes(out), out
    _, out = lint(write_repo(tmp_path / "passes", passing), capsys)
    assert code not in codes(out), out


def test_every_builtin_rule_has_a_case() -> None:
    builtin = {r.code for r in load_rules() if r.builtin}
    untested = builtin - set(CASES) - ELSEWHERE
    # Rules of packs still being built (lineage) are covered by their own tests.
    untested = {c for c in untested if not c.startswith("CL2") and c not in ("CL109", "CL303")}
    assert not untested, f"rules without a fires/quiet case: {sorted(untested)}"


def test_good_card_is_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = lint(write_repo(tmp_path, repo(GOOD_CARD)), capsys)
    assert status == 0
    assert codes(out) == []
    assert "All checks passed" in out


def test_front_matter_traps_are_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    traps = {
        "\ufeff---\nlicense: mit\n---\n": "byte-order mark",
        "--- \nlicense: mit\n---\n": "opening `---` line has other text",
        "---\nlicense: mit\n--- x\n": "closing `---` line has other text",
        "---\nlicense: mit\n...\n": "closed with `...`",
        "---\nlicense: mit\n": "never closed",
        "---\n---\n# t\n": "empty `---`/`---` pair",
        "# T\n---\nlicense: mit\n---\n": "before the `---` block",
    }
    for i, (text, words) in enumerate(traps.items()):
        _, out = lint(write_repo(tmp_path / str(i), {"README.md": text}), capsys)
        line = next(ln for ln in out.splitlines() if "CL002" in ln)
        assert words in line, (text, line)


def test_locations_point_at_the_value(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = swap("license: mit", "license: Apache-2.0")
    _, out = lint(write_repo(tmp_path, repo(text, LICENSE="x\n")), capsys)
    line = next(ln for ln in out.splitlines() if "CL108" in ln)
    assert line.startswith("README.md:2:10: CL108 [warning]") or ":2:10: CL108" in line, line


def test_dataset_cards_skip_model_only_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "---\nlicense: cc-by-4.0\ntask_categories: [text-classification]\n---\n# Dataset Card\n"
    _, out = lint(write_repo(tmp_path, repo(text)), capsys)
    found = codes(out)
    assert "CL501" not in found and "CL603" not in found
    assert "CL602" in found  # the bias section applies to datasets too


def test_card_only_sources_do_not_report_missing_files() -> None:
    from commonslint.config import Config
    from commonslint.lint import Linter
    from commonslint.sources import MemoryRepo

    linter = Linter(Config())
    text = swap("license: mit", "license: apache-2.0")
    whole = linter.lint(MemoryRepo({"README.md": text}), "whole")
    alone = linter.lint(MemoryRepo({"README.md": text}, card_only=True), "card")
    assert {"CL105", "CL401", "CL403"} <= {f.code for f in whole.findings}
    assert not {"CL105", "CL401", "CL403"} & {f.code for f in alone.findings}
