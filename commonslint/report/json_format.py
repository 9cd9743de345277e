"""A stable JSON document: `schema_version`, the tool, what was examined, and the findings."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from commonslint import __version__
from commonslint.report import documentation_anchor

if TYPE_CHECKING:
    from commonslint.lint import Result
    from commonslint.rulepacks import Rule

SCHEMA_VERSION = 1


def finding_dict(result: Result, finding: Any) -> dict[str, Any]:
    loc = finding.location
    data: dict[str, Any] = {
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity.label,
        "message": finding.message,
        "path": result.repo.show(loc.path),
        "repo_path": loc.path,
        "line": loc.line,
        "column": loc.column,
        "end_line": loc.end_line,
        "end_column": loc.end_column,
        "target": result.target,
        "documentation": documentation_anchor(finding.code, finding.name),
        "fix": None,
    }
    if finding.fix is not None:
        data["fix"] = {
            "description": finding.fix.description or finding.fix.fixer,
            "path": finding.fix.path,
        }
    return data


def render(results: Sequence[Result], rules: Sequence[Rule]) -> str:
    findings = [finding_dict(r, f) for r in results for f in r.findings]
    counts = Counter(f["severity"] for f in findings)
    document = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "commonslint", "version": __version__},
        "targets": [
            {
                "target": r.target,
                "kind": r.facts.get("card", {}).get("kind"),
                "examined": [r.repo.show(p) for p in r.examined],
            }
            for r in results
        ],
        "findings": findings,
        "summary": {
            "errors": counts["error"],
            "warnings": counts["warning"],
            "info": counts["info"],
            "total": len(findings),
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
