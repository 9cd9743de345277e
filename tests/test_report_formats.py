"""Output formats: SARIF against the OASIS schema, GitHub annotations, JUnit, GitLab Code Quality,
JSON Lines, Markdown and `--statistics`, through the functions and through the CLI."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from conftest import SHARED, codes, run_cli

from commonslint.config import Config
from commonslint.lint import Linter
from commonslint.report import FORMATS, reporter
from commonslint.report.github import escape_data, escape_property
from commonslint.report.markdown import cell
from commonslint.sources import open_local

BAD = {
    "README.md": (
        "---\n"
        "license: Apache-2.0\n"
        "language: [en, no]\n"
        "datasets: [null]\n"
        "---\n"
        "# Model\n\n"
        "## Uses\n\n"
        "[More Information Needed]\n"
    ),
    "CODE_OF_CONDUCT.md": "Report to [INSERT CONTACT METHOD].\n",
}
CLEAN_CARD = (
    "---\n"
    "license: mit\n"
    "datasets: [openai/gsm8k]\n"
    "co2_eq_emissions:\n"
    "  emissions: 10\n"
    "  source: CodeCarbon\n"
    "  training_type: fine-tuning\n"
    "  geographical_location: Quebec, Canada\n"
    "  hardware_used: 1 GPU\n"
    "---\n"
    "# Model\n\n"
    "## Bias, Risks, and Limitations\n\nIt fails on sarcasm.\n"
)
CLEAN = {
    "README.md": CLEAN_CARD,
    "LICENSE": "MIT License\n\nPermission is hereby granted...\n",
    "CODE_OF_CONDUCT.md": "We follow the Contributor Covenant. Report to conduct@example.org.\n",
    "CONTRIBUTING.md": "Open a discussion.\n",
}


def _lint(path: Path):  # type: ignore[no-untyped-def]
    linter = Linter(Config())
    return [linter.lint(open_local(str(path)), str(path))], linter.all_rules


@pytest.fixture
def bad(make_repo) -> Path:  # type: ignore[no-untyped-def]
    return make_repo(BAD, name="bad")


def test_sarif_validates_against_the_oasis_schema(bad: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(bad.parent)
    results, rules = _lint(Path("bad"))
    document = json.loads(reporter("sarif")(results, rules))
    schema = json.loads((SHARED / "schemas" / "sarif-schema-2.1.0.json").read_text("utf-8"))
    validator = jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []
    run = document["runs"][0]
    driver_rules = run["tool"]["driver"]["rules"]
    # Every rule is listed, with what a dashboard needs to explain it.
    assert [r["id"] for r in driver_rules] == [r.code for r in rules]
    for rule in driver_rules:
        assert rule["shortDescription"]["text"]
        assert rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert rule["helpUri"].startswith("https://")
        assert rule["helpUri"].endswith(f"docs/rules.md#{rule['id'].lower()}-{rule['name']}")
    assert {r["ruleId"] for r in run["results"]} >= {"CL108", "CL007", "CL402"}
    for result in run["results"]:
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not location["artifactLocation"]["uri"].startswith("/")
        assert location["region"]["startLine"] >= 1
        assert driver_rules[result["ruleIndex"]]["id"] == result["ruleId"]
    # A target outside the working folder has no %SRCROOT%-relative path: an absolute file URI.
    elsewhere = bad.parent / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    outside, _ = _lint(bad)
    other = json.loads(reporter("sarif")(outside, rules))["runs"][0]["results"][0]
    uri = other["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri["uri"].startswith("file:///") and "uriBaseId" not in uri
    cl108 = next(r for r in run["results"] if r["ruleId"] == "CL108")
    assert cl108["level"] == "warning"
    assert cl108["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 2,
        "startColumn": 10,
        "endLine": 2,
        "endColumn": 20,
    }
    assert cl108["properties"]["fixable"] is True


def test_sarif_uri_is_relative_to_the_working_folder(bad: Path) -> None:
    proc = run_cli("--format", "sarif", "bad", cwd=bad.parent)
    assert proc.returncode == 1, proc.stderr
    results = json.loads(proc.stdout)["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {"bad/README.md", "bad/CODE_OF_CONDUCT.md"}


def test_every_format_is_deterministic_and_has_no_machine_path(bad: Path) -> None:
    for fmt in FORMATS:
        first = run_cli("--format", fmt, "bad", cwd=bad.parent)
        second = run_cli("--format", fmt, "bad", cwd=bad.parent)
        assert first.returncode == 1, (fmt, first.stderr)
        assert first.stdout == second.stdout, fmt
        assert str(bad.parent) not in first.stdout, fmt


def test_github_annotations_and_their_escaping(bad: Path) -> None:
    proc = run_cli("--format", "github", "bad", cwd=bad.parent)
    lines = proc.stdout.splitlines()
    cl108 = next(line for line in lines if "CL108" in line)
    assert cl108.startswith(
        "::warning file=bad/README.md,line=2,col=10,endLine=2,endColumn=20,"
        "title=CL108 licence-id-not-canonical::"
    )
    assert any(line.startswith("::warning file=bad/CODE_OF_CONDUCT.md,line=1") for line in lines)
    assert lines[-1].startswith("Found ")
    # A message cannot end the command early or start another one.
    assert escape_data("50% done\n::error::x") == "50%25 done%0A::error::x"
    assert escape_property("a,b:c\r") == "a%2Cb%3Ac%0D"


def test_github_format_is_the_default_inside_github_actions(bad: Path) -> None:
    inside = run_cli("bad", cwd=bad.parent, env={"GITHUB_ACTIONS": "true"})
    assert any(line.startswith("::warning ") for line in inside.stdout.splitlines())
    chosen = run_cli("--format", "text", "bad", cwd=bad.parent, env={"GITHUB_ACTIONS": "true"})
    assert "CL108" in codes(chosen.stdout)
    outside = run_cli("bad", cwd=bad.parent, env={"GITHUB_ACTIONS": "false"})
    assert not any(line.startswith("::") for line in outside.stdout.splitlines())


def test_junit_is_xml_with_one_failure_per_finding(bad: Path, make_repo) -> None:  # type: ignore[no-untyped-def]
    proc = run_cli("--format", "junit", "bad", cwd=bad.parent)
    root = ET.fromstring(proc.stdout)
    cases = root.findall("./testsuite/testcase")
    failures = root.findall("./testsuite/testcase/failure")
    assert len(cases) == len(failures) == int(root.get("failures", "0")) > 0
    types = {f.get("type") for f in failures}
    assert types <= {"error", "warning", "info"} and "warning" in types
    clean = make_repo(CLEAN, name="clean")
    clean_root = ET.fromstring(run_cli("--format", "junit", "clean", cwd=clean.parent).stdout)
    assert clean_root.get("failures") == "0"
    assert len(clean_root.findall("./testsuite/testcase")) == 1


def test_gitlab_fingerprints_are_stable_unique_and_survive_line_moves(bad: Path) -> None:
    first = json.loads(run_cli("--format", "gitlab", "bad", cwd=bad.parent).stdout)
    second = json.loads(run_cli("--format", "gitlab", "bad", cwd=bad.parent).stdout)
    prints = [i["fingerprint"] for i in first]
    assert prints == [i["fingerprint"] for i in second]
    assert len(set(prints)) == len(prints)
    for issue in first:
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"]["lines"]["begin"] >= 1
        assert issue["check_name"].startswith("CL")
    # Blank lines added above the findings move them, but they are the same findings.
    moved = BAD["README.md"].replace("# Model", "\n\n# Model")
    (bad / "README.md").write_text(moved, encoding="utf-8")
    after = json.loads(run_cli("--format", "gitlab", "bad", cwd=bad.parent).stdout)
    by_print = {i["fingerprint"]: i for i in after}
    assert set(by_print) == set(prints)
    cl601 = next(i for i in after if i["check_name"] == "CL601")
    assert (
        cl601["location"]["lines"]["begin"]
        != next(i for i in first if i["check_name"] == "CL601")["location"]["lines"]["begin"]
    )


def test_json_lines_has_one_finding_per_line(bad: Path) -> None:
    proc = run_cli("--format", "json-lines", "bad", cwd=bad.parent)
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    full = json.loads(run_cli("--format", "json", "bad", cwd=bad.parent).stdout)
    assert rows == full["findings"]


def test_markdown_summary_table(bad: Path, make_repo) -> None:  # type: ignore[no-untyped-def]
    proc = run_cli("--format", "markdown", "bad", cwd=bad.parent)
    text = proc.stdout
    assert text.startswith("## commonslint\n")
    assert "| rule | name | severity | count |" in text
    assert "| [CL108](https://" in text
    assert "licence-id-not-canonical (fixable)" in text
    assert "`bad/README.md:2:10`" in text
    clean = make_repo(CLEAN, name="clean")
    clean_text = run_cli("--format", "markdown", "clean", cwd=clean.parent).stdout
    assert "All checks passed" in clean_text and "| rule |" not in clean_text


def test_markdown_cells_cannot_break_the_table() -> None:
    assert cell("a | b\nc <script>") == "a \\| b c &lt;script&gt;"


def test_markdown_template_ships_inside_the_package() -> None:
    from importlib import resources

    assert resources.files("commonslint.report").joinpath("templates", "summary.md.j2").is_file()


def test_statistics_counts_per_rule(bad: Path) -> None:
    proc = run_cli("--statistics", "bad", cwd=bad.parent)
    assert proc.returncode == 1
    rows = {line.split()[1]: line for line in proc.stdout.splitlines() if line[:1].strip()}
    assert "CL108" in rows and "[*]" in rows["CL108"]
    as_json = json.loads(run_cli("--statistics", "--format", "json", "bad", cwd=bad.parent).stdout)
    counts = {row["code"]: row for row in as_json}
    full = json.loads(run_cli("--format", "json", "bad", cwd=bad.parent).stdout)["findings"]
    for code, row in counts.items():
        assert row["count"] == sum(1 for f in full if f["code"] == code)
    assert counts["CL108"]["fixable"] == 1
    refused = run_cli("--statistics", "--format", "sarif", "bad", cwd=bad.parent)
    assert refused.returncode == 2 and "--statistics" in refused.stderr


def test_output_file_gets_the_report(bad: Path) -> None:
    out = bad.parent / "report.sarif"
    proc = run_cli("--format", "sarif", "-o", str(out), "bad", cwd=bad.parent)
    assert proc.returncode == 1 and proc.stdout == ""
    assert json.loads(out.read_text("utf-8"))["version"] == "2.1.0"
