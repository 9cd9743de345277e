"""Counts of findings per rule (`--statistics`, and the Markdown summary's table), as ruff's."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from commonslint.lint import Result


def rule_counts(results: Sequence[Result]) -> list[dict[str, Any]]:
    """One row per rule that fired: code, name, the worst severity, count, how many are fixable."""
    rows: dict[str, dict[str, Any]] = {}
    for result in results:
        for f in result.findings:
            row = rows.setdefault(
                f.code,
                {"code": f.code, "name": f.name, "severity": f.severity, "count": 0, "fixable": 0},
            )
            row["count"] += 1
            row["fixable"] += f.fix is not None
            row["severity"] = max(row["severity"], f.severity)
    ordered = sorted(rows.values(), key=lambda r: (-r["count"], r["code"]))
    return [dict(row, severity=row["severity"].label) for row in ordered]


def render(results: Sequence[Result], as_json: bool = False) -> str:
    rows = rule_counts(results)
    if as_json:
        return json.dumps(rows, indent=2) + "\n"
    if not rows:
        return ""
    width_count = max(len(str(r["count"])) for r in rows)
    width_name = max(len(r["name"]) for r in rows)
    lines = [
        f"{r['count']:>{width_count}}  {r['code']}  {r['name']:<{width_name}}  "
        f"{r['severity']:<7}{'  [*] fixable' if r['fixable'] else ''}".rstrip()
        for r in rows
    ]
    if any(r["fixable"] for r in rows):
        lines.append("[*] `commonslint --fix` can fix these (`--diff` shows how).")
    return "\n".join(lines) + "\n"
