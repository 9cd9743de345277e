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
from commonslint.locations import NodeLocations, node_loc

# `base_model_relation` values: hub-docs docs/hub/model-cards.md.
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
    value_at = card_f["value_at"]
    node = None
    if card is not None and card.front.node is not None:
        # `value_at` holds the nodes of the card's top-level keys: the one `value_node` would
        # search the front matter for.
        node = (
            value_at.node(key)
            if type(value_at) is NodeLocations
            else value_node(card.front.node, key)
        )
    if isinstance(value, str):
        if not value.strip():
            return []
        if card is not None and node is not None:
            # `value_at[key]` is `node_loc(card, node)`, built once: a copy is the same dict.
            at = dict(value_at[key]) if type(value_at) is NodeLocations else None
            return [(value, at or node_loc(card, node))]
        return [(value, _fallback(card_f, key))]
    nodes = node.value if isinstance(node, yaml.SequenceNode) else []
    out = []
    for i, item in enumerate(value):
        if isinstance(item, str) and item.strip():
            if card is not None and i < len(nodes):
                out.append((item, node_loc(card, nodes[i])))
            else:
                out.append((item, _fallback(card_f, key)))
    return out


def _fallback(card_f: dict[str, Any], key: str) -> Any:
    return card_f["value_at"].get(key) or card_f["key_at"].get(key)


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
    at = (
        card_f["value_at"].get("base_model_relation")
        or card_f["key_at"].get("base_model")
        or card_f.get("first_heading_at")
    )
    if "base_model_relation" not in meta:
        # Most cards: no value, so no suggestion, and nothing wrong unless it is needed.
        return {
            "value": None,
            "present": False,
            "allowed": list(RELATIONS),
            "problem": "missing" if models > 1 else None,
            "suggestion": None,
            "at": at,
        }
    value = meta["base_model_relation"]
    problem = None
    suggestion = None
    if isinstance(value, str):
        lowered = value.strip().lower()
        suggestion = lowered if lowered in RELATIONS else _NEAR.get(lowered)
        if value not in RELATIONS:
            problem = "invalid"  # a value of the wrong type is CL005's
    return {
        "value": value,
        "present": True,
        "allowed": list(RELATIONS),
        "problem": problem,
        "suggestion": suggestion if problem == "invalid" else None,
        "at": at,
    }
