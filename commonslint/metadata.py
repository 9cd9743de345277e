"""Checks of the card's metadata against the Hub's field conventions.

The conventions are those of the metadata spec (hub-docs `modelcard.md`, `datasetcard.md`,
`docs/hub/model-cards.md`) and of `huggingface_hub` `repocard_data.py`; the block is read as
`huggingface_hub` `repocard.py` reads it, with PyYAML `safe_load` (YAML 1.1 plain scalars).

Each check returns plain problem records with the YAML node they are about; `facts` turns the
nodes into locations. Nothing here decides severity or wording beyond a short explanation.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

import yaml

# Shapes a field may take. "str" = a string; "strs" = a string or a list of strings;
# "list" = any list; "map" = a mapping; "bool" = true/false; "emissions" = number or mapping.
MODEL_FIELDS: dict[str, str] = {
    "language": "strs",
    "license": "strs",
    "license_name": "str",
    "license_link": "str",
    "library_name": "str",
    "tags": "strs",
    "datasets": "strs",
    "metrics": "strs",
    "base_model": "strs",
    "base_model_relation": "str",
    "new_version": "str",
    "pipeline_tag": "str",
    "thumbnail": "str",
    "model-index": "list",
    "model_name": "str",
    "co2_eq_emissions": "emissions",
    "widget": "list",
    "inference": "any",
    "gated": "any",
    "extra_gated_fields": "map",
    "extra_gated_prompt": "str",
    "extra_gated_heading": "str",
    "extra_gated_description": "str",
    "extra_gated_button_content": "str",
    "extra_gated_eu_disallowed": "bool",
    "buckets": "strs",
    "eval_results": "list",
}
DATASET_FIELDS: dict[str, str] = {
    "license_details": "str",
    "annotations_creators": "strs",
    "language_creators": "strs",
    "language_details": "strs",
    "pretty_name": "str",
    "size_categories": "strs",
    "source_datasets": "strs",
    "task_categories": "strs",
    "task_ids": "strs",
    "paperswithcode_id": "any",
    "configs": "list",
    "dataset_info": "any",
    "multilinguality": "strs",
    "train-eval-index": "list",
    "config_names": "strs",
    "viewer": "any",
}
SPACE_FIELDS: dict[str, str] = {
    "title": "str",
    "sdk": "str",
    "sdk_version": "any",
    "python_version": "any",
    "app_file": "str",
    "app_port": "any",
    "duplicated_from": "str",
    "models": "strs",
    "emoji": "str",
    "colorFrom": "str",
    "colorTo": "str",
    "pinned": "bool",
    "short_description": "str",
}
KNOWN_FIELDS: dict[str, str] = {**SPACE_FIELDS, **DATASET_FIELDS, **MODEL_FIELDS}

# Fields whose values are identifiers a person types as text: YAML 1.1 must not turn them into
# booleans, numbers or dates (`language: no` is the Norwegian code, not false).
TEXT_FIELDS = frozenset(name for name, shape in KNOWN_FIELDS.items() if shape in ("str", "strs"))

# Misspellings seen in real cards, mapped to the key the Hub reads.
KEY_ALIASES = {
    "licence": "license",
    "licenses": "license",
    "licences": "license",
    "lisence": "license",
    "licence_name": "license_name",
    "licence_link": "license_link",
    "license-name": "license_name",
    "license-link": "license_link",
    "base-model": "base_model",
    "basemodel": "base_model",
    "base_models": "base_model",
    "base-models": "base_model",
    "dataset": "datasets",
    "tag": "tags",
    "metric": "metrics",
    "languages": "language",
    "lang": "language",
    "pipeline-tag": "pipeline_tag",
    "pipeline": "pipeline_tag",
    "library": "library_name",
    "library-name": "library_name",
    "co2_eq_emission": "co2_eq_emissions",
    "co2-eq-emissions": "co2_eq_emissions",
    "co2_emissions": "co2_eq_emissions",
    "base_model_relationship": "base_model_relation",
    "base-model-relation": "base_model_relation",
    "model_index": "model-index",
    "modelindex": "model-index",
}


@dataclass(frozen=True)
class Problem:
    key: str  # the dotted key path, e.g. "datasets" or "co2_eq_emissions"
    node: Any  # the YAML node the problem is at
    detail: str  # what is wrong, in a phrase
    extra: str = ""  # e.g. the suggested key, or what a value was read as


def _shape_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return "a date"
    return type(value).__name__


_EXPECTED = {
    "str": "a string",
    "strs": "a string or a list of strings",
    "list": "a list",
    "map": "a mapping",
    "bool": "true or false",
    "emissions": "a number or a mapping with `emissions`",
}


_FIELD_ORDER = {key: number for number, key in enumerate(KNOWN_FIELDS)}
# List items of these exact types are neither null nor a list or mapping: nothing to report.
_PLAIN_ITEMS = frozenset({str, int, float, bool})


def wrong_types(data: dict[str, Any], nodes: dict[str, tuple[Any, Any]]) -> list[Problem]:
    """Known fields whose value has a shape the Hub rejects (CL005)."""
    problems = []
    # The known fields the card has, in KNOWN_FIELDS' order: a card has a handful of them.
    present = [key for key in data if key in KNOWN_FIELDS]
    if len(present) > 1:
        present.sort(key=_FIELD_ORDER.__getitem__)
    for key in present:
        shape = KNOWN_FIELDS[key]
        if key not in nodes or shape == "any":
            continue
        value, node = data[key], nodes[key][1]
        if value is None:
            continue  # an empty value is handled by the rule about that field (e.g. CL101)
        bad: str | None = None
        if shape == "str" and not isinstance(value, str):
            bad = _shape_name(value)
            if not isinstance(value, (dict, list)):
                continue  # a scalar read as another type is CL007's business
        elif shape == "strs":
            if isinstance(value, dict):
                bad = "a mapping"
            elif isinstance(value, list):
                if _PLAIN_ITEMS.issuperset(map(type, value)):
                    continue  # no null, list or mapping among the items (the usual case)
                items = getattr(node, "value", [])
                for item_value, item_node in zip(value, items, strict=False):
                    if item_value is None or isinstance(item_value, (dict, list)):
                        problems.append(
                            Problem(
                                key,
                                item_node,
                                f"has {_shape_name(item_value)} "
                                f"in its list, where {_EXPECTED[shape]} is expected",
                            )
                        )
                continue
        elif (
            (shape == "list" and not isinstance(value, list))
            or (shape == "map" and not isinstance(value, dict))
            or (shape == "bool" and not isinstance(value, bool))
        ):
            bad = _shape_name(value)
        elif shape == "emissions" and isinstance(value, list):
            bad = "a list"
        if bad:
            problems.append(Problem(key, node, f"is {bad}, where {_EXPECTED[shape]} is expected"))
    return problems


# Known fields by their normalised spelling (the first of any that collide), and the model
# fields that a one-edit typo may be measured against; built once, since a card may have
# thousands of keys.
_BY_NORMAL: dict[str, str] = {}
for _known in KNOWN_FIELDS:
    _BY_NORMAL.setdefault(_known.replace("-", "_").lower(), _known)
_EDIT_TARGETS = [(k.replace("-", "_"), k) for k in MODEL_FIELDS if len(k) >= 6]


def _deletions(word: str) -> set[str]:
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}


# Two words within one edit (insertion, deletion, substitution, adjacent swap) share a string
# made by deleting at most one character from each: an index of those finds the few fields
# worth comparing, instead of comparing each key with every field.
_EDIT_INDEX: dict[str, list[int]] = {}
for _number, (_target, _) in enumerate(_EDIT_TARGETS):
    for _variant in _deletions(_target):
        _EDIT_INDEX.setdefault(_variant, []).append(_number)
_EDIT_LONGEST = max(len(target) for target, _ in _EDIT_TARGETS) + 1


def _one_edit_away(normal: str) -> str | None:
    """The first model field (in MODEL_FIELDS order) within one edit of `normal`."""
    if len(normal) > _EDIT_LONGEST:
        return None
    numbers: set[int] = set()
    for variant in _deletions(normal):
        numbers.update(_EDIT_INDEX.get(variant, ()))
    for number in sorted(numbers):
        target, known = _EDIT_TARGETS[number]
        if _within_one_edit(normal, target):
            return known
    return None


def _candidate(key: str) -> str | None:
    lowered = key.strip().lower()
    if lowered in KEY_ALIASES:
        return KEY_ALIASES[lowered]
    normal = lowered.replace("-", "_").replace(" ", "_")
    known = _BY_NORMAL.get(normal)
    if known is not None and known != key:
        return known
    if len(lowered) >= 6:
        return _one_edit_away(normal)
    return None


def _within_one_edit(a: str, b: str) -> bool:
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diffs) == 1 or (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def misspelt_keys(nodes: dict[str, tuple[Any, Any]]) -> list[Problem]:
    """Unknown top-level keys that are close to a known one (CL006)."""
    problems = []
    for key, (key_node, _) in nodes.items():
        if key in KNOWN_FIELDS:
            continue
        suggestion = _candidate(key)
        if suggestion:
            # With the right key present too, the misspelt one is a leftover that contradicts it.
            detail = "also_present" if suggestion in nodes else ""
            problems.append(Problem(key, key_node, detail, suggestion))
    return problems


_PLAIN_NUMBER = re.compile(r"[-+]?[0-9][0-9_]*(\.[0-9_]*)?([eE][-+][0-9]+)?")


def _read_as(node: yaml.ScalarNode, value: Any, text_field: bool) -> str | None:
    """What a plain scalar became, when that is not what its author wrote, else None."""
    if node.style not in (None, "") or isinstance(value, str):
        return None  # quoted or a string: read as written
    text = node.value
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}" if text_field else None
    if value is None:
        return (
            "null (no value)"
            if text_field and text not in ("", "~", "null", "Null", "NULL")
            else None
        )
    if isinstance(value, (datetime.date, datetime.datetime)):
        return f"a date ({value.isoformat()})" if text_field else None
    if isinstance(value, float) and (text_field or _loses_text(text, value)):
        return f"the number {value!r}"
    if isinstance(value, int) and (text_field or str(value) != text.lstrip("+").replace("_", "")):
        return f"the number {value}"
    return None


def _loses_text(text: str, value: float) -> bool:
    """`1.10` reads as 1.1: a version written as a number loses what the author meant."""
    cleaned = text.lstrip("+").replace("_", "")
    if not _PLAIN_NUMBER.fullmatch(cleaned) or "e" in cleaned.lower():
        return False
    return cleaned.rstrip("0") != cleaned and "." in cleaned and repr(value) != cleaned


_STR_ITEMS = frozenset({str})


def implicit_types(data: dict[str, Any], nodes: dict[str, tuple[Any, Any]]) -> list[Problem]:
    """Values written as text but read as another type (CL007): top level and one level down."""
    problems = []
    for key, (_, node) in nodes.items():
        value = data.get(key)
        if type(value) is str:
            continue  # a string was read as written (`_read_as` says None)
        text_field = key in TEXT_FIELDS
        if isinstance(node, yaml.ScalarNode):
            read = _read_as(node, value, text_field)
            if read:
                problems.append(Problem(key, node, f"`{node.value}`", read))
        elif isinstance(node, yaml.SequenceNode) and isinstance(value, list):
            if _STR_ITEMS.issuperset(map(type, value)):
                continue  # strings only: each is skipped below
            for item_node, item in zip(node.value, value, strict=False):
                if type(item) is str:
                    continue
                if isinstance(item_node, yaml.ScalarNode):
                    read = _read_as(item_node, item, text_field)
                    if read:
                        problems.append(Problem(key, item_node, f"`{item_node.value}`", read))
        elif isinstance(node, yaml.MappingNode) and isinstance(value, dict):
            for sub_key, sub_node in node.value:
                if not isinstance(sub_key, yaml.ScalarNode) or not isinstance(
                    sub_node, yaml.ScalarNode
                ):
                    continue
                sub_value = value.get(sub_key.value) if isinstance(sub_key.value, str) else None
                read = _read_as(sub_node, sub_value, False)
                if read:
                    problems.append(
                        Problem(f"{key}.{sub_key.value}", sub_node, f"`{sub_node.value}`", read)
                    )
    return problems
