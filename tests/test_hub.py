"""Hub targets, `commonslint lineage [--lock]`, and the promise that a local lint stays offline.

The Hub is `hubserver.fake_hub`, on 127.0.0.1; `HF_ENDPOINT` points huggingface_hub at it.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import ROOT, codes, run_cli
from hubserver import FakeHub, fake_hub
from test_lineage_units import write_cache_card

CHILD = "---\nlicense: mit\nbase_model: acme/wiki-bert\n---\n# Child\n\nBuilt on Wiki BERT.\n"


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    with fake_hub() as server:
        server.add(
            "acme/wiki-bert",
            {
                "README.md": "---\nlicense: cc-by-sa-4.0\n---\n# Wiki BERT\n",
                "NOTICE": "Acme\n",
                "model.safetensors": b"\0" * 64,
            },
        )
        server.add(
            "acme/child",
            {
                "README.md": CHILD,
                "LICENSE": "MIT License\n",
                "pytorch_model.bin": b"\0" * 64,
                "CODE_OF_CONDUCT.md": "# Code of conduct\nBe kind.\n",
            },
            revisions=("main", "v1"),
        )
        yield server


def env(hub: FakeHub, tmp_path: Path, **extra: str) -> dict[str, str]:
    return hub.env(str(tmp_path / "hf"), **extra)


def test_hub_target_lints_and_never_fetches_weights(hub: FakeHub, tmp_path: Path) -> None:
    result = run_cli("--isolated", "--show-files", "hf://acme/child", env=env(hub, tmp_path))
    assert result.returncode == 1, result.stderr
    assert "hf://acme/child/README.md:3:13: CL201 [error]" in result.stdout
    assert "learnt from the Hub" in result.stdout
    assert "CL109" in codes(result.stdout)  # the parent ships a NOTICE file
    assert "CL401" not in codes(result.stdout)
    assert not [r for r in hub.requests if r.endswith((".bin", ".safetensors"))]
    # Downloads are pinned to the commit the listing came from.
    assert any(
        r.startswith("/acme/child/resolve/" + hub.repos[("model", "acme/child")].sha)
        for r in hub.requests
    )


def test_hub_revision_and_dataset_targets(hub: FakeHub, tmp_path: Path) -> None:
    ok = run_cli("--isolated", "--revision", "v1", "hf://acme/child", env=env(hub, tmp_path))
    assert "CL201" in codes(ok.stdout)
    assert "/api/models/acme/child/revision/v1" in hub.requests
    hub.add(
        "acme/corpus", {"README.md": "---\nlicense: cc-by-4.0\n---\n# Corpus\n"}, kind="dataset"
    )
    ds = run_cli("--isolated", "hf://datasets/acme/corpus", env=env(hub, tmp_path))
    assert ds.returncode in (0, 1) and "hf://datasets/acme/corpus/README.md" in ds.stdout
    assert "/api/datasets/acme/corpus" in hub.requests


@pytest.mark.parametrize(
    ("setup", "target", "args", "message"),
    [
        ("gated", "hf://acme/gated", [], "gated"),
        ("none", "hf://acme/missing", [], "no such repository"),
        ("private", "hf://acme/private", [], "private"),
        ("none", "hf://acme/child", ["--revision", "nope"], "revision does not exist"),
        ("rate", "hf://acme/child", [], "rate-limiting"),
        ("offline", "hf://acme/child", [], "HF_HUB_OFFLINE"),
        ("none", "hf://acme/a/b", [], "not a Hub target"),
    ],
)
def test_hub_failures_exit_2_with_a_sentence(
    hub: FakeHub, tmp_path: Path, setup: str, target: str, args: list[str], message: str
) -> None:
    extra: dict[str, str] = {}
    if setup == "gated":
        hub.add("acme/gated", {"README.md": "---\nlicense: mit\n---\n"}, gated=True)
    elif setup == "private":
        hub.add("acme/private", {"README.md": "---\nlicense: mit\n---\n"}, private_token="s3cret")
    elif setup == "rate":
        hub.rate_limited = True
    elif setup == "offline":
        extra["HF_HUB_OFFLINE"] = "1"
    result = run_cli("--isolated", *args, target, env=env(hub, tmp_path, **extra))
    assert result.returncode == 2
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_private_repo_with_token(hub: FakeHub, tmp_path: Path) -> None:
    hub.add("acme/private", {"README.md": "---\nlicense: mit\n---\n# P\n"}, private_token="s3cret")
    result = run_cli("--isolated", "hf://acme/private", env=env(hub, tmp_path, HF_TOKEN="s3cret"))
    assert result.returncode in (0, 1), result.stderr
    assert "hf://acme/private/README.md" in result.stdout


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_hub_exits_2(hub: FakeHub, tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{_closed_port()}"
    result = run_cli("--isolated", "hf://acme/child", env=env(hub, tmp_path, HF_ENDPOINT=dead))
    assert result.returncode == 2
    assert "cannot reach the Hub" in result.stderr and "Traceback" not in result.stderr


def test_online_parent_lookup_failure_is_info_not_a_crash(
    hub: FakeHub, tmp_path: Path, make_repo: Callable[..., Path]
) -> None:
    repo = make_repo({"README.md": "---\nlicense: mit\nbase_model: acme/gone\n---\n# x\n"})
    result = run_cli("--isolated", "--online", str(repo), env=env(hub, tmp_path))
    assert "CL206" in codes(result.stdout)
    assert "no such repository" in result.stdout
    dead = f"http://127.0.0.1:{_closed_port()}"
    down = run_cli("--isolated", "--online", str(repo), env=env(hub, tmp_path, HF_ENDPOINT=dead))
    assert "CL206" in codes(down.stdout) and "cannot reach the Hub" in down.stdout


# ------------------------------------------------------------------ commonslint lineage


def test_lineage_tree_text_and_json(tmp_path: Path, make_repo: Callable[..., Path]) -> None:
    cache = tmp_path / "cache"
    write_cache_card(
        cache,
        "model",
        "acme/mid",
        "---\nlicense: apache-2.0\nbase_model: meta-llama/Llama-3.1-8B\n---\n",
        files=("NOTICE",),
    )
    repo = make_repo(
        {
            "README.md": "---\nlicense: apache-2.0\nbase_model: acme/mid\nbase_model_relation: "
            "finetune\ndatasets: [tatsu-lab/alpaca, someone/else]\n---\n# x\n"
        }
    )
    first = run_cli("lineage", str(repo), env={"HF_HUB_CACHE": str(cache)})
    again = run_cli("lineage", str(repo), env={"HF_HUB_CACHE": str(cache)})
    assert first.returncode == 0 and first.stdout == again.stdout
    out = first.stdout
    assert "├── model acme/mid [finetune]: apache-2.0" in out
    assert "learnt from the local Hugging Face cache" in out
    assert "│   └── model meta-llama/Llama-3.1-8B [finetune]: llama3.1" not in out  # own relation
    assert "model meta-llama/Llama-3.1-8B: llama3.1" in out
    assert 'display "Built with Llama"' in out
    assert "dataset tatsu-lab/alpaca: cc-by-nc-4.0" in out
    assert "└── dataset someone/else: licence unknown" in out
    assert "to resolve:" in out
    doc = json.loads(
        run_cli("lineage", "--format", "json", str(repo), env={"HF_HUB_CACHE": str(cache)}).stdout
    )
    mid = doc["parents"][0]
    assert mid["source"] == "cache" and mid["parents"][0]["id"] == "meta-llama/Llama-3.1-8B"
    assert mid["parents"][0]["source"] == "known"
    assert doc["unresolved"] == ["someone/else"]


def test_lineage_lock_writes_and_refreshes(
    hub: FakeHub, tmp_path: Path, make_repo: Callable[..., Path]
) -> None:
    hub.add(
        "acme/mid",
        {
            "README.md": "---\nlicense: apache-2.0\nbase_model: acme/wiki-bert\n"
            "datasets: [acme/text]\n---\n",
            "NOTICE": "n\n",
        },
    )
    hub.add("acme/text", {"README.md": "---\nlicense: cc0-1.0\n---\n"}, kind="dataset")
    manual = {
        "id": "x/hand",
        "kind": "dataset",
        "license": ["cc-by-4.0"],
        "resolved_from": "manual",
        "source": "our lawyer",
    }
    repo = make_repo(
        {
            "README.md": "---\nlicense: cc-by-sa-4.0\nbase_model: acme/mid\n"
            "datasets: [x/hand, acme/missing]\n---\n# x\n",
            "commonslint.lock": json.dumps({"version": 1, "parents": {"dataset:x/hand": manual}}),
        }
    )
    result = run_cli("lineage", "--lock", str(repo), env=env(hub, tmp_path))
    assert result.returncode == 0, result.stderr
    assert "wrote" in result.stdout and "commonslint.lock" in result.stdout
    lock = json.loads((repo / "commonslint.lock").read_text())
    parents = lock["parents"]
    assert sorted(parents) == [
        "dataset:acme/text",
        "dataset:x/hand",
        "model:acme/mid",
        "model:acme/wiki-bert",
    ]
    assert parents["dataset:x/hand"] == manual
    mid = parents["model:acme/mid"]
    assert mid["resolved_from"] == "hub" and mid["files"] == ["NOTICE"]
    assert mid["revision"] == hub.repos[("model", "acme/mid")].sha
    assert mid["base_model"] == ["acme/wiki-bert"] and len(mid["resolved_at"]) == 10
    before = (repo / "commonslint.lock").read_bytes()
    run_cli("lineage", "--lock", str(repo), env=env(hub, tmp_path))
    assert (repo / "commonslint.lock").read_bytes() == before  # refreshing changes nothing
    # Offline, the lock alone now resolves everything it holds (no Hub, no cache).
    offline = run_cli("--isolated", "--select", "CL2,CL109", str(repo))
    assert codes(offline.stdout) == ["CL109", "CL206"], offline.stdout
    assert "acme/missing" in offline.stdout


def test_lineage_lock_without_the_hub_writes_nothing(
    hub: FakeHub, tmp_path: Path, make_repo: Callable[..., Path]
) -> None:
    repo = make_repo({"README.md": "---\nlicense: mit\nbase_model: acme/wiki-bert\n---\n"})
    dead = f"http://127.0.0.1:{_closed_port()}"
    result = run_cli("lineage", "--lock", str(repo), env=env(hub, tmp_path, HF_ENDPOINT=dead))
    assert result.returncode == 2 and "not written" in result.stderr
    assert not (repo / "commonslint.lock").exists()
    hub_target = run_cli("lineage", "--lock", "hf://acme/child", env=env(hub, tmp_path))
    assert hub_target.returncode == 2 and "local repository" in hub_target.stderr


def test_lineage_of_a_hub_target(hub: FakeHub, tmp_path: Path) -> None:
    result = run_cli("lineage", "hf://acme/child", env=env(hub, tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("hf://acme/child (mit)\n")
    assert "model acme/wiki-bert: cc-by-sa-4.0" in result.stdout


# ------------------------------------------------------------------ offline by default


def test_local_lint_never_imports_huggingface_hub(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    write_cache_card(cache, "model", "acme/cached", "---\nlicense: gemma\n---\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "README.md").write_text(
        "---\nlicense: mit\nbase_model: [acme/cached, acme/locked, acme/unknown]\n"
        "datasets: [tatsu-lab/alpaca]\n---\n# x\n"
    )
    (repo / "commonslint.lock").write_text(
        json.dumps({"version": 1, "parents": {"model:acme/locked": {"license": "cc-by-sa-4.0"}}})
    )
    code = (
        "import sys\n"
        "from commonslint.cli import main\n"
        f"main(['--isolated', '-q', {str(repo)!r}])\n"
        "main(['lineage', {0!r}])\n".format(str(repo))
        + "print('LOADED', sorted({m.split('.')[0] for m in sys.modules"
        " if m.split('.')[0] in ('huggingface_hub', 'httpx', 'httpx2', 'requests')}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={
            "PATH": "",
            "HF_HUB_CACHE": str(cache),
            "HF_HUB_OFFLINE": "0",
            "COMMONSLINT_CACHE_DIR": str(tmp_path / "cl"),
        },
    )
    assert "LOADED []" in result.stdout, result.stdout + result.stderr
    assert "CL201" in result.stdout and "CL202" in result.stdout  # lock and cache were used


# ------------------------------------------------------------------ error sentences


def _http_error(status: int, code: str | None = None) -> Exception:
    import httpx2
    from huggingface_hub.utils import hf_raise_for_status

    headers = {"X-Error-Code": code} if code else {}
    request = httpx2.Request("GET", "http://127.0.0.1/api/models/acme/x")
    response = httpx2.Response(status, headers=headers, request=request, content=b"{}")
    try:
        hf_raise_for_status(response)
    except Exception as exc:
        return exc
    raise AssertionError("no error raised")


@pytest.mark.parametrize(
    ("make", "message", "network"),
    [
        (lambda: _http_error(403), "access denied (HTTP 403)", False),
        (lambda: _http_error(401, "GatedRepo"), "gated", False),
        (lambda: _http_error(404, "RepoNotFound"), "no such repository", False),
        (lambda: _http_error(404, "RevisionNotFound"), "revision does not exist", False),
        (lambda: _http_error(429), "rate-limiting", True),
        (lambda: _http_error(503), "HTTP 503", True),
        (lambda: __import__("httpx2").ReadTimeout("timed out"), "did not answer in time", True),
        (lambda: __import__("httpx2").ConnectError("refused"), "cannot reach the Hub", True),
    ],
)
def test_describe_hub_errors(make: Callable[[], Exception], message: str, network: bool) -> None:
    from commonslint.hub import describe

    error = describe(make(), "hf://acme/x")
    assert message in str(error) and str(error).startswith("hf://acme/x: ")
    assert error.network is network
