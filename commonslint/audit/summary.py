"""The audit's aggregate: counts kept as records arrive, merged across workers, never a list of
all findings. `Tally.add` takes one record (as written to `findings.jsonl`), so a resumed audit
counts the records of the earlier run by reading them back; `Tally.merge` joins the tallies of
two batches. `summary()` turns a tally into the `summary.json` document: counts, shares, the
most common problems, and the definitions of what was counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from commonslint import __version__
from commonslint.audit.indicators import (
    INDICATOR_RULES,
    INDICATORS,
    LICENCE_CLASSES,
    OBLIGATION_CODES,
)

if TYPE_CHECKING:
    from commonslint.rulepacks import Rule

SCHEMA_VERSION = 1
MAX_BAD_EXAMPLES = 200  # bad records listed one by one in the summary (all are in the JSONL)
TOP = 20


@dataclass
class Tally:
    repositories: int = 0
    bad: int = 0
    bad_examples: list[dict[str, Any]] = field(default_factory=list)
    bad_reasons: Counter[str] = field(default_factory=Counter)
    licence_class: Counter[str] = field(default_factory=Counter)
    licence_ids: Counter[str] = field(default_factory=Counter)
    front_matter: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    groups: Counter[str] = field(default_factory=Counter)
    rule_repos: Counter[str] = field(default_factory=Counter)
    rule_findings: Counter[str] = field(default_factory=Counter)
    severity_findings: Counter[str] = field(default_factory=Counter)
    repos_by_worst: Counter[str] = field(default_factory=Counter)
    indicator_yes: Counter[str] = field(default_factory=Counter)
    indicator_applies: Counter[str] = field(default_factory=Counter)
    emissions_present: int = 0
    obligations_not_kept: int = 0
    obligation_findings: int = 0
    repos_naming_parents: int = 0
    parents_named: int = 0
    parents_known: int = 0

    def add(self, record: dict[str, Any]) -> None:
        if "error" in record:
            self.bad += 1
            self.bad_reasons[record["error"].split(" (", 1)[0]] += 1
            if len(self.bad_examples) < MAX_BAD_EXAMPLES:
                self.bad_examples.append(
                    {k: record.get(k) for k in ("source", "position", "id", "error")}
                )
            return
        self.repositories += 1
        licence = record.get("licence") or {}
        self.licence_class[licence.get("class") or "none declared"] += 1
        for ident in licence.get("ids") or ():
            self.licence_ids[ident] += 1
        self.front_matter[record.get("front_matter") or "absent"] += 1
        self.kinds[record.get("kind") or "model"] += 1
        if record.get("group"):
            self.groups[record["group"]] += 1
        codes = set()
        for finding in record.get("findings") or ():
            codes.add(finding["code"])
            self.rule_findings[finding["code"]] += 1
            self.severity_findings[finding["severity"]] += 1
        self.rule_repos.update(codes)
        counts = record.get("counts") or {}
        worst = next((s for s in ("error", "warning", "info") if counts.get(s)), "clean")
        self.repos_by_worst[worst] += 1
        for name, value in (record.get("indicators") or {}).items():
            if value is None:
                continue
            self.indicator_applies[name] += 1
            if value:
                self.indicator_yes[name] += 1
        self.emissions_present += bool(record.get("emissions_present"))
        self.obligations_not_kept += bool(codes & OBLIGATION_CODES)
        self.obligation_findings += sum(_findings_in(record, OBLIGATION_CODES))
        named = (record.get("parents") or {}).get("named", 0)
        self.repos_naming_parents += bool(named)
        self.parents_named += named
        self.parents_known += (record.get("parents") or {}).get("licence_known", 0)

    def merge(self, other: Tally) -> None:
        self.repositories += other.repositories
        self.bad += other.bad
        room = MAX_BAD_EXAMPLES - len(self.bad_examples)
        self.bad_examples.extend(other.bad_examples[: max(room, 0)])
        for name in (
            "bad_reasons",
            "licence_class",
            "licence_ids",
            "front_matter",
            "kinds",
            "groups",
            "rule_repos",
            "rule_findings",
            "severity_findings",
            "repos_by_worst",
            "indicator_yes",
            "indicator_applies",
        ):
            getattr(self, name).update(getattr(other, name))
        for name in (
            "emissions_present",
            "obligations_not_kept",
            "obligation_findings",
            "repos_naming_parents",
            "parents_named",
            "parents_known",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _findings_in(record: dict[str, Any], codes: frozenset[str]) -> Iterator[int]:
    """1 for each finding of the record whose code is in `codes`."""
    return (1 for f in record.get("findings") or () if f["code"] in codes)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _count(part: int, whole: int) -> dict[str, Any]:
    return {"repositories": part, "share": _share(part, whole)}


def _ranked(counter: Counter[str], limit: int | None = None) -> list[tuple[str, int]]:
    """Most common first; ties by name, so the order never depends on arrival order."""
    ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    return ranked[:limit] if limit else ranked


def summary(
    tally: Tally,
    rules: Sequence[Rule],
    sources: Sequence[str],
    title: str | None = None,
    complete: bool = True,
) -> dict[str, Any]:
    """The summary.json document. Deterministic: no dates, times or machine details."""
    n = tally.repositories
    by_code = {r.code: r for r in rules}
    classes = [name for name, _ in LICENCE_CLASSES]
    problems = []
    for code, repos in _ranked(tally.rule_repos):
        rule = by_code.get(code)
        problems.append(
            {
                "code": code,
                "name": rule.name if rule else None,
                "severity": rule.severity.label if rule else None,
                "summary": rule.summary if rule else None,
                "repositories": repos,
                "share": _share(repos, n),
                "findings": tally.rule_findings[code],
            }
        )
    active = {r.code for r in rules}
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "commonslint", "version": __version__},
        "title": title,
        "sources": list(sources),
        "complete": complete,
        "records": n + tally.bad,
        "repositories": n,
        "bad_records": {
            "count": tally.bad,
            "by_reason": dict(_ranked(tally.bad_reasons)),
            "examples": tally.bad_examples,
            "examples_cap": MAX_BAD_EXAMPLES,
        },
        "licence_classes": {name: _count(tally.licence_class[name], n) for name in classes},
        "licence_class_definitions": dict(LICENCE_CLASSES),
        "licence_ids": [
            {"id": ident, "repositories": count, "share": _share(count, n)}
            for ident, count in _ranked(tally.licence_ids, TOP * 2)
        ],
        "front_matter": dict(_ranked(tally.front_matter)),
        "kinds": dict(_ranked(tally.kinds)),
        "groups": dict(_ranked(tally.groups, TOP * 5)),
        "indicators": {
            name: {
                "definition": definition,
                "yes": tally.indicator_yes[name],
                "applies": tally.indicator_applies[name],
                "share": _share(tally.indicator_yes[name], tally.indicator_applies[name]),
                "rules": sorted(INDICATOR_RULES[name]),
                "rules_not_loaded": sorted(INDICATOR_RULES[name] - active),
            }
            for name, definition in INDICATORS.items()
        },
        "emissions_present": _count(tally.emissions_present, n),
        "parents": {
            "repositories_naming_parents": tally.repos_naming_parents,
            "share": _share(tally.repos_naming_parents, n),
            "parents_named": tally.parents_named,
            "parents_licence_known": tally.parents_known,
        },
        "obligations_not_kept": {
            "repositories": tally.obligations_not_kept,
            "share": _share(tally.obligations_not_kept, n),
            "findings": tally.obligation_findings,
            "codes": sorted(OBLIGATION_CODES),
            "rules_not_loaded": sorted(OBLIGATION_CODES - active),
        },
        "findings": {
            "total": sum(tally.severity_findings.values()),
            "by_severity": {s: tally.severity_findings[s] for s in ("error", "warning", "info")},
            "repositories_by_worst": {
                s: tally.repos_by_worst[s] for s in ("error", "warning", "info", "clean")
            },
        },
        "rules": problems,
        "most_common_problems": problems[:TOP],
    }
