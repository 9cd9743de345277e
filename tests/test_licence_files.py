"""Licence files against the card, via the command line: CL106, CL107 resolved, CL110, CL301."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CORPUS, codes, run_cli, write_repo
from tests.test_rules import GOOD_CARD, repo

LICENCES = CORPUS / "licenses"
pytestmark = pytest.mark.skipif(not LICENCES.exists(), reason="../shared/corpus is not present")


def text(name: str) -> str:
    return (LICENCES / name).read_text(encoding="utf-8")


def lint(tmp_path: Path, licence: str, files: dict[str, str]) -> list[str]:
    card = GOOD_CARD.replace("license: mit", f"license: {licence}")
    root = write_repo(
        tmp_path, {**{k: v for k, v in repo(card).items() if k != "LICENSE"}, **files}
    )
    result = run_cli(".", cwd=root)
    assert "Traceback" not in result.stderr
    return codes(result.stdout)


def test_declared_licence_differs_from_the_file(tmp_path: Path) -> None:
    mit = text("mit__Stability-AI-stablediffusion.txt")
    assert "CL106" in lint(tmp_path / "a", "apache-2.0", {"LICENSE": mit})
    assert "CL106" not in lint(tmp_path / "b", "mit", {"LICENSE": mit})


def test_code_licence_beside_model_licence_is_not_a_mismatch(tmp_path: Path) -> None:
    files = {
        "LICENSE-CODE": text("mit__Stability-AI-stablediffusion.txt"),
        "LICENSE-MODEL": text("creativeml-openrail-m__CompVis-stable-diffusion.txt"),
    }
    found = lint(tmp_path, "creativeml-openrail-m", files)
    assert "CL106" not in found and "CL301" not in found and "CL105" not in found


def test_rail_text_without_attachment_a(tmp_path: Path) -> None:
    full = text("creativeml-openrail-m__CompVis-stable-diffusion.txt")
    cut = full[: full.index("\nAttachment A")]
    assert "CL301" in lint(tmp_path / "cut", "creativeml-openrail-m", {"LICENSE": cut})
    assert "CL301" not in lint(tmp_path / "full", "creativeml-openrail-m", {"LICENSE": full})


def test_family_id_resolved_by_the_file(tmp_path: Path) -> None:
    rail = text("creativeml-openrail-m__CompVis-stable-diffusion.txt")
    assert "CL107" not in lint(tmp_path / "a", "openrail", {"LICENSE": rail})
    assert "CL107" in lint(tmp_path / "b", "openrail", {})
    # a file that is not a member of the family does not resolve it
    mit = text("mit__Stability-AI-stablediffusion.txt")
    assert "CL107" in lint(tmp_path / "c", "openrail", {"LICENSE": mit})


def test_unidentified_licence_file_is_info(tmp_path: Path) -> None:
    ours = "These are the terms we wrote ourselves for this model, in our own words, " * 5
    found = lint(tmp_path / "a", "apache-2.0", {"LICENSE": ours})
    assert "CL110" in found and "CL106" not in found
    apache = text("apache-2.0__huggingface_hub.txt")
    assert "CL110" not in lint(tmp_path / "b", "apache-2.0", {"LICENSE": apache})
    # with `license: other` an unknown text is expected, not reported
    other = "other\nlicense_name: ours\nlicense_link: LICENSE"
    assert "CL110" not in lint(tmp_path / "c", other, {"LICENSE": ours})
