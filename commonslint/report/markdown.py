"""A Markdown summary (GitHub job summaries, merge-request comments), from a Jinja2 template.

The template lives in `templates/summary.md.j2` inside the package, so it ships in the wheel.
Table cells are escaped so that a message (which may quote a card's own text) cannot break the
table or inject HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any

import jinja2

from commonslint import __version__
from commonslint.report import documentation_url
from commonslint.report.statistics import rule_counts

if TYPE_CHECKING:
    from commonslint.lint import Result
    from commonslint.rulepacks import Rule

MAX_ROWS = 500  # a job summary is capped at 1 MiB; past this, the count says what was left out
ICONS = {"error": ":x:", "warning": ":warning:", "info": ":information_source:"}


def cell(value: object) -> str:
    text = " ".join(str(value).split())
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _environment() -> jinja2.Environment:
    source = resources.files("commonslint.report").joinpath("templates", "summary.md.j2")
    env = jinja2.Environment(
        loader=jinja2.DictLoader({"summary.md.j2": source.read_text(encoding="utf-8")}),
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["cell"] = cell
    return env


def render(results: Sequence[Result], rules: Sequence[Rule]) -> str:
    targets: list[dict[str, Any]] = []
    shown_rows = 0
    for result in results:
        rows = []
        for f in result.findings:
            if shown_rows >= MAX_ROWS:
                break
            loc = f.location
            rows.append(
                {
                    "where": f"{result.repo.show(loc.path)}:{loc.line}:{loc.column}",
                    "code": f.code,
                    "name": f.name,
                    "severity": f.severity.label,
                    "icon": ICONS[f.severity.label],
                    "message": f.message,
                    "url": documentation_url(f.code, f.name),
                    "fixable": f.fix is not None,
                }
            )
            shown_rows += 1
        targets.append(
            {
                "target": result.target,
                "total": len(result.findings),
                "rows": rows,
                "examined": [result.repo.show(p) for p in result.examined],
            }
        )
    counts = rule_counts(results)
    for row in counts:
        row["url"] = documentation_url(row["code"], row["name"])
        row["icon"] = ICONS[row["severity"]]
    severities = {label: 0 for label in ICONS}
    for result in results:
        for f in result.findings:
            severities[f.severity.label] += 1
    return (
        _environment()
        .get_template("summary.md.j2")
        .render(
            version=__version__,
            targets=targets,
            counts=counts,
            severities=severities,
            total=sum(severities.values()),
            fixable=sum(row["fixable"] for row in counts),
        )
    )
