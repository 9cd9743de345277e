"""`commonslint audit`: sources, bad records, determinism, resume, and the summary's counts."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from commonslint.audit.indicators import indicators, licence_class
from commonslint.audit.summary import Tally
from commonslint.audit.work import Fields, Worker
from commonslint.config import Config
from commonslint.lint import Linter
from commonslint.sources import MemoryRepo, open_local

GOOD = """---
license: apache-2.0
datasets: [squad]
co2_eq_emissions: 120
---
# A model

## Bias, Risks, and Limitations
It is wrong about many things.

## Training Data
SQuAD.
"""
NO_LICENCE = "---\nlanguage: en\n---\n# Model\n\nText.\n"
NO_FRONT = "# Model\n\nNo metadata at all.\n"
RAIL = "---\nlicense: creativeml-openrail-m\n---\n# Model\n"
NC = "---\nlicense: [mit, cc-by-nc-4.0]\n---\n# Model\n"


def _jsonl(path: Path, lines: list[object], compress: bool = False) -> Path:
    text = "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines)
    if compress:
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _cards(n: int) -> list[dict]:
    bodies = [GOOD, NO_LICENCE, NO_FRONT, RAIL, NC]
    return [
        {"source_path": f"cards/owner{i}_model{i}_README.md", "group": f"g{i % 3}", "card": b}
        for i, b in enumerate(bodies[j % len(bodies)] for j in range(n))
    ]


# ------------------------------------------------------------------ the in-memory repository


def test_memory_repo_lints_like_a_folder(make_repo) -> None:  # type: ignore[no-untyped-def]
    linter = Linter(Config())
    for text in (GOOD, NO_LICENCE, NO_FRONT, RAIL):
        folder = make_repo({"README.md": text})
        on_disk = linter.lint(open_local(str(folder)), "x").findings
        in_memory = linter.lint(MemoryRepo({"README.md": text}), "x").findings
        assert [(f.code, f.message, f.location) for f in in_memory] == [
            (f.code, f.message, f.location) for f in on_disk
        ]


def test_memory_repo_reads_bytes_as_the_hub_does() -> None:
    repo = MemoryRepo({"README.md": b"\xff\xfe#"}, max_bytes=1024)
    assert repo.read_text("README.md").error and "UTF-16" in repo.read_text("README.md").error
    assert repo.read_text("LICENSE").error == "does not exist"
    big = MemoryRepo({"README.md": "x" * 2000}, max_bytes=1024)
    assert "too large" in (big.read_text("README.md").error or "")


# ------------------------------------------------------------------ what a record says


def _facts(text: str) -> tuple[dict, list[str]]:
    result = Linter(Config()).lint(MemoryRepo({"README.md": text}), "x")
    return result.facts, [f.code for f in result.findings]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD, "permissive"),
        (NO_LICENCE, "none declared"),
        (NO_FRONT, "no metadata"),
        (RAIL, "RAIL / use-restricted"),
        (NC, "non-commercial"),  # the most restrictive of the two
        ("---\nlicense: cc-by-sa-4.0\n---\n", "share-alike"),
        ("---\nlicense: cc0-1.0\n---\n", "public domain"),
        ("---\nlicense: other\n---\n", "other"),
        ("---\nlicense: unknown\n---\n", "placeholder"),
        ("---\nlicense: not-a-licence-xyz\n---\n", "not recognised"),
        ("---\nlicense: llama2\n---\n", "custom"),
    ],
)
def test_licence_class(text: str, expected: str) -> None:
    facts, _ = _facts(text)
    assert licence_class(facts) == expected


def test_no_card_is_its_own_class() -> None:
    result = Linter(Config()).lint(MemoryRepo({"LICENSE": "MIT"}), "x")
    assert licence_class(result.facts) == "no card"


def test_indicators() -> None:
    facts, codes = _facts(GOOD)
    got = indicators(facts, codes, frozenset(codes) | {"CL101"})
    assert got["licence_declared"] and got["licence_clear"]
    assert got["emissions_reported"] is True
    assert got["code_of_conduct"] is False
    # No lineage rule ran, so whether parents' terms were kept is not measured.
    assert got["parent_terms_kept"] is None
    facts, codes = _facts(NO_LICENCE)
    got = indicators(facts, codes)
    assert not got["licence_declared"] and not got["licence_clear"]
    assert got["parent_terms_kept"] is None  # no parent named
    facts, codes = _facts("---\nlicense: mit\nbase_model: a/b\n---\n")
    # A parent whose licence cannot be known offline: nothing to say about its terms.
    assert indicators(facts, codes, frozenset({"CL201"}))["parent_terms_kept"] is None
    facts, codes = _facts("---\nlicense: llama2\nbase_model: meta-llama/Llama-2-7b-hf\n---\n")
    assert "CL201" not in codes
    got = indicators(facts, codes, frozenset({"CL201"}))
    assert got["parent_terms_kept"] is (not {"CL109", "CL207"} & set(codes))
    got = indicators(facts, [*codes, "CL201"], frozenset({"CL201"}))
    assert got["parent_terms_kept"] is False
    facts, codes = _facts("---\nlicense: apache-2.0\nbase_model: meta-llama/Llama-2-7b-hf\n---\n")
    assert indicators(facts, codes, frozenset(codes) | {"CL203"})["parent_terms_kept"] is False
    facts, codes = _facts(RAIL)
    assert indicators(facts, codes, frozenset({"CL202"}))["restrictions_passed"] is True


def test_tally_merge_equals_adding_everything() -> None:
    worker = Worker(Config(), Fields())
    records = [
        worker.run(("line", "s", i + 1, json.dumps(c).encode())) for i, c in enumerate(_cards(12))
    ]
    records.append(worker.run(("line", "s", 99, b"{not json")))
    whole = Tally()
    for r in records:
        whole.add(r)
    left, right = Tally(), Tally()
    for r in records[:5]:
        left.add(r)
    for r in records[5:]:
        right.add(r)
    left.merge(right)
    assert left == whole
    assert whole.repositories == 12 and whole.bad == 1


# ------------------------------------------------------------------ JSON Lines through the CLI


def test_jsonl_audit_with_bad_records(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    lines: list[object] = [*_cards(5)]
    lines.insert(2, "{this is not json")
    lines.insert(4, {"source_path": "null-card", "card": None})
    lines.append([1, 2])
    lines.append({"source_path": "no-card-field"})
    lines.append({"source_path": "number-card", "card": 12})
    source = _jsonl(tmp_path / "cards.jsonl", lines)
    out = tmp_path / "out"
    done = cli("audit", str(source), "-o", str(out), "--jobs", "1")
    assert done.returncode == 0, done.stderr
    assert "audited 5 repositories (5 bad records" in done.stdout
    records = _records(out / "findings.jsonl")
    assert len(records) == 10
    bad = {r["position"]: r["error"] for r in records if "error" in r}
    assert bad["line 3"].startswith("not JSON")
    assert bad["line 5"] == "the card is not text (it is null)"
    assert bad["line 8"] == "not a JSON object (a list)"
    assert bad["line 9"] == "has no `card` field"
    assert bad["line 10"] == "the card is not text (it is int)"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["repositories"] == 5 and summary["bad_records"]["count"] == 5
    assert summary["bad_records"]["examples"][0]["position"] == "line 3"
    assert summary["complete"] is True
    good = [r for r in records if "error" not in r]
    assert [r["id"] for r in good] == [c["source_path"] for c in _cards(5)]
    assert good[0]["licence"] == {"class": "permissive", "ids": ["apache-2.0"], "raw": "apache-2.0"}
    assert summary["licence_classes"]["permissive"]["repositories"] == 1
    assert summary["licence_classes"]["none declared"]["repositories"] == 1
    assert summary["indicators"]["licence_declared"]["yes"] == 3
    assert summary["emissions_present"]["repositories"] == 1
    codes = {p["code"]: p["repositories"] for p in summary["rules"]}
    assert codes["CL101"] == 1 and codes["CL002"] == 1
    # A card read alone says nothing of the repository's other files: no finding, no indicator.
    assert "CL401" not in codes and "CL105" not in codes
    assert summary["indicators"]["code_of_conduct"]["applies"] == 0
    assert (out / "report.html").is_file()


def test_gzip_and_field_names(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    lines = [{"name": f"m{i}", "text": c["card"]} for i, c in enumerate(_cards(4))]
    source = _jsonl(tmp_path / "cards.data", lines, compress=True)  # gzip found by its bytes
    out = tmp_path / "out"
    done = cli(
        "audit", str(source), "-o", str(out), "--jobs", "1",
        "--id-field", "name", "--card-field", "text", "--group-field", "",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert [r["id"] for r in _records(out / "findings.jsonl")] == ["m0", "m1", "m2", "m3"]


def test_truncated_gzip_is_a_bad_record(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    data = gzip.compress("".join(json.dumps(c) + "\n" for c in _cards(40)).encode())
    source = tmp_path / "cut.jsonl.gz"
    source.write_bytes(data[: len(data) * 2 // 3])
    out = tmp_path / "out"
    done = cli("audit", str(source), "-o", str(out), "--jobs", "1", "--no-html")
    assert done.returncode == 0, done.stderr
    records = _records(out / "findings.jsonl")
    assert "cannot be read past here" in records[-1]["error"]
    assert all("error" not in r for r in records[:-1]) and len(records) > 1


def test_parallel_output_is_identical(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    source = _jsonl(tmp_path / "cards.jsonl", [*_cards(150), "oops"])
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        done = cli(
            "audit", str(source), "-o", str(out), "--jobs", jobs, "--batch-size", "7",
            "--title", "Test audit",
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        outputs.append(
            [(out / n).read_bytes() for n in ("findings.jsonl", "summary.json", "report.html")]
        )
    assert outputs[0] == outputs[1]


def test_resume_skips_finished_repositories(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    source = _jsonl(tmp_path / "cards.jsonl", [*_cards(30), "not json"])
    full = tmp_path / "full"
    assert cli("audit", str(source), "-o", str(full), "--jobs", "1").returncode == 0
    expected = (full / "findings.jsonl").read_text(encoding="utf-8")
    lines = expected.splitlines(keepends=True)
    # An interrupted run: twelve records written, the thirteenth cut short mid-line. The
    # finished records are marked, so that redoing them would show.
    part = tmp_path / "part"
    part.mkdir()
    marked = [line.replace('"source":', '"resumed":true,"source":', 1) for line in lines[:12]]
    (part / "findings.jsonl").write_text("".join(marked) + lines[12][:25], encoding="utf-8")
    done = cli("audit", str(source), "-o", str(part), "--jobs", "2", "--resume")
    assert done.returncode == 0, done.stderr
    got = (part / "findings.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    assert got[:12] == marked  # kept, not redone
    assert got[12:] == lines[12:]  # the cut line dropped and everything after it done once
    summary_full = json.loads((full / "summary.json").read_text())
    summary_part = json.loads((part / "summary.json").read_text())
    assert summary_part == summary_full
    # Resuming a finished audit does nothing more.
    again = cli("audit", str(source), "-o", str(part), "--jobs", "1", "--resume")
    assert again.returncode == 0
    assert (part / "findings.jsonl").read_text(encoding="utf-8") == "".join(got)


# ------------------------------------------------------------------ folders and the HF cache


def test_folder_of_repositories(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "hub"
    for rel, files in {
        "alpha": {"README.md": GOOD, "CODE_OF_CONDUCT.md": "Be kind. Contact: x@y.z\n"},
        "owner/beta": {"README.md": NO_LICENCE},
        "owner/gamma": {"config.json": "{}"},  # no card, beside one that has
        "lonely": {"weights.safetensors": "x"},  # a repository with no card
        ".git": {"HEAD": "x"},
    }.items():
        for name, text in files.items():
            (root / rel).mkdir(parents=True, exist_ok=True)
            (root / rel / name).write_text(text)
    out = root / "zz-audit"  # the output folder inside the audited folder is not a repository
    done = cli("audit", str(root), "-o", str(out), "--jobs", "2")
    assert done.returncode == 0, done.stderr
    records = {r["id"]: r for r in _records(out / "findings.jsonl")}
    assert list(records) == ["alpha", "lonely", "owner/beta", "owner/gamma"]
    assert records["alpha"]["indicators"]["code_of_conduct"] is True
    assert records["lonely"]["licence"]["class"] == "no card"
    assert "CL001" in {f["code"] for f in records["owner/gamma"]["findings"]}


def test_hf_cache(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    hub = tmp_path / "huggingface" / "hub"
    for prefix, name, text in (
        ("models", "org--model", GOOD),
        ("datasets", "org--data", "---\nlicense: cc-by-4.0\ntask_categories: [x]\n---\n# D\n"),
    ):
        entry = hub / f"{prefix}--{name}"
        (entry / "blobs").mkdir(parents=True)
        (entry / "refs").mkdir()
        (entry / "snapshots" / "abc123").mkdir(parents=True)
        (entry / "snapshots" / "old999").mkdir(parents=True)
        (entry / "refs" / "main").write_text("abc123")
        (entry / "blobs" / "sha1").write_text(text)
        os.symlink("../../blobs/sha1", entry / "snapshots" / "abc123" / "README.md")
    (hub / "spaces--org--app").mkdir()
    out = tmp_path / "out"
    done = cli("audit", f"hf-cache:{tmp_path / 'huggingface'}", "-o", str(out), "--jobs", "1")
    assert done.returncode == 0, done.stderr
    records = {r["id"]: r for r in _records(out / "findings.jsonl")}
    assert set(records) == {"datasets/org/data", "org/model"}
    assert records["org/model"]["licence"]["ids"] == ["apache-2.0"]  # the linked card was read
    assert records["datasets/org/data"]["kind"] == "dataset"
    # The cache folder given as a plain folder is recognised as a cache too.
    again = cli("audit", str(hub), "-o", str(tmp_path / "out2"), "--jobs", "1", "--no-html")
    assert again.returncode == 0
    plain = [dict(r, source=None) for r in _records(tmp_path / "out2" / "findings.jsonl")]
    assert plain == [dict(r, source=None) for r in records.values()]


def test_parquet_source(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    pa = pytest.importorskip("pyarrow", reason="pyarrow (the parquet extra) is not installed")
    import pyarrow.parquet as pq

    cards = _cards(9)
    pq.write_table(pa.Table.from_pylist(cards), tmp_path / "cards.parquet")
    jsonl = _jsonl(tmp_path / "cards.jsonl", cards)
    outs = []
    for src in ("cards.parquet", "cards.jsonl"):
        out = tmp_path / f"out-{src}"
        done = cli("audit", str(tmp_path / src), "-o", str(out), "--jobs", "1", "--no-html")
        assert done.returncode == 0, done.stderr
        outs.append(_records(out / "findings.jsonl"))
    strip = [{k: v for k, v in r.items() if k not in ("source", "position")} for r in outs[0]]
    assert strip == [
        {k: v for k, v in r.items() if k not in ("source", "position")} for r in outs[1]
    ]
    assert outs[0][3]["position"] == "row 4"
    assert jsonl.exists()


# ------------------------------------------------------------------ errors are exit 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["hf://org/model"], "auditing Hub repositories needs --online"),
        (["hub-ids:{tmp}/notes.txt"], "auditing Hub repositories needs --online"),
        (["hub-ids:{tmp}/none.txt", "--online"], "no such file of Hub ids"),
        (["no/such/file.jsonl"], "no such file or folder"),
        (["{tmp}/notes.txt"], "not a source an audit reads"),
        (["{tmp}/cards.jsonl", "--jobs", "0"], "--jobs must be at least 1"),
        (["{tmp}/cards.jsonl", "{tmp}/cards.jsonl"], "a source is named twice"),
    ],
)
def test_usage_errors(tmp_path: Path, cli, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "notes.txt").write_text("hello")
    _jsonl(tmp_path / "cards.jsonl", _cards(1))
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    done = cli("audit", *args, "-o", str(tmp_path / "out"))
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_html_is_self_contained(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    evil = {"source_path": "</script><script>alert(1)</script>", "card": NO_LICENCE}
    source = _jsonl(tmp_path / "cards.jsonl", [*_cards(5), evil, "bad line"])
    out = tmp_path / "out"
    assert cli("audit", str(source), "-o", str(out), "--jobs", "1").returncode == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html  # the id is data, never markup
    for needle in ('src="http', "src='http", 'href="http', "@import", "url(http"):
        assert needle not in html
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert 'id="rule-CL101"' in html and 'id="repo-table"' in html
    assert html.count("<svg") >= 3
    assert "Bad records" in html and "line 7" in html


# ------------------------------------------------------------------ progress and interruption


def test_progress_only_when_asked_or_on_a_terminal(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    source = _jsonl(tmp_path / "cards.jsonl", _cards(20))
    quiet = cli("audit", str(source), "-o", str(tmp_path / "a"), "--jobs", "1")
    assert quiet.returncode == 0 and quiet.stderr == ""  # not a terminal: nothing on stderr
    shown = cli("audit", str(source), "-o", str(tmp_path / "b"), "--jobs", "1", "--progress")
    assert shown.returncode == 0
    assert "\x1b[K" in shown.stderr  # the bar redraws its line
    assert "repositories" in shown.stderr and "audit took" in shown.stderr


def test_resume_without_earlier_output_starts_afresh(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    source = _jsonl(tmp_path / "cards.jsonl", _cards(6))
    done = cli("audit", str(source), "-o", str(tmp_path / "o"), "--jobs", "1", "--resume")
    assert done.returncode == 0, done.stderr
    assert len(_records(tmp_path / "o" / "findings.jsonl")) == 6


@pytest.mark.parametrize("whole_group", [False, True], ids=["parent", "terminal"])
def test_interrupted_audit_says_so_and_resumes(tmp_path: Path, whole_group: bool) -> None:
    # A terminal's Ctrl-C signals the whole process group, workers included; `kill -INT` only
    # the parent.
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import ROOT

    source = _jsonl(tmp_path / "cards.jsonl", _cards(20_000))
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    args = [sys.executable, "-m", "commonslint", "audit", str(source), "-o", str(out)]
    proc = subprocess.Popen(
        [*args, "--jobs", "2", "--batch-size", "16"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=whole_group,
    )
    findings = out / "findings.jsonl"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if findings.exists() and findings.stat().st_size > 20_000:
            break
        time.sleep(0.02)  # polling for the first records, not waiting for a result
    if whole_group:
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the audit finished before it could be interrupted")
    assert proc.returncode == 130, stderr
    assert "run the same command with --resume" in stderr and "Traceback" not in stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["complete"] is False
    written = len(_records(findings))
    assert 0 < written < 20_000
    resumed = subprocess.run(
        [*args, "--jobs", "2", "--resume", "--no-html"], env=env, capture_output=True, text=True
    )
    assert resumed.returncode == 0, resumed.stderr
    records = _records(findings)
    assert [r["id"] for r in records] == [c["source_path"] for c in _cards(20_000)]
    assert json.loads((out / "summary.json").read_text())["repositories"] == 20_000


def test_a_worker_killed_mid_audit_is_an_error_and_the_audit_resumes(tmp_path: Path) -> None:
    # The OOM killer's way: SIGKILL to one worker. multiprocessing.Pool waited forever here.
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import ROOT

    source = _jsonl(tmp_path / "cards.jsonl", _cards(20_000))
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    args = [sys.executable, "-m", "commonslint", "audit", str(source), "-o", str(out)]
    proc = subprocess.Popen(
        [*args, "--jobs", "2", "--batch-size", "16", "--no-html"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    findings = out / "findings.jsonl"
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if findings.exists() and findings.stat().st_size > 20_000:
            break
        time.sleep(0.02)  # polling for the first records, not waiting for a result
    workers = children.read_text().split() if proc.poll() is None else []
    if not workers:
        proc.communicate(timeout=60)
        pytest.skip("the audit finished before a worker could be killed")
    os.kill(int(workers[0]), signal.SIGKILL)
    _, stderr = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the audit finished before the worker was missed")
    assert proc.returncode == 2, stderr
    assert "a worker process was killed by SIGKILL" in stderr, stderr
    assert "run the same command with --resume" in stderr and "Traceback" not in stderr
    assert json.loads((out / "summary.json").read_text())["complete"] is False
    resumed = subprocess.run(
        [*args, "--jobs", "2", "--resume", "--no-html"], env=env, capture_output=True, text=True
    )
    assert resumed.returncode == 0, resumed.stderr
    assert [r["id"] for r in _records(findings)] == [c["source_path"] for c in _cards(20_000)]


def test_rule_selection_applies_to_every_repository(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    source = _jsonl(tmp_path / "cards.jsonl", _cards(10))
    out = tmp_path / "out"
    done = cli(
        "audit", str(source), "-o", str(out), "--jobs", "2", "--select", "CL1", "--ignore", "CL105"
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    codes = {f["code"] for r in _records(out / "findings.jsonl") for f in r.get("findings", [])}
    assert codes and all(c.startswith("CL1") and c != "CL105" for c in codes)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["indicators"]["emissions_reported"]["rules_not_loaded"] == ["CL501", "CL502"]


def test_hub_ids_online(tmp_path: Path) -> None:
    from conftest import run_cli
    from hubserver import fake_hub

    with fake_hub() as hub:
        hub.add("acme/one", {"README.md": GOOD, "CODE_OF_CONDUCT.md": "Be kind.\n"})
        hub.add("acme/data", {"README.md": NO_LICENCE}, kind="dataset")
        ids = tmp_path / "ids.txt"
        ids.write_text("# models to audit\nacme/one\nhf://datasets/acme/data\nacme/missing\n")
        env = hub.env(str(tmp_path / "hf"))
        out = tmp_path / "out"
        offline = run_cli("audit", f"hub-ids:{ids}", "-o", str(out), env=env)
        assert offline.returncode == 2 and "needs --online" in offline.stderr
        done = run_cli(
            "audit", f"hub-ids:{ids}", "hf://acme/one", "-o", str(out), "--online", "--jobs", "2",
            env=env,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert not [r for r in hub.requests if "resolve" in r and r.endswith(".safetensors")]
    records = _records(out / "findings.jsonl")
    assert [r["id"] for r in records] == [
        "acme/one",
        "datasets/acme/data",
        "acme/missing",
        "acme/one",
    ]
    assert records[0]["indicators"]["code_of_conduct"] is True  # a whole repository, not a card
    assert records[1]["kind"] == "dataset"
    assert records[2]["position"] == "line 4" and "acme/missing" in records[2]["error"]
