"""Stable fingerprints for findings, so dashboards (GitLab, GitHub) can follow one across runs.

A fingerprint hashes the rule, the file and the message, not the line: a finding keeps its
fingerprint when lines above it are added or removed. Identical findings in one file (same rule,
same message) are told apart by their order, so every fingerprint of a report is unique.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from commonslint.findings import Finding
    from commonslint.lint import Result


def fingerprints(findings: Sequence[tuple[Result, Finding]]) -> list[str]:
    seen: Counter[tuple[str, str, str]] = Counter()
    out = []
    for result, finding in findings:
        key = (finding.code, result.repo.show(finding.location.path), finding.message)
        occurrence = seen[key]
        seen[key] += 1
        material = "\0".join((*key, str(occurrence))).encode("utf-8")
        out.append(hashlib.sha256(material).hexdigest()[:32])
    return out
