"""The lineage rules on the real cards of ../shared/corpus that declare a `base_model`.

No traceback, and exactly the findings we defend: parents the table does not know are CL206
(info), a licensor's own releases (Google's Gemma, Meta's Llama cards) owe nothing to their own
licence, and a third-party Llama adapter without "Built with Llama" or a NOTICE file is flagged.
"""

from __future__ import annotations

from pathlib import Path

from conftest import CORPUS, run_cli


def _cards_with_base_model() -> list[Path]:
    return sorted(
        p.parent
        for p in (CORPUS / "cards").glob("*/README.md")
        if "\nbase_model:" in p.read_text(encoding="utf-8", errors="replace")
    )


def test_corpus_lineage_findings(tmp_path: Path) -> None:
    cards = _cards_with_base_model()
    assert len(cards) >= 20
    result = run_cli(
        "--isolated",
        "--select",
        "CL109,CL2,CL303",
        *map(str, cards),
        env={"HF_HUB_CACHE": str(tmp_path / "empty-cache")},
    )
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr and result.stderr == ""
    found = sorted(
        (Path(line.split(":", 1)[0]).parent.name, line.split(": ")[1].split(" ")[0])
        for line in result.stdout.splitlines()
        if ": CL" in line
    )
    assert found == [
        ("066-hub2025-dphn-dolphin-2-9-1-yi-1-5-34b", "CL206"),  # 01-ai/Yi-1.5-34B
        ("066-hub2025-dphn-dolphin-2-9-1-yi-1-5-34b", "CL206"),  # teknium/OpenHermes-2.5
        ("067-hub2025-facebook-mobilellm-r1-950m", "CL206"),
        ("091-hub2025-inclusionai-ling-flash-2-0", "CL206"),
        ("271-peft-lora-llama31-local-base", "CL206"),  # a Kaggle path, not a Hub id
        ("272-peft-lora-llama32-1b", "CL109"),
        ("272-peft-lora-llama32-1b", "CL207"),  # no "Built with Llama"; name is a placeholder
        ("273-peft-lora-unsloth-llama31", "CL206"),
    ], result.stdout


def test_corpus_lineage_tree_has_no_traceback() -> None:
    for card in _cards_with_base_model()[:6]:
        result = run_cli("lineage", str(card))
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[1].startswith(("├── ", "└── "))
