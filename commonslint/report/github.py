"""GitHub Actions workflow commands: each finding becomes an annotation on the file and line.

`::error file=README.md,line=3,col=10,endLine=3,endColumn=20,title=CL108 ...::message`. Chosen by
default when `GITHUB_ACTIONS=true` and no format is given. Values are escaped as the Actions
toolkit does (`%`, CR and LF everywhere; `:` and `,` in properties too), so a message cannot end
the command early or inject another.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from commonslint.report.text import summary

if TYPE_CHECKING:
    from commonslint.lint import Result
    from commonslint.rulepacks import Rule

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(results: Sequence[Result], rules: Sequence[Rule]) -> str:
    lines = []
    counts: Counter[str] = Counter()
    for result in results:
        for f in result.findings:
            loc = f.location
            props = [("file", result.repo.show(loc.path))]
            if loc.line:
                props.append(("line", str(loc.line)))
                if loc.column:
                    props.append(("col", str(loc.column)))
                if loc.end_line >= loc.line:
                    props.append(("endLine", str(loc.end_line)))
                    if loc.end_column and (loc.end_line > loc.line or loc.end_column > loc.column):
                        props.append(("endColumn", str(loc.end_column)))
            props.append(("title", f"{f.code} {f.name}"))
            joined = ",".join(f"{k}={escape_property(v)}" for k, v in props)
            lines.append(f"::{COMMANDS[f.severity.label]} {joined}::{escape_data(f.message)}")
            counts[f.severity.label] += 1
    lines.append(summary(counts, len(results)))
    return "\n".join(lines) + "\n"
