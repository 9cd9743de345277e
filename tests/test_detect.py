"""Tests for commonslint.detect: real texts from ../shared, and edited copies made from them."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from commonslint.detect import SURE, identify
from commonslint.detect.reference import compile_signatures, rules_dir

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
LICENSES = SHARED / "licenses"
CARDS = SHARED / "cards"
DEBIAN = Path("/usr/share/common-licenses")

needs_corpus = pytest.mark.skipif(not LICENSES.is_dir(), reason="../shared corpus not present")

# File-name prefix in shared/corpus/licenses -> expected id (MANIFEST.tsv says what each is).
PREFIX_ID = {
    "creativeml-openrail-pp-m": "openrail++",
    "gemma-terms-of-use": "gemma",
    "llama2-community-license": "llama2",
    "llama3-community-license": "llama3",
    "llama3.1-community-license": "llama3.1",
    "llama3.2-community-license": "llama3.2",
    "llama3.3-community-license": "llama3.3",
    "llama4-community-license": "llama4",
    "llama2-acceptable-use-policy": "llama2-aup",
    "llama3-acceptable-use-policy": "llama3-aup",
    "sdxl-0.9-research-license": "sdxl-0.9-research",
}
KIND = {"gemma-notice": "notice", "llama2-aup": "use-policy", "llama3-aup": "use-policy"}


def _expected_for_licence_file(path: Path) -> str:
    prefix = path.name.split("__")[0]
    return PREFIX_ID.get(prefix, prefix)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


LICENCE_FILES = sorted(LICENSES.glob("*.txt")) if LICENSES.is_dir() else []


@needs_corpus
@pytest.mark.parametrize("path", LICENCE_FILES, ids=lambda p: p.name)
def test_corpus_licence_texts(path: Path) -> None:
    expected = _expected_for_licence_file(path)
    got = identify(_read(path), path.name)
    assert got.licence == expected, got
    assert got.sure, got
    assert got.kind == KIND.get(expected, "licence")
    assert got.missing == ()


# Licence-like files kept beside cards. MANIFEST.tsv only says "file kept beside the card", so
# what each is was read by hand; None = not a text we can or should identify.
BESIDE_CARDS = {
    "256-llama2-github-model-card/LICENSE": "llama2",
    "256-llama2-github-model-card/USE_POLICY.md": "llama2-aup",
    "256-llama2-github-model-card/CODE_OF_CONDUCT.md": "contributor-covenant-1.4",
    "257-llama3-github-model-card/LICENSE": "llama3",
    "257-llama3-github-model-card/USE_POLICY.md": "llama3-aup",
    "257-llama3-github-model-card/CODE_OF_CONDUCT.md": "contributor-covenant-1.4",
    "258-llama-models-llama2/LICENSE": "llama2",
    "258-llama-models-llama2/USE_POLICY.md": "llama2-aup",
    "259-llama-models-llama3/LICENSE": "llama3",
    "259-llama-models-llama3/USE_POLICY.md": "llama3-aup",
    "260-llama-models-llama3_1/LICENSE": "llama3.1",
    "260-llama-models-llama3_1/USE_POLICY.md": "llama3.1-aup",
    "261-llama-models-llama3_2/LICENSE": "llama3.2",
    "261-llama-models-llama3_2/USE_POLICY.md": "llama3.2-aup",
    "262-llama-models-llama3_2-vision/LICENSE": "llama3.2",
    "262-llama-models-llama3_2-vision/USE_POLICY.md": "llama3.2-aup",
    "263-llama-models-llama3_3/LICENSE": "llama3.3",
    "263-llama-models-llama3_3/USE_POLICY.md": "llama3.3-aup",
    "264-llama-models-llama4/LICENSE": "llama4",
    "264-llama-models-llama4/USE_POLICY.md": "llama4-aup",
    "265-compvis-stable-diffusion-v1/LICENSE": "creativeml-openrail-m",
    "266-stabilityai-stable-diffusion-2/LICENSE": "mit",
    "266-stabilityai-stable-diffusion-2/LICENSE-MODEL": "openrail++",
    "267-bigscience-bloom-model-card-repo/LICENSE": "apache-2.0",
    "268-codefuse-codellama-34b/MODEL_LICENSE.md": None,  # CodeFuse's own licence
    "269-lingowhale-8b/MODEL_LICENSE.md": None,  # a Chinese-language custom licence
    "270-deepseek-v3-github/LICENSE-CODE": "mit",
    "270-deepseek-v3-github/LICENSE-MODEL": "deepseek-license",
    "274-codellama-github-model-card/LICENSE": None,  # one line pointing to a URL
    "274-codellama-github-model-card/USE_POLICY.md": None,  # one line pointing to a URL
    "274-codellama-github-model-card/CODE_OF_CONDUCT.md": "contributor-covenant-1.4",
}


@needs_corpus
def test_every_file_beside_cards_is_listed() -> None:
    """Keeps BESIDE_CARDS honest when the corpus grows."""
    manifest = _read(SHARED / "MANIFEST.tsv").splitlines()
    listed = {
        line.split("\t")[0].removeprefix("cards/")
        for line in manifest
        if line.startswith("cards/") and not line.split("\t")[0].endswith("README.md")
    }
    assert listed == set(BESIDE_CARDS)


@needs_corpus
@pytest.mark.parametrize("rel", sorted(BESIDE_CARDS))
def test_files_beside_cards(rel: str) -> None:
    path = CARDS / rel
    got = identify(_read(path), path.name)
    expected = BESIDE_CARDS[rel]
    assert got.licence == expected, got
    assert got.sure == (expected is not None), got


DEBIAN_IDS = {
    "Apache-2.0": "apache-2.0",
    "GPL-2": "gpl-2.0",
    "GPL-3": "gpl-3.0",
    "LGPL-2.1": "lgpl-2.1",
    "LGPL-3": "lgpl-3.0",
    "MPL-2.0": "mpl-2.0",
    "CC0-1.0": "cc0-1.0",
    "BSD": "bsd-3-clause",
}


@pytest.mark.parametrize("name", sorted(DEBIAN_IDS))
def test_debian_common_licenses(name: str) -> None:
    path = DEBIAN / name
    if not path.is_file():
        pytest.skip(f"{path} not on this machine")
    got = identify(_read(path), name)
    assert got.licence == DEBIAN_IDS[name], got
    assert got.sure


@pytest.mark.parametrize("name", ["GFDL-1.3", "Artistic", "GPL-1", "MPL-1.1"])
def test_debian_texts_we_have_no_reference_for_are_not_misidentified(name: str) -> None:
    path = DEBIAN / name
    if not path.is_file():
        pytest.skip(f"{path} not on this machine")
    got = identify(_read(path), name)
    assert not got.sure, got


# ---- edited copies -------------------------------------------------------------------------


def _rail_without_attachment_a(text: str) -> str:
    head, sep, _ = text.rpartition("Attachment A")
    assert sep, "fixture text has no Attachment A"
    return head


@needs_corpus
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("creativeml-openrail-m__CompVis-stable-diffusion.txt", "creativeml-openrail-m"),
        ("creativeml-openrail-pp-m__Stability-AI-stablediffusion.txt", "openrail++"),
        ("bigscience-bloom-rail-1.0__bloom-revolt-bot.txt", "bigscience-bloom-rail-1.0"),
        ("deepseek-license__deepseek-ai-DeepSeek-V3.txt", "deepseek-license"),
        ("openrail-m__Clay-foundation-model.txt", "openrail-m"),
    ],
)
def test_rail_without_attachment_a(name: str, expected: str) -> None:
    full = identify(_read(LICENSES / name))
    assert full.use_restrictions is True
    cut = identify(_rail_without_attachment_a(_read(LICENSES / name)))
    assert cut.licence == expected, cut
    assert cut.use_restrictions is False
    assert cut.missing == ("use-restrictions",)


@needs_corpus
def test_apache_appendix_only_is_apache_without_terms() -> None:
    text = _read(LICENSES / "apache-2.0__huggingface_hub.txt")
    appendix = text[text.index("APPENDIX: How to apply") :]
    got = identify(appendix)
    # Decision: the appendix names Apache-2.0 and no other licence, so it is reported as
    # apache-2.0 (a declared apache-2.0 must not be called a mismatch) with the terms missing.
    assert got.licence == "apache-2.0"
    assert got.missing == ("terms",)
    assert got.sure


def test_apache_file_header_is_apache_without_terms() -> None:
    header = (
        "Copyright 2024 Example Org\n\nLicensed under the Apache License, Version 2.0 (the "
        '"License");\nyou may not use this file except in compliance with the License.\n'
    )
    got = identify(header)
    assert (got.licence, got.missing) == ("apache-2.0", ("terms",))


@needs_corpus
def test_mit_with_copyright_lines_added() -> None:
    text = _read(LICENSES / "mit__Stability-AI-stablediffusion.txt")
    edited = "Copyright (c) 2031 Somebody Else <someone@example.org>\n" + text.replace(
        "Copyright (c) 2022 Stability AI", "Copyright (c) 2022-2031 Stability AI and contributors"
    )
    got = identify(edited)
    assert (got.licence, got.sure, got.missing) == ("mit", True, ())


def _markdown(text: str) -> str:
    """Reformat a plain text as Markdown: heading, bold terms, links, re-flowed paragraphs."""
    paras = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
    out = [f"# {paras[0]}"]
    for p in paras[1:]:
        p = re.sub(r"\b(License|Licensor|Model|Software)\b", r"**\1**", p)
        p = re.sub(r"(https?://[^\s)]+)", r"[\1](\1)", p)
        out.append(p)
    return "\n\n".join(out)


@needs_corpus
@pytest.mark.parametrize(
    "name",
    [
        "apache-2.0__huggingface_hub.txt",
        "mit__Stability-AI-stablediffusion.txt",
        "creativeml-openrail-m__CompVis-stable-diffusion.txt",
        "llama3.2-community-license__meta-llama-llama-models.txt",
        "cc-by-sa-4.0__git-flight-rules.txt",
    ],
)
def test_markdown_reformatted_copy(name: str) -> None:
    text = _read(LICENSES / name)
    md = _markdown(text)
    assert md != text and "**" in md
    plain, got = identify(text), identify(md)
    assert got.licence == plain.licence == _expected_for_licence_file(LICENSES / name)
    assert got.sure


@needs_corpus
def test_two_licences_in_one_file() -> None:
    mit = _read(LICENSES / "mit__Stability-AI-stablediffusion.txt")
    rail = _read(LICENSES / "creativeml-openrail-m__CompVis-stable-diffusion.txt")
    got = identify("Code:\n\n" + mit + "\n\nModel weights:\n\n" + rail)
    # Decision: the licence covering most of the text is `licence`, the others are listed.
    assert got.licence == "creativeml-openrail-m"
    assert got.others == ("mit",)
    assert got.use_restrictions is True


@needs_corpus
def test_llama_variants_are_not_confused_when_the_title_is_gone() -> None:
    text = _read(LICENSES / "llama3.1-community-license__meta-llama-llama-models.txt")
    body = text.split("\n", 2)[2]  # drop the title and the release date line
    got = identify(body)
    assert got.licence in (None, "llama3.1"), got
    assert got.licence != "llama3.1" or got.sure


def test_contributor_covenant_placeholder_reported() -> None:
    text = (
        "# Contributor Covenant Code of Conduct\n\n## Our Pledge\n\nWe as members, contributors, "
        "and leaders pledge to make participation in our community a harassment-free experience "
        "for everyone.\n\n## Enforcement\n\nInstances of abusive behavior may be reported to the "
        "community leaders responsible for enforcement at\n[INSERT CONTACT METHOD].\n\n"
        "## Attribution\n\nThis Code of Conduct is adapted from the [Contributor Covenant]"
        "[homepage], version 2.1, available at\n"
        "[https://www.contributor-covenant.org/version/2/1/code_of_conduct.html][v2.1].\n"
    )
    got = identify(text, "CODE_OF_CONDUCT.md")
    assert got.licence == "contributor-covenant-2.1"
    assert got.kind == "code-of-conduct"
    assert got.placeholders == ("[INSERT CONTACT METHOD]",)
    filled = identify(text.replace("[INSERT CONTACT METHOD]", "conduct@example.org"))
    assert filled.placeholders == ()


@needs_corpus
def test_filled_covenant_has_no_placeholders() -> None:
    got = identify(_read(CARDS / "256-llama2-github-model-card/CODE_OF_CONDUCT.md"))
    assert got.placeholders == ()


def test_notice_file_by_name() -> None:
    got = identify("Example Project\nCopyright 2024 Example Org\n", "NOTICE")
    assert (got.licence, got.kind) == ("apache-2.0-notice", "notice")


@pytest.mark.parametrize("text", ["", "   \n\n", "hello", "MIT"])
def test_empty_text(text: str) -> None:
    got = identify(text)
    assert got.licence is None and not got.sure and got.confidence == 0.0


def test_random_text_is_not_identified() -> None:
    rng = random.Random(7)
    vocab = [
        "the",
        "model",
        "data",
        "weights",
        "license",
        "use",
        "of",
        "and",
        "to",
        "in",
        "for",
        "you",
        "may",
        "not",
        "any",
        "shall",
    ]
    for _ in range(20):
        text = " ".join(rng.choice(vocab) for _ in range(rng.randint(5, 800)))
        got = identify(text)
        assert got.licence is None and not got.sure, (text[:80], got)


def test_prose_about_licences_is_not_sure() -> None:
    text = (
        "Intro.\n\nWe compared many licences for the weights of our project, such as MIT, the "
        "Apache License 2.0 and the GPL."
    )
    assert not identify(text).sure


def test_confidence_bounds_and_threshold() -> None:
    for text in ["", "MIT License\n\nPermission is hereby granted, free of charge"]:
        got = identify(text)
        assert 0.0 <= got.confidence <= 1.0
        assert got.sure == (got.confidence >= SURE)


def test_compiled_signatures_are_current() -> None:
    """rules/licence_signatures.json must be regenerated after editing the YAML."""
    base = rules_dir()
    compiled = compile_signatures((base / "licence_signatures.yaml").read_text("utf-8"))
    shipped = json.loads((base / "licence_signatures.json").read_text("utf-8"))
    assert compiled == shipped, "run: python benchmarks/build_sketches.py --signatures-only"


def test_every_sketch_and_entry_cites_a_source() -> None:
    base = rules_dir()
    sketches = json.loads((base / "licence_sketches.json").read_text("utf-8"))["references"]
    assert sketches and all(r["source"] for r in sketches)
    entries = json.loads((base / "licence_signatures.json").read_text("utf-8"))["entries"]
    assert all(e.get("source") for e in entries)
    ids = {e["id"] for e in entries}
    assert {r["id"] for r in sketches} <= ids
