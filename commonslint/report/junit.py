"""JUnit XML, which Jenkins, GitLab, Azure Pipelines and most CI test views read.

One test suite per linted repository; one failing test case per finding (its type is the
severity, so a dashboard can tell errors from notes); a repository with no findings gets one
passing case, so "clean" shows as a pass rather than as nothing at all.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from commonslint.lint import Result
    from commonslint.rulepacks import Rule


def render(results: Sequence[Result], rules: Sequence[Rule]) -> str:
    total = sum(max(len(r.findings), 1) for r in results)
    failures = sum(len(r.findings) for r in results)
    root = ET.Element(
        "testsuites", name="commonslint", tests=str(total), failures=str(failures), errors="0"
    )
    for result in results:
        name = result.target
        suite = ET.SubElement(
            root,
            "testsuite",
            name=name,
            tests=str(max(len(result.findings), 1)),
            failures=str(len(result.findings)),
            errors="0",
            skipped="0",
        )
        if not result.findings:
            ET.SubElement(suite, "testcase", classname=name, name="commonslint")
        for f in result.findings:
            loc = f.location
            shown = result.repo.show(loc.path)
            case = ET.SubElement(
                suite,
                "testcase",
                classname=shown,
                name=f"{f.code} {f.name} ({shown}:{loc.line}:{loc.column})",
                file=shown,
                line=str(loc.line),
            )
            failure = ET.SubElement(case, "failure", type=f.severity.label, message=f.message)
            failure.text = (
                f"{shown}:{loc.line}:{loc.column}: {f.code} [{f.severity.label}] {f.message}"
            )
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
