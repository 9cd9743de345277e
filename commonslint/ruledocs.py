"""Rule documentation, generated from the rule entries so that it never drifts (as yamllint's).

In ruff's order: what it does, why it matters, what it rests on, an example that fails, one
that passes, what to do instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from commonslint.report import documentation_anchor
from commonslint.rulepacks import Rule

_SECTIONS = (
    ("why", "Why it matters"),
    ("basis", "What it rests on"),
    ("fails", "Example that fails"),
    ("passes", "Example that passes"),
    ("fix", "How to fix it"),
    ("notes", "Notes"),
)


def rule_text(rule: Rule) -> str:
    out = [
        f"{rule.code} {rule.name} ({rule.severity.label} by default; "
        f"{', '.join(sorted(rule.kinds))} repositories; pack {rule.pack})",
        "",
        rule.summary,
        "",
    ]
    for key, title in _SECTIONS:
        if rule.docs.get(key):
            out += [f"{title}:", *(f"  {line}" for line in rule.docs[key].splitlines()), ""]
    return "\n".join(out).rstrip() + "\n"


def reference_markdown(rules: Sequence[Rule]) -> str:
    out = [
        "# commonslint rules",
        "",
        "Generated from `rules/*.yaml` by `commonslint rules --format markdown`; do not edit.",
        "",
        rule_table(rules),
    ]
    for rule in rules:
        out += [f"## {rule.code} {rule.name}", "", rule_markdown(rule), ""]
    return "\n".join(out)


def rule_table(rules: Sequence[Rule], link_prefix: str = "") -> str:
    """The one-line-a-rule table of the reference page and of the README (`docs/rules.md`)."""
    out = ["| code | name | default | summary |", "| --- | --- | --- | --- |"]
    for rule in rules:
        anchor = documentation_anchor(rule.code, rule.name, page=link_prefix)
        out.append(
            f"| [{rule.code}]({anchor}) | {rule.name} | {rule.severity.label} | {rule.summary} |"
        )
    return "\n".join(out) + "\n"


def rule_markdown(rule: Rule) -> str:
    """One rule's documentation in Markdown, without its heading (SARIF `help.markdown`)."""
    out = [
        f"*Default severity: {rule.severity.label}. Applies to: "
        f"{', '.join(sorted(rule.kinds))} repositories.*",
        "",
        rule.summary,
        "",
    ]
    for key, title in _SECTIONS:
        text = rule.docs.get(key)
        if not text:
            continue
        out.append(f"**{title}.**")
        out.append("")
        if key in ("fails", "passes"):
            out += ["```", text, "```"]
        else:
            out.append(text)
        out.append("")
    return "\n".join(out).rstrip("\n")
