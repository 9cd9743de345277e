"""SARIF 2.1.0, the format GitHub code scanning (and most CI dashboards) read.

Every rule is listed in the driver with its descriptions and help, so a dashboard can explain a
result without this tool; every result has a physical location with a region, so GitHub can put it
on the diff. URIs are relative to the folder the linter ran in (on GitHub, the checkout), with the
`%SRCROOT%` base id. Deterministic: no dates, no machine paths, stable order.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from commonslint import __version__
from commonslint.report import PROJECT_URL, documentation_url
from commonslint.report.fingerprint import fingerprints
from commonslint.ruledocs import rule_markdown, rule_text

if TYPE_CHECKING:
    from commonslint.findings import Finding
    from commonslint.lint import Result
    from commonslint.rulepacks import Rule

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _rule(rule: Rule) -> dict[str, Any]:
    full = " ".join(part for part in (rule.summary, rule.docs.get("why", "")) if part)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": full},
        "help": {"text": rule_text(rule), "markdown": rule_markdown(rule)},
        "helpUri": documentation_url(rule.code, rule.name),
        "defaultConfiguration": {"level": LEVELS[rule.severity.label]},
        "properties": {"tags": [rule.pack.rsplit("/", 1)[-1].removesuffix(".yaml")]},
    }


def artifact_location(shown: str) -> dict[str, Any]:
    """A relative path becomes a URI under %SRCROOT%; anything else an absolute file URI."""
    posix = shown.replace("\\", "/")
    if posixpath.isabs(posix) or posix.startswith("../") or ":" in posix.split("/", 1)[0]:
        return {"uri": "file://" + quote(posixpath.normpath("/" + posix.lstrip("/")))}
    return {"uri": quote(posixpath.normpath(posix)), "uriBaseId": "%SRCROOT%"}


def _region(finding: Finding) -> dict[str, Any]:
    loc = finding.location
    # Line 0 means "the file as a whole"; SARIF lines start at 1, so point at the first line.
    region: dict[str, Any] = {"startLine": max(loc.line, 1)}
    if loc.line and loc.column:
        region["startColumn"] = loc.column
        end_line = max(loc.end_line, loc.line)
        end_column = loc.end_column or loc.column
        if end_line == loc.line:
            end_column = max(end_column, loc.column)
        region["endLine"] = end_line
        region["endColumn"] = end_column
    return region


def render(results: Sequence[Result], rules: Sequence[Rule]) -> str:
    # Every rule the run knew, plus any a finding names that the list lacked (never drop one).
    listed = {r.code: r for r in rules}
    index = {code: i for i, code in enumerate(listed)}
    driver_rules = [_rule(r) for r in listed.values()]
    findings = [(result, f) for result in results for f in result.findings]
    prints = fingerprints(findings)
    sarif_results = []
    for (result, finding), print_ in zip(findings, prints, strict=True):
        if finding.code not in index:
            index[finding.code] = len(driver_rules)
            driver_rules.append(
                {"id": finding.code, "name": finding.name, "shortDescription": {"text": ""}}
            )
        entry: dict[str, Any] = {
            "ruleId": finding.code,
            "ruleIndex": index[finding.code],
            "level": LEVELS[finding.severity.label],
            "message": {"text": finding.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": artifact_location(
                            result.repo.show(finding.location.path)
                        ),
                        "region": _region(finding),
                    }
                }
            ],
            "partialFingerprints": {"commonslint/v1": print_},
        }
        if finding.fix is not None:
            entry["properties"] = {
                "fixable": True,
                "fix": finding.fix.description or finding.fix.fixer,
            }
        sarif_results.append(entry)
    document = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "commonslint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": PROJECT_URL,
                        "rules": driver_rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": sarif_results,
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
