"""The parents a card declares: `base_model` (with `base_model_relation`) and `datasets`.

Each value keeps the location of its own YAML item, so a finding about one parent of a merge
points at that parent's line. Values that are not strings are left to CL005.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from commonslint.card import Card, value_node
from commonslint.lineage.records import hub_id
from commonslint.locations import node_loc

# hub-docs docs/hub/model-cards.md (DOMAIN §2.3).
RELATIONS = ("adapter", "merge", "quantized", "finetune")
_NEAR = {
    "fine-tune": "finetune",
    "fine_tune": "finetune",
    "finetuned": "finetune",
    "fine-tuned": "finetune",
    "fine-tuning": "finetune",
    "finetuning": "finetune",
    "quantised": "quantized",
    "quantization": "quantized",
    "quantisation": "quantized",
    "quantize": "quantized",
    "lora": "adapter",
    "peft": "adapter",
    "adapters": "adapter",
    "merged": "merge",
    "merging": "merge",
}


@dataclass(frozen=True)
class Declared:
    raw: str
    kind: str  # model / dataset
    id: str | None  # the Hub id, None when the value is a local path or not an id
    at: dict[str, Any] | None


def _items(card: Card | None, card_f: dict[str, Any], key: str) -> list[tuple[str, Any]]:
    """(value, location) for each string in a string-or-list field."""
    value = card_f["meta"].get(key)
    if not isinstance(value, (str, list)):
        return []  # absent (most cards) or of the wrong type: no node lookup needed
    fallback = card_f["value_at"].get(key) or card_f["key_at"].get(key)
    node = None
    if card is not None and card.front.node is not None:
        node = value_node(card.front.node, key)
    if isinstance(value, str):
        at = node_loc(card, node) if card is not None and node is not None else fallback
        return [(value, at)] if value.strip() else []
    if not isinstance(value, list):
        return []
    nodes = node.value if isinstance(node, yaml.SequenceNode) else []
    out = []
    for i, item in enumerate(value):
        if isinstance(item, str) and item.strip():
            at = node_loc(card, nodes[i]) if card is not None and i < len(nodes) else fallback
            out.append((item, at))
    return out


def declared_parents(card: Card | None, card_f: dict[str, Any]) -> list[Declared]:
    if not card_f.get("ok"):
        return []
    out: list[Declared] = []
    seen: set[tuple[str, str]] = set()
    for key, kind in (("base_model", "model"), ("datasets", "dataset")):
        for raw, at in _items(card, card_f, key):
            parent_id = hub_id(raw, kind)
            mark = (kind, (parent_id or raw).lower())
            if mark in seen:
                continue
            seen.add(mark)
            out.append(Declared(raw=raw.strip(), kind=kind, id=parent_id, at=at))
    return out


def relation_facts(card_f: dict[str, Any], models: int) -> dict[str, Any]:
    """`base_model_relation`: its value, and what is wrong with it, for CL208."""
    meta = card_f["meta"]
    value = meta.get("base_model_relation")
    present = "base_model_relation" in meta
    problem = None
    suggestion = None
    if isinstance(value, str):
        lowered = value.strip().lower()
        suggestion = lowered if lowered in RELATIONS else _NEAR.get(lowered)
    if isinstance(value, str) and value not in RELATIONS:
        problem = "invalid"  # a value of the wrong type is CL005's
    elif not present and models > 1:
        problem = "missing"
    return {
        "value": value,
        "present": present,
        "allowed": list(RELATIONS),
        "problem": problem,
        "suggestion": suggestion if problem == "invalid" else None,
        "at": card_f["value_at"].get("base_model_relation")
        or card_f["key_at"].get("base_model")
        or card_f.get("first_heading_at"),
    }
