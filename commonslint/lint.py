"""One lint run over one repository: source -> facts -> engine -> filter."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from commonslint import facts as facts_mod
from commonslint.config import Config
from commonslint.engine import Engine
from commonslint.findings import Finding, Severity, sort_findings
from commonslint.rulepacks import Rule, load_rules
from commonslint.sources import Repo
from commonslint.suppressions import Suppression


@dataclass
class Result:
    """What one repository gave: its findings, and a record of what was examined."""

    target: str
    repo: Repo
    findings: list[Finding]
    examined: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)


class Linter:
    """Rules are loaded and compiled once and reused for every repository of a run."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.all_rules: list[Rule] = load_rules(config.rule_packs)
        self.rules = [r for r in self.all_rules if config.selects(r.code)]
        self.engine = Engine(self.rules)
        self.known_codes = {r.code for r in self.all_rules}

    def lint(self, repo: Repo, target: str) -> Result:
        config = self.config
        facts, suppressions = facts_mod.compute(repo, config.kind)
        findings = self.engine.run(facts)
        # Each step below is skipped when it cannot change anything (no per-file ignores, no
        # suppressions, no severity overrides: the usual case); ~1.4 us of a tiny card's ~70.
        if config.per_file_ignores:
            findings = [f for f in findings if not config.ignored_for_path(f)]
        unused: list[dict[str, Any]] = []
        if suppressions:
            findings = _apply_suppressions(findings, suppressions, repo.card_path)
            unused = self._unused(suppressions, repo.card_path)
        facts["suppressions"] = {"unused": unused}
        # Run unless sure to find nothing (`Engine.idle`: CL901 loops over an empty `unused`).
        engine = self.engine
        late = None if engine.idle(facts, "suppressions") else engine.run(facts, "suppressions")
        if late:
            findings.extend(f for f in late if not config.ignored_for_path(f))
        if config.severity:
            findings = [self._severity(f) for f in findings]
        examined = sorted(repo._cache)  # every file the facts read, in order
        return Result(target, repo, sort_findings(findings), examined, facts)

    def _unused(self, suppressions: list[Suppression], card_path: str) -> list[dict[str, Any]]:
        unused = []
        for sup in suppressions:
            loc = {
                "path": card_path,
                "line": sup.line,
                "column": sup.column,
                "end_line": sup.line,
                "end_column": sup.column,
            }
            for word in sup.invalid:
                unused.append({"code": word, "reason": "is not a rule code", "at": loc})
            for code in sup.codes:
                if code in sup.used:
                    continue
                if code not in self.known_codes:
                    unused.append({"code": code, "reason": "is not a known rule", "at": loc})
                elif self.config.selects(code):
                    unused.append({"code": code, "reason": "matched no finding", "at": loc})
        return unused

    def _severity(self, finding: Finding) -> Finding:
        override = self.config.severity.get(finding.code)
        if override is None or override == finding.severity:
            return finding
        return Finding(
            finding.code, finding.name, override, finding.message, finding.location, finding.fix
        )


def _apply_suppressions(
    findings: list[Finding], suppressions: list[Suppression], card_path: str
) -> list[Finding]:
    kept = []
    for finding in findings:
        silenced = False
        for sup in suppressions:
            if finding.code not in sup.codes:
                continue
            if sup.scope_line is not None and (
                finding.location.path != card_path or finding.location.line != sup.scope_line
            ):
                continue
            sup.used.add(finding.code)
            silenced = True
        if not silenced:
            kept.append(finding)
    return kept


def worst(findings: list[Finding]) -> Severity | None:
    return max((f.severity for f in findings), default=None)
