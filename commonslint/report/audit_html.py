"""The audit's HTML report: one self-contained file (no script, style or font from elsewhere).

The charts are inline SVG drawn here, server-side, from the summary; the table of repositories
is a JSON document inside the page, rendered a page at a time by a small inline script, so that
25,000 rows stay usable; the rule documentation is in the page, one click from every finding.
The rows are streamed from `findings.jsonl` into the file, never held in memory all at once.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from commonslint import __version__
from commonslint.audit.indicators import LICENCE_CLASSES
from commonslint.fileio import atomic_writer
from commonslint.ruledocs import rule_text

if TYPE_CHECKING:
    from commonslint.rulepacks import Rule

TEMPLATES = Path(__file__).parent / "templates"
ROWS_MARK = "/*@@COMMONSLINT_ROWS@@*/"
MESSAGES_MARK = "/*@@COMMONSLINT_MESSAGES@@*/"
SEVERITIES = ("error", "warning", "info")
MAX_MESSAGE = 300  # characters of a finding's message shown in the table (all are in the JSONL)
# One colour a licence class, the same in the chart and the table.
CLASS_COLOURS = {
    "no card": "#6b6b6b",
    "no metadata": "#9a9a9a",
    "none declared": "#c8c8c8",
    "not recognised": "#b07aa1",
    "RAIL / use-restricted": "#e15759",
    "non-commercial": "#f28e2b",
    "no-derivatives": "#9c755f",
    "share-alike": "#edc948",
    "weak copyleft": "#bab0ac",
    "custom": "#ff9da7",
    "other": "#d4a6c8",
    "placeholder": "#86bcb6",
    "permissive": "#59a14f",
    "public domain": "#4e79a7",
}
INDICATOR_LABELS = {
    "licence_declared": "Declares a licence",
    "licence_clear": "Licence is what it says",
    "parent_terms_kept": "Keeps its parents' terms",
    "restrictions_passed": "Passes on use restrictions",
    "emissions_reported": "Reports its emissions",
    "code_of_conduct": "Has a code of conduct",
}


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["pct"] = lambda v: "n/a" if v is None else f"{v * 100:.1f}%"
    env.filters["num"] = lambda v: f"{v:,}"
    env.filters["tojson_script"] = _script_json
    return env


def _script_json(value: Any) -> str:
    """JSON safe inside a <script> element: no `</script>` or `<!--` can appear in it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


class Messages:
    """The table of distinct finding messages: most findings share a handful of messages, so
    rows point at them by number (138 distinct messages for 138,163 findings of the bulk
    corpus). Past `limit` distinct messages, new ones are written into the rows themselves,
    so memory stays bounded whatever the input."""

    def __init__(self, limit: int = 100_000) -> None:
        self.index: dict[str, int] = {}
        self.limit = limit

    def ref(self, message: str) -> int | str:
        if len(message) > MAX_MESSAGE:
            message = message[:MAX_MESSAGE] + "…"
        found = self.index.get(message)
        if found is not None:
            return found
        if len(self.index) >= self.limit:
            return message
        self.index[message] = len(self.index)
        return self.index[message]

    def table(self) -> list[str]:
        return list(self.index)


def row(record: dict[str, Any]) -> list[Any]:
    """One table row: [id, group, kind, class, licence ids, errors, warnings, infos, findings],
    each finding as [code, severity index, line, message]. Built by the audit's workers, so
    the parent only numbers the messages and writes."""
    counts = record.get("counts") or {}
    licence = record.get("licence") or {}
    findings = [
        [
            f["code"],
            SEVERITIES.index(f["severity"]) if f["severity"] in SEVERITIES else 2,
            f.get("line") or 0,
            f["message"],
        ]
        for f in record.get("findings") or ()
    ]
    return [
        record["id"],
        record.get("group") or "",
        record.get("kind") or "",
        licence.get("class") or "",
        " ".join(licence.get("ids") or ()),
        counts.get("error", 0),
        counts.get("warning", 0),
        counts.get("info", 0),
        findings,
    ]


class RowsFile:
    """The table's rows, written to a temporary file beside the report as the audit goes, in
    the order of findings.jsonl, with messages replaced by their number in `messages`. The
    report is assembled from it at the end, so no row is held in memory and the findings file
    is not read again."""

    def __init__(self, report: Path) -> None:
        report.parent.mkdir(parents=True, exist_ok=True)
        self.path = report.with_name(f".{report.name}.{os.getpid()}.rows")
        self.messages = Messages()
        self._handle = open(self.path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        self._first = True

    def add(self, table_row: list[Any]) -> None:
        findings = [[c, s, line, self.messages.ref(m)] for c, s, line, m in table_row[8]]
        text = _script_json([*table_row[:8], findings])
        self._handle.write(text if self._first else ",\n" + text)
        self._first = False

    def add_record(self, record: dict[str, Any]) -> None:
        if "error" not in record:  # bad records are listed from the summary
            self.add(row(record))

    def close(self) -> None:
        if not self._handle.closed:
            self._handle.close()

    def discard(self) -> None:
        self.close()
        self.path.unlink(missing_ok=True)

    def pieces(self) -> Iterator[str]:
        self.close()
        yield "["
        with open(self.path, encoding="utf-8") as handle:
            while chunk := handle.read(1 << 20):
                yield chunk
        yield "]"


def _bars(
    items: Sequence[tuple[str, float, str, str, str | None]], width: int = 820
) -> dict[str, Any]:
    """Geometry for a horizontal bar chart: (label, fraction, value text, colour, link)."""
    label_w = 250
    bar_w = width - label_w - 250
    step = 26
    bars = []
    for i, (label, fraction, text, colour, link) in enumerate(items):
        bars.append(
            {
                "label": label,
                "y": i * step + 4,
                "w": max(fraction, 0.0) * bar_w,
                "text": text,
                "colour": colour,
                "link": link,
            }
        )
    return {
        "width": width,
        "height": len(items) * step + 8,
        "label_w": label_w,
        "bar_w": bar_w,
        "bars": bars,
    }


def context(summary: dict[str, Any], rules: Sequence[Rule]) -> dict[str, Any]:
    n = summary["repositories"]
    indicators = [
        (
            INDICATOR_LABELS.get(name, name),
            data["share"] or 0.0,
            f"{(data['share'] or 0) * 100:.1f}%  ({data['yes']:,} of {data['applies']:,})"
            if data["share"] is not None
            else "not measured: its rules did not run"
            if data.get("rules_not_loaded") == data.get("rules")
            else "applies to none",
            "#4e79a7",
            None,
        )
        for name, data in summary["indicators"].items()
    ]
    classes = summary["licence_classes"]
    largest = max((c["repositories"] for c in classes.values()), default=0) or 1
    landscape = [
        (
            name,
            classes[name]["repositories"] / largest,
            f"{classes[name]['repositories']:,}  ({(classes[name]['share'] or 0) * 100:.1f}%)",
            CLASS_COLOURS.get(name, "#888"),
            None,
        )
        for name, _ in LICENCE_CLASSES
        if classes.get(name, {}).get("repositories")
    ]
    top_ids = summary["licence_ids"][:15]
    most_ids = max((i["repositories"] for i in top_ids), default=0) or 1
    licence_ids = [
        (
            item["id"],
            item["repositories"] / most_ids,
            f"{item['repositories']:,}  ({(item['share'] or 0) * 100:.1f}%)",
            "#76b7b2",
            None,
        )
        for item in top_ids
    ]
    colour = {"error": "#d62728", "warning": "#e8a33d", "info": "#7f7f7f"}
    problems = [
        (
            f"{p['code']} {p['name'] or ''}",
            p["share"] or 0.0,
            f"{(p['share'] or 0) * 100:.1f}%  ({p['repositories']:,})",
            colour.get(p["severity"] or "info", "#7f7f7f"),
            f"#rule-{p['code']}",
        )
        for p in summary["most_common_problems"][:15]
    ]
    present = {p["code"] for p in summary["rules"]}
    return {
        "s": summary,
        "n": n,
        "version": __version__,
        "charts": {
            "indicators": _bars(indicators),
            "landscape": _bars(landscape),
            "licence_ids": _bars(licence_ids),
            "problems": _bars(problems),
        },
        "class_colours": CLASS_COLOURS,
        "classes": [
            name for name, _ in LICENCE_CLASSES if classes.get(name, {}).get("repositories")
        ],
        "rules": [
            {
                "code": r.code,
                "name": r.name,
                "severity": r.severity.label,
                "summary": r.summary,
                "text": rule_text(r),
                "present": r.code in present,
            }
            for r in rules
        ],
        "rule_index": {
            r.code: {"name": r.name, "severity": r.severity.label, "summary": r.summary}
            for r in rules
        },
        "codes_present": sorted(present),
        "groups": list(summary.get("groups", {}))[:100],
        "rows_mark": ROWS_MARK,
        "messages_mark": MESSAGES_MARK,
        "css": (TEMPLATES / "audit.css").read_text(encoding="utf-8"),
        "script": (TEMPLATES / "audit.js").read_text(encoding="utf-8"),
    }


def render_page(summary: dict[str, Any], rules: Sequence[Rule]) -> tuple[str, str, str]:
    """The page around the rows document and the messages table."""
    page = _environment().get_template("audit.html.j2").render(**context(summary, rules))
    head, mark, rest = page.partition(ROWS_MARK)
    middle, mark2, tail = rest.partition(MESSAGES_MARK)
    if not (mark and mark2):
        raise RuntimeError("the audit template lost its rows or messages mark")
    return head, middle, tail


def write_report(
    path: Path, summary: dict[str, Any], rows: RowsFile, rules: Sequence[Rule]
) -> None:
    """Assemble the report into `path`, atomically (a reader never sees half a report)."""
    head, middle, tail = render_page(summary, rules)
    try:
        with atomic_writer(path, text=True) as out:
            out.write(head)
            for piece in rows.pieces():
                out.write(piece)
            out.write(middle)
            out.write(_script_json(rows.messages.table()))
            out.write(tail)
    finally:
        rows.discard()


def write_report_from_jsonl(
    path: Path, summary: dict[str, Any], jsonl: Path, rules: Sequence[Rule]
) -> None:
    """The report for a findings file already on disk (streamed, one record at a time)."""
    rows = RowsFile(path)
    try:
        with open(jsonl, encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    rows.add_record(json.loads(line))
    except BaseException:
        rows.discard()
        raise
    write_report(path, summary, rows, rules)
