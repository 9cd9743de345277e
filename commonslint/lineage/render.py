"""`commonslint lineage`: the tree of parents as text, or as JSON.

Output is deterministic (the order of the card, no clock): the same repository and the same
sources always print the same tree.
"""

from __future__ import annotations

import json
from typing import Any

_KEEP = (
    "id",
    "kind",
    "relation",
    "depth",
    "resolved",
    "licence",
    "source",
    "resolved_from",
    "where",
    "revision",
    "resolved_at",
    "files",
    "notes",
    "obligations",
    "reason",
    "how",
    "cycle",
    "depth_limited",
)


def _child_line(target: str, facts: dict[str, Any]) -> str:
    raw = facts["licence"].get("raw")
    if isinstance(raw, list):
        raw = ", ".join(str(v) for v in raw)
    name = facts["card"]["meta"].get("license_name")
    licence = f"{raw}" if raw not in (None, "") else "no licence declared"
    if name and raw == "other":
        licence += f": {name}"
    return f"{target} ({licence})"


def _node_lines(node: dict[str, Any], prefix: str, last: bool) -> list[str]:
    branch = "└── " if last else "├── "
    relation = f" [{node['relation']}]" if node.get("relation") else ""
    if node["cycle"]:
        status = "(cycle: already listed above it; not followed again)"
    elif node["source"] is not None:
        status = node["licence_text"]
    else:
        status = "licence unknown"
    lines = [f"{prefix}{branch}{node['kind']} {node['id']}{relation}: {status}"]
    inner = prefix + ("    " if last else "│   ")
    detail = inner + ("│ " if node["children"] else "  ")
    if node["source"] is not None:
        learnt = f"learnt from {node['source_label']}"
        if node["source"] == "lock":
            when = f", {node['resolved_at']}" if node["resolved_at"] else ""
            origin = node["resolved_from"]
            learnt += (
                " (recorded by hand)" if origin == "manual" else f" (resolved from {origin}{when})"
            )
        if node["where"] and node["where"] != "commonslint.lock":
            learnt += f": {node['where']}"
        lines.append(f"{detail}{learnt}")
    if node["notes"]:
        lines.append(f"{detail}note: {node['notes']}")
    if node["obligations"]:
        lines.append(f"{detail}passes down: " + "; ".join(node["obligations"]))
    if not node["resolved"] and not node["cycle"]:
        if node["reason"]:
            lines.append(f"{detail}why unknown: {node['reason']}")
        if node["how"]:
            lines.append(f"{detail}to resolve: {node['how']}")
    if node["depth_limited"]:
        lines.append(f"{detail}its own parents were not followed (depth limit)")
    for i, child in enumerate(node["children"]):
        lines.extend(_node_lines(child, inner, i == len(node["children"]) - 1))
    return lines


def text(target: str, facts: dict[str, Any]) -> str:
    lineage = facts["lineage"]
    lines = [_child_line(target, facts)]
    tree = lineage["tree"]
    if not tree:
        lines.append("└── no parents: the card names no `base_model` and no `datasets`")
    for i, node in enumerate(tree):
        lines.extend(_node_lines(node, "", i == len(tree) - 1))
    unresolved = len(lineage["unresolved"])
    if unresolved:
        lines.append(
            f"{unresolved} parent{'s' if unresolved != 1 else ''} with an unknown licence."
        )
    return "\n".join(lines) + "\n"


def _json_node(node: dict[str, Any]) -> dict[str, Any]:
    data = {k: node[k] for k in _KEEP}
    data["parents"] = [_json_node(c) for c in node["children"]]
    return data


def as_json(target: str, facts: dict[str, Any]) -> str:
    lineage = facts["lineage"]
    document = {
        "target": target,
        "licence": facts["licence"].get("raw"),
        "licence_ids": lineage["child"]["ids"],
        "parents": [_json_node(n) for n in lineage["tree"]],
        "unresolved": [n["id"] for n in lineage["unresolved"]],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
