"""`path:line:col: CODE [severity] message`, sorted, then one summary line."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from commonslint.lint import Result
    from commonslint.rulepacks import Rule


def render(results: Sequence[Result], rules: Sequence[Rule]) -> str:
    lines = []
    counts: Counter[str] = Counter()
    for result in results:
        for f in result.findings:
            loc = f.location
            lines.append(
                f"{result.repo.show(loc.path)}:{loc.line}:{loc.column}: "
                f"{f.code} [{f.severity.label}] {f.message}"
            )
            counts[f.severity.label] += 1
    lines.append(summary(counts, len(results)))
    return "\n".join(lines) + "\n"


def summary(counts: Counter[str], repositories: int) -> str:
    total = sum(counts.values())
    where = f"{repositories} {'repository' if repositories == 1 else 'repositories'}"
    if not total:
        return f"All checks passed ({where} examined)."
    parts = [
        f"{counts[label]} {label}{'s' if counts[label] != 1 and label != 'info' else ''}"
        for label in ("error", "warning", "info")
    ]
    noun = "problem" if total == 1 else "problems"
    return f"Found {total} {noun} ({', '.join(parts)}) in {where}."
