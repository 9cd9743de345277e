"""CL201-CL208, CL109 and CL303 through the CLI, with the parent's licence learnt from each of
the four sources: the lock file, the HF cache, the known table, and the Hub (`--online`)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import codes, run_cli
from hubserver import FakeHub, fake_hub
from test_lineage_units import write_cache_card

SOURCES = ("lock", "cache", "known", "hub")
# name: (parent licence, a well-known parent with that licence, child card metadata, codes)
SCENARIOS = {
    "share-alike": ("cc-by-sa-4.0", "nlpaueb/legal-bert-base-uncased", "license: mit", ["CL201"]),
    "rail": (
        "creativeml-openrail-m",
        "CompVis/stable-diffusion-v1-4",
        "license: apache-2.0",
        ["CL202"],
    ),
    "gemma": ("gemma", "google/gemma-7b", "license: apache-2.0", ["CL109", "CL202"]),
    "llama": (
        "llama3.1",
        "meta-llama/Llama-3.1-8B",
        "license: llama3.1",
        ["CL109", "CL207", "CL207"],
    ),
    "non-commercial": (
        "cc-by-nc-4.0",
        "CohereForAI/c4ai-command-r-plus",
        "license: apache-2.0",
        ["CL203"],
    ),
    "no-derivatives": ("cc-by-nc-nd-4.0", "MahmoodLab/UNI", "license: cc-by-nc-nd-4.0", ["CL204"]),
}
LINEAGE_CODES = ("CL1", "CL2", "CL303")


@pytest.fixture(scope="module")
def hub() -> Iterator[FakeHub]:
    with fake_hub() as server:
        yield server


def lineage_codes(output: str) -> list[str]:
    return sorted(c for c in codes(output) if c.startswith(LINEAGE_CODES) and c != "CL105")


def card(
    meta: str,
    base: str | None = None,
    datasets: list[str] | None = None,
    body: str = "# SuperChat\n",
) -> str:
    lines = ["---", meta]
    if base:
        lines.append(f"base_model: {base}")
    if datasets:
        lines.append("datasets:")
        lines.extend(f"  - {d}" for d in datasets)
    return "\n".join([*lines, "---", body])


class Setup:
    """Makes a child repository whose parent's licence comes from one source."""

    def __init__(self, tmp: Path, hub: FakeHub) -> None:
        self.tmp = tmp
        self.hub = hub
        self.cache = tmp / "hf-cache"
        self.cache.mkdir(exist_ok=True)
        self.count = 0

    def run(
        self,
        source: str,
        licence: str,
        well_known: str,
        meta: str,
        kind: str = "model",
        body: str = "# SuperChat\n",
        parent_files: tuple[str, ...] = (),
        extra: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        self.count += 1
        parent = well_known if source == "known" else f"acme/parent-{self.count}"
        parent_card = f"---\nlicense: {licence}\n---\n# Parent\n"
        files = {
            "README.md": card(
                meta,
                base=parent if kind == "model" else None,
                datasets=[parent] if kind == "dataset" else None,
                body=body,
            ),
            **(extra or {}),
        }
        env = {"HF_HUB_CACHE": str(self.cache)}
        args: list[str] = []
        if source == "lock":
            entry = {
                "id": parent,
                "kind": kind,
                "license": [licence],
                "resolved_from": "manual",
                "files": list(parent_files),
            }
            files["commonslint.lock"] = json.dumps(
                {"version": 1, "parents": {f"{kind}:{parent}": entry}}
            )
        elif source == "cache":
            write_cache_card(self.cache, kind, parent, parent_card, parent_files)
        elif source == "hub":
            self.hub.add(
                parent, {"README.md": parent_card, **dict.fromkeys(parent_files, "x")}, kind=kind
            )
            env = self.hub.env(str(self.tmp / "hub-cache"))
            args = ["--online"]
        root = self.tmp / f"repo{self.count}"
        for rel, text in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, encoding="utf-8")
        return run_cli("--isolated", *args, str(root), env=env)


@pytest.fixture
def setup(tmp_path: Path, hub: FakeHub) -> Setup:
    return Setup(tmp_path, hub)


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_derivative_findings_from_each_source(setup: Setup, scenario: str, source: str) -> None:
    licence, well_known, meta, expected = SCENARIOS[scenario]
    result = setup.run(source, licence, well_known, meta)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    assert lineage_codes(result.stdout) == sorted(expected), result.stdout


@pytest.mark.parametrize("source", SOURCES)
def test_compliant_derivatives_are_clean(setup: Setup, source: str) -> None:
    sa = setup.run(source, "cc-by-sa-3.0", "wikitext", "license: cc-by-sa-4.0")
    rail = setup.run(
        source,
        "creativeml-openrail-m",
        "CompVis/stable-diffusion-v1-4",
        "license: creativeml-openrail-m",
    )
    gemma = setup.run(
        source,
        "gemma",
        "google/gemma-7b",
        "license: gemma",
        extra={
            "NOTICE": "Gemma is provided under and subject to the Gemma Terms "
            "of Use found at ai.google.dev/gemma/terms\n"
        },
    )
    llama = setup.run(
        source,
        "llama3.1",
        "meta-llama/Llama-3.1-8B",
        "license: llama3.1",
        body="# Llama-3.1-SuperChat\nBuilt with Llama.\n",
        extra={
            "NOTICE": "Llama 3.1 is licensed under the Llama 3.1 Community "
            "License, Copyright (c) Meta Platforms, Inc. All Rights Reserved.\n"
        },
    )
    nc = setup.run(
        source, "cc-by-nc-4.0", "CohereForAI/c4ai-command-r-plus", "license: cc-by-nc-sa-4.0"
    )
    for result in (rail, gemma, llama, nc):
        assert lineage_codes(result.stdout) == [], result.stdout
    if source != "known":  # wikitext is a dataset in the table; the others are models
        assert lineage_codes(sa.stdout) == [], sa.stdout


@pytest.mark.parametrize("source", SOURCES)
def test_dataset_parents_warn(setup: Setup, source: str) -> None:
    nc = setup.run(
        source, "cc-by-nc-4.0", "tatsu-lab/alpaca", "license: apache-2.0", kind="dataset"
    )
    assert lineage_codes(nc.stdout) == ["CL203"], nc.stdout
    assert "CL203 [warning]" in nc.stdout and "unsettled" in nc.stdout
    sa = setup.run(
        source,
        "cc-by-sa-3.0",
        "databricks/databricks-dolly-15k",
        "license: apache-2.0",
        kind="dataset",
    )
    assert lineage_codes(sa.stdout) == ["CL205"], sa.stdout
    assert "CL205 [warning]" in sa.stdout and "Creative Commons" in sa.stdout
    kept = setup.run(
        source,
        "cc-by-sa-3.0",
        "databricks/databricks-dolly-15k",
        "license: cc-by-sa-4.0",
        kind="dataset",
    )
    assert lineage_codes(kept.stdout) == []


def test_non_commercial_base_model_is_an_error(setup: Setup) -> None:
    result = setup.run("known", "other", "huggyllama/llama-7b", "license: apache-2.0")
    assert "CL203 [error] base model `huggyllama/llama-7b`" in result.stdout
    assert result.returncode == 1


@pytest.mark.parametrize("source", ("lock", "cache", "hub"))
def test_parent_notice_file_must_be_kept(setup: Setup, source: str) -> None:
    result = setup.run(source, "apache-2.0", "", "license: apache-2.0", parent_files=("NOTICE",))
    assert lineage_codes(result.stdout) == ["CL109"], result.stdout
    assert "ships a NOTICE file" in result.stdout
    kept = setup.run(
        source,
        "apache-2.0",
        "",
        "license: apache-2.0",
        parent_files=("NOTICE",),
        extra={"NOTICE": "Copyright Acme\n"},
    )
    assert lineage_codes(kept.stdout) == []


def test_bigcode_changes_must_be_documented(setup: Setup) -> None:
    bare = setup.run(
        "known",
        "",
        "bigcode/starcoder",
        "license: bigcode-openrail-m",
        body="# My coder\n\n## Uses\n\nCode completion.\n",
    )
    assert lineage_codes(bare.stdout) == ["CL303"], bare.stdout
    documented = setup.run(
        "known",
        "",
        "bigcode/starcoder",
        "license: bigcode-openrail-m",
        body="# My coder\n\n## Training procedure\n\nFine-tuned two epochs on our Python code.\n",
    )
    assert lineage_codes(documented.stdout) == []


def test_unresolved_parent_says_how_to_resolve(
    setup: Setup, make_repo: Callable[..., Path]
) -> None:
    repo = make_repo(
        {"README.md": card("license: mit", base="someone/obscure", datasets=["/data/local.jsonl"])}
    )
    result = run_cli("--isolated", str(repo), env={"HF_HUB_CACHE": str(setup.cache)})
    assert lineage_codes(result.stdout) == ["CL206", "CL206"]
    assert "commonslint lineage --lock" in result.stdout
    assert "hf download someone/obscure README.md" in result.stdout
    assert "--online" in result.stdout
    assert "is not a Hub id" in result.stdout
    assert result.returncode == 0  # info only


def test_online_with_hub_offline_says_why(setup: Setup, make_repo: Callable[..., Path]) -> None:
    repo = make_repo({"README.md": card("license: mit", base="someone/obscure")})
    result = run_cli("--isolated", "--online", str(repo), env={"HF_HUB_CACHE": str(setup.cache)})
    assert "CL206" in result.stdout and "HF_HUB_OFFLINE" in result.stdout, result.stdout


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ("base_model: a/b\nbase_model_relation: fine-tune", "did you mean `finetune`"),
        ("base_model: [a/b, c/d]", "several base models"),
    ],
)
def test_base_model_relation(make_repo: Callable[..., Path], meta: str, message: str) -> None:
    repo = make_repo({"README.md": f"---\nlicense: mit\n{meta}\n---\n# x\n"})
    result = run_cli("--isolated", "--select", "CL208", str(repo))
    assert codes(result.stdout) == ["CL208"] and message in result.stdout


def test_valid_relation_is_quiet(make_repo: Callable[..., Path]) -> None:
    repo = make_repo(
        {"README.md": "---\nbase_model: [a/b, c/d]\nbase_model_relation: merge\n---\n"}
    )
    assert codes(run_cli("--isolated", "--select", "CL208", str(repo)).stdout) == []


def test_grandparent_obligations_through_the_path(make_repo: Callable[..., Path]) -> None:
    lock = {
        "version": 1,
        "parents": {
            "model:acme/mid": {"license": "apache-2.0", "base_model": "acme/top"},
            "model:acme/top": {"license": "cc-by-sa-4.0"},
        },
    }
    repo = make_repo(
        {
            "README.md": card("license: apache-2.0", base="acme/mid"),
            "commonslint.lock": json.dumps(lock),
        }
    )
    result = run_cli("--isolated", "--select", "CL2", str(repo))
    # One finding for the mistake, at the top, naming the path - not one per generation.
    assert codes(result.stdout) == ["CL201"]
    assert "base model `acme/top` (through `acme/mid`)" in result.stdout


def test_broken_lock_file_is_reported(make_repo: Callable[..., Path]) -> None:
    repo = make_repo(
        {
            "README.md": card("license: mit", base="acme/x"),
            "commonslint.lock": "{ not json",
        }
    )
    result = run_cli("--isolated", str(repo))
    assert "CL902" in codes(result.stdout) and "commonslint.lock" in result.stdout
    assert "Traceback" not in result.stderr


def test_documentation_for_every_lineage_rule() -> None:
    for code in (
        "CL109",
        "CL201",
        "CL202",
        "CL203",
        "CL204",
        "CL205",
        "CL206",
        "CL207",
        "CL208",
        "CL303",
    ):
        result = run_cli("rule", code)
        assert result.returncode == 0, result.stderr
        basis = result.stdout.split("What it rests on:", 1)[1].split("Example", 1)[0]
        # A clause of a licence (§, ¶), the Hub's documentation or, for lineage lookup,
        # commonslint's own design; never the workspace's research notes, which users cannot read.
        assert any(mark in basis for mark in ("§", "¶", "hub-docs", "design")), code
        assert "DOMAIN" not in result.stdout, code


def test_licensor_release_owes_nothing_to_itself(make_repo: Callable[..., Path]) -> None:
    gated = "extra_gated_prompt: To access Gemma you must agree to Google's terms"
    own = make_repo({"README.md": card(f"license: gemma\n{gated}", base="google/gemma-7b")})
    assert lineage_codes(run_cli("--isolated", str(own)).stdout) == []
    # The same card by someone else's hand (not gated) must carry the NOTICE.
    other = make_repo({"README.md": card("license: gemma", base="google/gemma-7b")})
    assert lineage_codes(run_cli("--isolated", str(other)).stdout) == ["CL109"]
    # A gated card whose parent is not the licensor's own repository is not exempt.
    reupload = make_repo(
        {
            "README.md": card(
                f"license: llama3.1\n{gated}",
                base="meta-llama/Llama-3.1-8B",
                body="# Llama-3.1-x\nBuilt with Llama\n",
            )
        }
    )
    assert lineage_codes(run_cli("--isolated", str(reupload)).stdout) == []
    mixed = make_repo(
        {
            "README.md": card(
                f"license: llama3.1\n{gated}",
                base="meta-llama/Llama-3.1-8B",
                datasets=None,
                body="# Llama-3.1-x\nBuilt with Llama\n",
            ).replace(
                "base_model: meta-llama/Llama-3.1-8B",
                "base_model: [meta-llama/Llama-3.1-8B, google/gemma-7b]\n"
                "base_model_relation: merge",
            )
        }
    )
    assert "CL109" in lineage_codes(run_cli("--isolated", str(mixed)).stdout)


def test_llama_name_from_model_name_and_template_heading(make_repo: Callable[..., Path]) -> None:
    named = make_repo(
        {
            "README.md": card(
                "license: llama3\nmodel_name: Llama-3-Chat-X",
                base="meta-llama/Meta-Llama-3-8B",
                body="# Chat X\nBuilt with Meta Llama 3\n",
            )
        }
    )
    assert lineage_codes(run_cli("--isolated", "--select", "CL207", str(named)).stdout) == []
    wrong = make_repo(
        {
            "README.md": card(
                "license: llama3\nmodel_name: Llama-Chat-X",
                base="meta-llama/Meta-Llama-3-8B",
                body="# Chat X\nBuilt with Llama\n",
            )
        }
    )
    out = run_cli("--isolated", "--select", "CL207", str(wrong)).stdout
    # Llama 3 wants "Built with Meta Llama 3" and a name beginning "Llama 3".
    assert codes(out) == ["CL207", "CL207"]
    assert '"Llama 3"' in out and "model_name" in out
    template = make_repo(
        {
            "README.md": card(
                "license: llama3.2",
                base="meta-llama/Llama-3.2-1B",
                body="# Model Card for Model ID\nBuilt with Llama\n",
            )
        }
    )
    assert codes(run_cli("--isolated", "--select", "CL207", str(template)).stdout) == []


@pytest.mark.parametrize(
    ("child", "parent", "expected"),
    [
        # Some use restrictions, not the parent's: a warning naming the clause to check.
        ("openrail", "gemma", "warning"),
        ("creativeml-openrail-m", "gemma", "warning"),
        ("openrail", "llama3", "warning"),
        # None at all: the error, as before.
        ("apache-2.0", "gemma", "error"),
        # The parent's own licence, alone or among several, or the family id and its member.
        ("gemma", "gemma", None),
        ("[openrail, gemma]", "gemma", None),
        ("openrail", "creativeml-openrail-m", None),
        ("creativeml-openrail-m", "openrail", None),
    ],
)
def test_use_restrictions_of_another_licence(
    make_repo: Callable[..., Path], child: str, parent: str, expected: str | None
) -> None:
    lock = {"version": 1, "parents": {"model:acme/base": {"license": parent}}}
    repo = make_repo(
        {
            "README.md": card(f"license: {child}", base="acme/base"),
            "commonslint.lock": json.dumps(lock),
        }
    )
    result = run_cli("--isolated", "--select", "CL202", "--format", "json", str(repo))
    findings = json.loads(result.stdout)["findings"]
    assert [f["severity"] for f in findings] == ([expected] if expected else [])
    if expected == "warning":
        message = findings[0]["message"]
        assert f"make sure your licence includes `{parent}`'s use restrictions" in message
        assert ("§3.1(1)" if parent == "gemma" else "§1.b.iv") in message
        assert result.returncode == 0
    if expected == "error":
        assert "which carries none" in findings[0]["message"] and result.returncode == 1


def test_use_restrictions_warning_once_per_path(make_repo: Callable[..., Path]) -> None:
    # gemma -> an OpenRAIL fine-tune -> this card, also OpenRAIL: the grandparent's restrictions
    # are the ones missing, reported once, through the path.
    lock = {
        "version": 1,
        "parents": {
            "model:acme/mid": {"license": "gemma", "base_model": "google/gemma-7b"},
            "model:google/gemma-7b": {"license": "gemma"},
        },
    }
    repo = make_repo(
        {
            "README.md": card("license: openrail", base="acme/mid"),
            "commonslint.lock": json.dumps(lock),
        }
    )
    result = run_cli("--isolated", "--select", "CL202", str(repo))
    assert codes(result.stdout) == ["CL202"]
    assert "base model `acme/mid` is under `gemma`" in result.stdout
