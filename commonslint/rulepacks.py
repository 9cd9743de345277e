"""Rule packs: YAML files of rules, validated with messages that name the pack, rule and problem.

A rule is data (DESIGN.md §3): code, name, severity, summary, documentation, a condition as a
Jinja2 expression over the facts, an optional `for_each`, where the finding points (`at`), a
message template and an optional fix. Built-in packs live in `rules/`; users add their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from commonslint import cache
from commonslint.findings import Severity

BUILTIN_PACKS = ("card", "licence", "lineage", "rail", "governance", "emissions", "text", "linter")
_CODE = re.compile(r"^[A-Z][A-Z0-9]{0,9}[0-9]{2,4}$")
_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_KINDS = {"model", "dataset"}
_DOC_KEYS = ("why", "basis", "fails", "passes")
_ALLOWED = {
    "id",
    "name",
    "severity",
    "summary",
    "kinds",
    "when",
    "for_each",
    "at",
    "message",
    "fix",
    "fix_description",
    "severity_from",
    "docs",
    "stage",
}


class PackError(Exception):
    """A rule pack that cannot be used; the message names the pack, the rule and the problem."""


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    when: str
    at: str
    message: str
    pack: str
    kinds: frozenset[str] = frozenset(_KINDS)
    for_each: str | None = None
    fix: str | None = None
    fix_description: str | None = None
    severity_from: str | None = None
    stage: str = "facts"  # "facts", or "suppressions" for rules about suppressions (CL901)
    docs: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    builtin: bool = True


def rules_dir() -> Path:
    """`rules/` inside the installed package, or beside it in a source checkout."""
    here = Path(__file__).resolve().parent
    packaged = here / "rules"
    return packaged if packaged.is_dir() else here.parent / "rules"


def _load_yaml(path: Path) -> Any:
    try:
        return cache.load_yaml(path)
    except OSError as exc:
        raise PackError(f"rule pack {path}: cannot be read ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        raise PackError(f"rule pack {path}: not valid YAML: {exc}".replace("\n", " ")) from None
    except UnicodeDecodeError:
        raise PackError(f"rule pack {path}: not UTF-8 text") from None


def _rule_from(raw: Any, where: str, index: int, builtin: bool) -> Rule:
    if not isinstance(raw, dict):
        raise PackError(f"{where}: rule #{index + 1} is not a mapping")
    code = raw.get("id")
    label = f"{where}: rule {code!r}" if code else f"{where}: rule #{index + 1}"
    if not isinstance(code, str) or not _CODE.match(code):
        raise PackError(f"{label}: `id` must be a code such as CL201 or ORG001")
    unknown = sorted(set(raw) - _ALLOWED)
    if unknown:
        raise PackError(f"{label}: unknown field(s) {', '.join(unknown)}")
    for key in ("name", "severity", "summary", "when", "at", "message"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise PackError(f"{label}: `{key}` is required and must be text")
    if not _NAME.match(raw["name"]):
        raise PackError(f"{label}: `name` must be lower-case words joined by hyphens")
    try:
        severity = Severity.parse(raw["severity"])
    except ValueError as exc:
        raise PackError(f"{label}: {exc}") from None
    kinds = raw.get("kinds", sorted(_KINDS))
    if not isinstance(kinds, list) or not set(kinds) <= _KINDS or not kinds:
        raise PackError(f"{label}: `kinds` must be a list of: model, dataset")
    docs = raw.get("docs", {})
    if not isinstance(docs, dict) or not all(isinstance(v, str) for v in docs.values()):
        raise PackError(f"{label}: `docs` must be a mapping of text fields")
    if builtin:
        missing = [k for k in _DOC_KEYS if not str(docs.get(k, "")).strip()]
        if missing:
            raise PackError(f"{label}: built-in rule lacks docs field(s) {', '.join(missing)}")
    for key in ("for_each", "fix", "fix_description", "severity_from"):
        if key in raw and not isinstance(raw[key], str):
            raise PackError(f"{label}: `{key}` must be text")
    stage = raw.get("stage", "facts")
    if stage not in ("facts", "suppressions"):
        raise PackError(f"{label}: `stage` must be facts or suppressions")
    return Rule(
        code=code,
        name=raw["name"],
        severity=severity,
        summary=raw["summary"].strip(),
        when=raw["when"],
        at=raw["at"],
        message=raw["message"].strip(),
        pack=where,
        kinds=frozenset(kinds),
        for_each=raw.get("for_each"),
        fix=raw.get("fix"),
        fix_description=raw.get("fix_description"),
        severity_from=raw.get("severity_from"),
        stage=stage,
        docs={k: str(v).strip() for k, v in docs.items()},
        builtin=builtin,
    )


def load_pack(path: Path, builtin: bool, label: str | None = None) -> list[Rule]:
    where = label or str(path)
    data = _load_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise PackError(f"rule pack {where}: expected a mapping with a `rules:` list")
    return [
        _rule_from(raw, f"rule pack {where}", i, builtin) for i, raw in enumerate(data["rules"])
    ]


def load_rules(extra_packs: list[Path] = ()) -> list[Rule]:  # type: ignore[assignment]
    """Built-in packs, then the user's; codes must be unique across all of them."""
    base = rules_dir()
    rules: list[Rule] = []
    for name in BUILTIN_PACKS:
        path = base / f"{name}.yaml"
        if path.exists():
            rules.extend(load_pack(path, builtin=True, label=f"rules/{name}.yaml"))
    for path in extra_packs:
        rules.extend(load_pack(path, builtin=False))
    seen: dict[str, Rule] = {}
    for rule in rules:
        if rule.code in seen:
            raise PackError(
                f"{rule.pack}: rule {rule.code!r} is already defined in {seen[rule.code].pack}"
            )
        seen[rule.code] = rule
    return rules
