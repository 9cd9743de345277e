"""GitLab Code Quality JSON (the `codequality` report artifact), shown on merge requests.

Fingerprints hash the rule, the file and the message, not the line, so GitLab sees a finding as
the same one when lines above it move, and as new only when it really is.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from commonslint.report.fingerprint import fingerprints

if TYPE_CHECKING:
    from commonslint.lint import Result
    from commonslint.rulepacks import Rule

SEVERITIES = {"error": "major", "warning": "minor", "info": "info"}


def render(results: Sequence[Result], rules: Sequence[Rule]) -> str:
    findings = [(r, f) for r in results for f in r.findings]
    issues: list[dict[str, Any]] = []
    for (result, f), print_ in zip(findings, fingerprints(findings), strict=True):
        issues.append(
            {
                "type": "issue",
                "check_name": f.code,
                "description": f"{f.code} {f.name}: {f.message}",
                "categories": ["Style"],
                "severity": SEVERITIES[f.severity.label],
                "fingerprint": print_,
                "location": {
                    "path": result.repo.show(f.location.path),
                    "lines": {"begin": max(f.location.line, 1)},
                },
            }
        )
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
