"""`facts["lineage"]`: the parents, their licences, and the conflicts the rules report.

Everything a CL2xx rule (and CL109, CL303) decides is computed here, in Python, from the tree of
`resolve.build_tree` and the obligation tests of `obligations`; the rules only read the lists.

Which parents count for which obligation (each rule's clause is in its `basis`, rules/lineage.yaml):

* model ancestors at any depth (a base model's own base model binds its grandchild too) for
  share-alike (CL201), use restrictions (CL202), non-commercial (CL203), no-derivatives (CL204),
  the Llama terms (CL207), NOTICE files (CL109) and BigCode's documentation duty (CL303). An
  ancestor is reported only when no nearer ancestor on its path already has the same conflict,
  so one mistake high up is one finding, naming the path;
* the repository's own datasets (not its ancestors' datasets) for CL203 (as a warning) and
  CL205, because whether a dataset's licence binds a model trained on it is unsettled.

When the card's own licence cannot be judged (`other` without a known `license_name`, no
licence), the rules that compare it with a parent's stay silent: CL101/CL103 already speak.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from commonslint.card import Card
from commonslint.licences import knowledge_base
from commonslint.lineage import known
from commonslint.lineage import obligations as ob
from commonslint.lineage.declared import _items, declared_parents, relation_facts
from commonslint.lineage.hfcache import HFCache, cache_dir, is_folder
from commonslint.lineage.lockfile import LOCK_NAME, LockError, LockFile, parse
from commonslint.lineage.records import ParentRecord, hub_id
from commonslint.lineage.resolve import Node, Resolver, build_tree, how_to_resolve, node_key
from commonslint.locations import file_loc
from commonslint.sources import Repo

SOURCE_LABEL = {
    "lock": LOCK_NAME,
    "cache": "the local Hugging Face cache",
    "known": "commonslint's table of well-known parents",
    "hub": "the Hub",
}
# Sections that document what was changed from the base model (BigCode ¶5.2(b)).
_CHANGES = re.compile(
    r"\b(train|training|fine ?tun\w*|finetun\w*|changes?|modifications?|differences?|"
    r"adaptation|procedure|method)\b"
)
# The Hub template's default title ("Model Card for Model ID") names no model.
_TEMPLATE_NAMES = frozenset({"modelid", "modelcardformodelid", "modelname", "model"})
_TITLE_PREFIX = re.compile(r"^\s*(model\s*card\s*(for|of|:|-)?\s*)", re.I)


def empty(card_f: dict[str, Any] | None = None) -> dict[str, Any]:
    """The lineage facts of a repository with no parents."""
    relation = relation_facts(card_f, 0) if card_f else None
    return _empty(
        relation or {"value": None, "present": False, "allowed": [], "problem": None, "at": None}
    )


def _empty(relation: dict[str, Any]) -> dict[str, Any]:
    """`_EMPTY`'s values with fresh containers: copying a dict of the same keys and replacing
    its containers costs less than building the 19 keys afresh (most cards take this)."""
    facts = _EMPTY.copy()
    facts["parents"] = []
    facts["nodes"] = []
    facts["tree"] = []
    facts["unresolved"] = []
    facts["relation"] = relation
    facts["lock"] = {"path": None, "error": None}
    facts["child"] = {"known": False, "ids": [], "permits_commercial": None}
    facts["share_alike_not_kept"] = []
    facts["use_restrictions_not_passed"] = []
    facts["non_commercial"] = []
    facts["no_derivatives"] = []
    facts["share_alike_data"] = []
    facts["llama"] = {"applies": False, "problems": []}
    facts["notice"] = {"needed": False, "by": [], "at": None}
    facts["bigcode"] = {"applies": False, "documented": True, "parents": [], "at": None}
    facts["cycles"] = []
    facts["network_errors"] = []
    return facts


def _empty_reference(relation: dict[str, Any]) -> dict[str, Any]:
    """What `_empty` gives, spelt out (the reference its test compares with)."""
    return {
        "declared": False,
        "parents": [],
        "nodes": [],
        "tree": [],
        "unresolved": [],
        "relation": relation,
        "lock": {"path": None, "error": None},
        "child": {"known": False, "ids": [], "permits_commercial": None},
        "share_alike_not_kept": [],
        "use_restrictions_not_passed": [],
        "non_commercial": [],
        "no_derivatives": [],
        "share_alike_data": [],
        "llama": {"applies": False, "problems": []},
        "notice": {"needed": False, "by": [], "at": None},
        "licensor_release": False,
        "bigcode": {"applies": False, "documented": True, "parents": [], "at": None},
        "cycles": [],
        "network_errors": [],
    }


# `_empty`'s keys in order, and the values that are not containers.
_EMPTY = _empty_reference({})


def read_lock(repo: Repo) -> tuple[LockFile | None, str | None]:
    if not repo.exists(LOCK_NAME):
        return None, None
    read = repo.read_text(LOCK_NAME)
    if read.text is None:
        return None, read.error
    try:
        return parse(read.text), None
    except LockError as exc:
        return None, str(exc)


def child_view(card_f: dict[str, Any], files_f: dict[str, Any]) -> ob.LicenceView:
    """The card's own licence; a licence file identified with confidence stands in for `other`."""
    meta = card_f["meta"]
    raw = meta.get("license")
    name = meta.get("license_name")
    if type(raw) is str and (name is None or type(name) is str):
        # The commonest card (one licence string): what the lines below give for it.
        lic = ob.view((raw,), name or None)
        if lic.known:
            return lic
    values = [raw] if isinstance(raw, (str, int, float)) and not isinstance(raw, bool) else []
    if isinstance(raw, list):
        values = [v for v in raw if isinstance(v, (str, int, float)) and not isinstance(v, bool)]
    lic = ob.view([str(v) for v in values], str(name) if name else None)
    if not lic.known:
        identified = [f["identified"] for f in files_f.get("licence", []) if f.get("sure")]
        if identified:
            lic = ob.view([str(i) for i in identified if i])
    return lic


def _child_facts(child: ob.LicenceView) -> dict[str, Any]:
    # `child.summary` is kept on the (shared) view; the dict and its list are new for each card.
    known_, ids, permits, share_alike, restricted = child.summary
    return {
        "known": known_,
        "ids": list(ids),
        "permits_commercial": permits,
        "share_alike": share_alike,
        "use_restrictions": restricted,
    }


def compute(
    repo: Repo,
    card: Card | None,
    card_f: dict[str, Any],
    files_f: dict[str, Any],
    unreadable: list[dict[str, Any]],
    resolver: Resolver | None = None,
) -> dict[str, Any]:
    meta = card_f["meta"]
    base_model = meta.get("base_model")
    datasets = meta.get("datasets")
    base_named = isinstance(base_model, (str, list))
    if not base_named and not isinstance(datasets, (str, list)):
        # Most cards name no parent (declared_parents would find none): only CL208's facts.
        return _empty(relation_facts(card_f, 0))
    if base_named != isinstance(datasets, (str, list)) and card_f.get("ok"):
        # Most cards that name parents name one, unresolved offline: `_single_unresolved` gives
        # what `general` gives for it, without the Declared/Node/Resolver objects.
        fast = _single_unresolved(
            repo, card, card_f, files_f, "base_model" if base_named else "datasets", resolver
        )
        if fast is not None:
            return fast
    if resolver is None and card_f.get("ok"):
        # No parent to follow (most cards that name several, or one that resolves).
        flat = _flat(repo, card, card_f, files_f)
        if flat is not None:
            return flat
    return general(repo, card, card_f, files_f, unreadable, resolver)


def general(
    repo: Repo,
    card: Card | None,
    card_f: dict[str, Any],
    files_f: dict[str, Any],
    unreadable: list[dict[str, Any]],
    resolver: Resolver | None = None,
) -> dict[str, Any]:
    """The lineage facts of any card: `compute`'s reference, and its path for all but the
    commonest cards (no parent, or one parent that does not resolve)."""
    declared = declared_parents(card, card_f)
    models = sum(1 for d in declared if d.kind == "model")
    facts = _empty(relation_facts(card_f, models))
    if not declared:
        return facts
    lock, lock_error = read_lock(repo)
    facts["lock"] = {"path": LOCK_NAME if repo.exists(LOCK_NAME) else None, "error": lock_error}
    if lock_error:
        unreadable.append({"path": LOCK_NAME, "error": lock_error, "at": file_loc(LOCK_NAME, 1, 1)})
    online = repo.online
    if resolver is None:
        resolver = Resolver(lock, HFCache(), online=online)
    relation = card_f["meta"].get("base_model_relation")
    relation = relation if isinstance(relation, str) else None
    repo_id = getattr(repo, "repo_id", None)
    tree = build_tree(
        [(d.raw, d.kind, d.id, relation if d.kind == "model" else None) for d in declared],
        resolver,
        root_key=node_key(repo.kind or "model", repo_id) if repo_id else None,
    )
    at_of = {node.key: d.at for node, d in zip(tree, declared, strict=True)}
    nodes: list[dict[str, Any]] = []
    by_key: dict[str, dict[str, Any]] = {}

    fallback_at = card_f["first_heading_at"]
    facts["tree"] = [_visit(node, at_of, fallback_at, online, nodes, by_key) for node in tree]
    facts["declared"] = True
    facts["nodes"] = nodes
    facts["parents"] = [n for n in nodes if n["depth"] == 1]
    facts["unresolved"] = [n for n in nodes if not n["resolved"] and not n["cycle"]]
    facts["cycles"] = [n for n in nodes if n["cycle"]]
    facts["network_errors"] = list(resolver.network_errors)

    _finish(
        facts, nodes, by_key, all(node.record is None for node in tree), repo, card, card_f, files_f
    )
    return facts


def _finish(
    facts: dict[str, Any],
    nodes: list[dict[str, Any]],
    by_key: dict[str, dict[str, Any]],
    none_known: bool,
    repo: Repo,
    card: Card | None,
    card_f: dict[str, Any],
    files_f: dict[str, Any],
) -> None:
    """`general`'s last steps, once the nodes are made: the child's licence and the conflicts.
    `none_known`: no parent has a record."""
    child = child_view(card_f, files_f)
    facts["child"] = _child_facts(child)
    if none_known:
        # Nothing known above the card (most parents, offline): every node's licence facts are
        # empty, so the steps below find no conflict, release, Llama terms or BigCode duty, and
        # `_notice` only says where the notice would point.
        facts["notice"]["at"] = card_f["value_at"].get("base_model") or card_f["first_heading_at"]
        return
    _conflicts(facts, nodes, by_key, child)
    facts["licensor_release"] = _licensor_release(nodes, card_f, repo)
    if not facts["licensor_release"]:
        _llama(facts, nodes, by_key, card, card_f, repo)
    _notice(facts, nodes, card_f, skip_licence_notices=facts["licensor_release"])
    _bigcode(facts, nodes, card_f)


def _flat(
    repo: Repo, card: Card | None, card_f: dict[str, Any], files_f: dict[str, Any]
) -> dict[str, Any] | None:
    """`general`'s facts when no parent has parents of its own to follow (datasets, parents
    that do not resolve, models whose records name no parent), offline, without a lock file;
    else None. The nodes are made as `build_tree` and `_visit` make them, without the Node
    and Resolver objects; the steps after them are `general`'s own (`_finish`)."""
    if repo.online or repo.exists(LOCK_NAME):
        return None
    declared = declared_parents(card, card_f)
    if not declared:
        return None
    repo_id = getattr(repo, "repo_id", None)
    root_key = node_key(repo.kind or "model", repo_id) if repo_id else None
    relation = card_f["meta"].get("base_model_relation")
    relation = relation if isinstance(relation, str) else None
    root = cache_dir()
    cache = HFCache(root) if is_folder(root) else None  # one per lint, as `general` makes
    found: dict[str, tuple[ParentRecord | None, str | None]] = {}  # `Resolver.resolve`'s memo
    at_of: dict[str, Any] = {}
    parts: list[_Part] = []
    models = 0
    for d in declared:
        _raw, parent_id, key, how = _parent_fields(d.raw, d.kind, False)
        if key == root_key:
            return None  # a cycle
        if parent_id is None:
            record, reason = None, "not a Hub id"
        elif key in found:
            record, reason = found[key]
        else:
            record = cache.lookup(d.kind, parent_id) if cache is not None else None
            if record is None:
                record = known.lookup(d.kind, parent_id)
            reason = None
            found[key] = record, reason
        if record is not None and d.kind == "model" and (record.base_models or record.datasets):
            return None  # parents of parents: `build_tree` follows them
        at_of[key] = d.at
        parts.append((d.raw, d.kind, parent_id, key, how, record, reason))
        models += d.kind == "model"
    return _flat_facts(parts, at_of, models, relation, repo, card, card_f, files_f)


_Part = tuple[str, str, "str | None", str, str, "ParentRecord | None", "str | None"]


def _flat_facts(
    parts: list[_Part],
    at_of: dict[str, Any],
    models: int,
    relation: str | None,
    repo: Repo,
    card: Card | None,
    card_f: dict[str, Any],
    files_f: dict[str, Any],
) -> dict[str, Any]:
    """`_flat`'s facts from its parents: (raw, kind, Hub id, key, how to resolve, record, why
    unresolved) each, where each key was declared (the last place), and how many are models."""
    facts = _empty(relation_facts(card_f, models))
    nodes: list[dict[str, Any]] = []
    by_key: dict[str, dict[str, Any]] = {}
    fallback_at = card_f["first_heading_at"]
    none_known = True
    for raw, kind, parent_id, key, how, record, reason in parts:
        at = at_of[key] or fallback_at
        rel = relation if kind == "model" else None
        if record is None:
            data = _unresolved_node(raw, parent_id, kind, key, rel, at, reason, how)
        else:
            none_known = False
            node = Node(raw=raw, kind=kind, id=parent_id, depth=1, chain=(key,), relation=rel)
            node.record, node.reason = record, reason
            data = _node_dict(node, at, False)
            data["children"] = []
        nodes.append(data)
        by_key.setdefault(key, data)
    facts["tree"] = list(nodes)
    facts["declared"] = True
    facts["nodes"] = nodes
    facts["parents"] = list(nodes)
    facts["unresolved"] = [n for n in nodes if not n["resolved"]]
    _finish(facts, nodes, by_key, none_known, repo, card, card_f, files_f)
    return facts


def _single_unresolved(
    repo: Repo,
    card: Card | None,
    card_f: dict[str, Any],
    files_f: dict[str, Any],
    key: str,
    resolver: Resolver | None,
) -> dict[str, Any] | None:
    """`general`'s facts when `key` (the only parent field) names one parent that resolves to
    nothing (one node, no conflict to look for), or offline to a record that names no parent
    of its own (`_flat_facts`); else None (then `_flat` or `general` decides)."""
    items = _items(card, card_f, key)
    if len(items) != 1 or repo.exists(LOCK_NAME):
        return None
    kind = "model" if key == "base_model" else "dataset"
    value, declared_at = items[0]
    online = repo.online
    raw, parent_id, node_key_, how = _parent_fields(value, kind, online)
    repo_id = getattr(repo, "repo_id", None)
    if repo_id and node_key_ == node_key(repo.kind or "model", repo_id):
        return None  # a cycle
    network_errors: list[str] = []
    if parent_id is None:
        reason: str | None = "not a Hub id"
    elif resolver is not None:
        record, reason = resolver.resolve(kind, parent_id)
        if record is not None:
            return None
        network_errors = list(resolver.network_errors)
    elif online:
        return None  # the Hub may be asked: `general` does it
    else:
        # Resolver._resolve without a lock file, offline: the cache, then the known table. No
        # HFCache when its folder is not there (most machines that lint in bulk).
        root = cache_dir()
        record = HFCache(root).lookup(kind, parent_id) if is_folder(root) else None
        if record is None:
            record = known.lookup(kind, parent_id)
        if record is not None:
            if kind == "model" and (record.base_models or record.datasets):
                return None  # parents of parents: `build_tree` follows them
            # One parent that resolves, with none of its own: `_flat`'s facts for it.
            relation = card_f["meta"].get("base_model_relation")
            relation = relation if isinstance(relation, str) else None
            part = (raw, kind, parent_id, node_key_, how, record, None)
            models = 1 if kind == "model" else 0
            return _flat_facts(
                [part], {node_key_: declared_at}, models, relation, repo, card, card_f, files_f
            )
        reason = None
    relation = None
    if kind == "model":
        relation = card_f["meta"].get("base_model_relation")
        relation = relation if isinstance(relation, str) else None
    data = _unresolved_node(
        raw,
        parent_id,
        kind,
        node_key_,
        relation,
        declared_at or card_f["first_heading_at"],
        reason,
        how,
    )
    facts = _empty(relation_facts(card_f, 1 if kind == "model" else 0))
    facts["tree"] = [data]
    facts["declared"] = True
    facts["nodes"] = [data]
    facts["parents"] = [data]
    facts["unresolved"] = [data]
    facts["network_errors"] = network_errors
    facts["child"] = _child_facts(child_view(card_f, files_f))
    facts["notice"]["at"] = card_f["value_at"].get("base_model") or card_f["first_heading_at"]
    return facts


def _unresolved_node(
    raw: str,
    parent_id: str | None,
    kind: str,
    key: str,
    relation: str | None,
    at: Any,
    reason: str | None,
    how: str,
) -> dict[str, Any]:
    """What `_node_dict` and `_visit` make of a parent at depth 1 without a record (nor a
    cycle): `_UNRESOLVED` with the node's own fields and fresh containers."""
    data = _UNRESOLVED.copy()
    data["id"] = parent_id or raw
    data["raw"] = raw
    data["kind"] = kind
    data["hub_id"] = parent_id is not None
    data["relation"] = relation
    data["key"] = key
    data["chain"] = [key]
    data["via"] = []
    data["at"] = at
    data["reason"] = reason
    data["how"] = how
    data["files"] = []
    data["licence"] = {"declared": [], "name": None, "ids": [], "known": False}
    data["share_alike"] = []
    data["share_alike_accepts"] = {}
    data["use_restrictions"] = []
    data["no_derivatives"] = []
    data["llama"] = []
    data["requires_notice"] = []
    data["obligations"] = []
    data["children"] = []
    return data


def _parent_fields(value: str, kind: str, online: bool) -> tuple[str, str | None, str, str]:
    """(raw, Hub id, node key, how to resolve) of a declared value, as `general` makes them."""
    if len(value) <= 200:
        return _cached_parent_fields(value, kind, online)  # the same parents come card after card
    return _build_parent_fields(value, kind, online)


@lru_cache(maxsize=4096)
def _cached_parent_fields(value: str, kind: str, online: bool) -> tuple[str, str | None, str, str]:
    return _build_parent_fields(value, kind, online)


def _build_parent_fields(value: str, kind: str, online: bool) -> tuple[str, str | None, str, str]:
    raw = value.strip()
    parent_id = hub_id(value, kind)
    return (
        raw,
        parent_id,
        node_key(kind, parent_id or raw),
        how_to_resolve(kind, parent_id, raw, online),
    )


def _visit(
    node: Node,
    at_of: dict[str, Any],
    fallback_at: Any,
    online: bool,
    nodes: list[dict[str, Any]],
    by_key: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """The node's dict and its children's, each added to `nodes` and (first by key) `by_key`.

    A module function, not a closure in `compute`: a closure that calls itself refers to itself,
    a reference cycle that kept each card's facts, text and YAML nodes alive until the cyclic
    GC ran (a tenth of a bulk lint went to collecting them; tests/test_no_reference_cycles.py).
    """
    data = _node_dict(node, at_of.get(node.chain[0]) or fallback_at, online)
    data["via"] = [by_key[k]["id"] if k in by_key else k.split(":", 1)[1] for k in node.chain[:-1]]
    nodes.append(data)
    by_key.setdefault(node.key, data)
    data["children"] = [
        _visit(child, at_of, fallback_at, online, nodes, by_key) for child in node.children
    ]
    return data


def _node_dict(node: Node, at: dict[str, Any] | None, online: bool) -> dict[str, Any]:
    record = node.record
    data: dict[str, Any] = {
        "id": node.id or node.raw,
        "raw": node.raw,
        "kind": node.kind,
        "hub_id": node.id is not None,
        "relation": node.relation,
        "depth": node.depth,
        "key": node.key,
        "chain": list(node.chain),
        "via": [],
        "at": at,
        "resolved": record is not None,
        "cycle": node.cycle,
        "depth_limited": node.depth_limited,
        "reason": node.reason,
        "how": "" if record is not None else how_to_resolve(node.kind, node.id, node.raw, online),
        "source": None,
        "source_label": None,
        "resolved_from": None,
        "where": None,
        "revision": None,
        "resolved_at": None,
        "notes": None,
        "files": [],
        "licence": {"declared": [], "name": None, "ids": [], "known": False},
        "licence_text": "",
        "share_alike": [],
        "share_alike_accepts": {},
        "use_restrictions": [],
        "non_commercial": False,
        "no_derivatives": [],
        "llama": [],
        "requires_notice": [],
        "notice_file": None,
        "bigcode": False,
        "obligations": [],
    }
    if record is None:
        return data
    notice_file = record.notice_file
    part = _licence_part(record.licence, record.licence_name, notice_file)
    data.update(
        {
            "source": record.source,
            "source_label": SOURCE_LABEL[record.source],
            "resolved_from": record.resolved_from,
            "where": record.where,
            "revision": record.revision,
            "resolved_at": record.resolved_at,
            "notes": record.notes,
            "files": list(record.files),
            # Fresh containers for each node: the parts are shared between cards.
            "licence": {
                "declared": list(part.declared),
                "name": record.licence_name,
                "ids": list(part.ids),
                "known": part.known,
            },
            "licence_text": part.text,
            "share_alike": list(part.share_alike),
            "share_alike_accepts": {k: list(v) for k, v in part.share_alike_accepts},
            "use_restrictions": list(part.use_restrictions),
            "non_commercial": part.non_commercial,
            "no_derivatives": list(part.no_derivatives),
            "llama": list(part.llama),
            "requires_notice": list(part.requires_notice),
            "notice_file": notice_file,
            "bigcode": part.bigcode,
            "obligations": list(part.obligations),
        }
    )
    if not part.declared:
        data["resolved"] = False
        data["reason"] = f"its card in {SOURCE_LABEL[record.source]} declares no licence"
        data["how"] = (
            f"ask its authors to declare one, or record the licence you know by hand in {LOCK_NAME}"
        )
    return data


# `_node_dict` of an unresolved node, its per-node fields and containers replaced on each copy.
_UNRESOLVED = _node_dict(Node(raw="", kind="model", id=None, depth=1, chain=()), None, False)
_UNRESOLVED["children"] = []


@dataclass(frozen=True)
class _LicencePart:
    """What a parent's declared licence means for its node, as immutable templates."""

    declared: tuple[str, ...]
    ids: tuple[str, ...]
    known: bool
    text: str
    share_alike: tuple[str, ...]
    share_alike_accepts: tuple[tuple[str, tuple[str, ...]], ...]
    use_restrictions: tuple[str, ...]
    non_commercial: bool
    no_derivatives: tuple[str, ...]
    llama: tuple[str, ...]
    requires_notice: tuple[str, ...]
    bigcode: bool
    obligations: tuple[str, ...]


def _licence_part(
    licence: tuple[str, ...], licence_name: str | None, notice_file: bool | None
) -> _LicencePart:
    if (licence_name is None or type(licence_name) is str) and (
        sum(map(len, licence)) + len(licence_name or "") <= _CACHED_LEN
    ):
        # Parents repeat across cards (and within a tree), and so do their licences.
        return _cached_licence_part(licence, licence_name, notice_file)
    return _build_licence_part(licence, licence_name, notice_file)


_CACHED_LEN = 400


@lru_cache(maxsize=1024)
def _cached_licence_part(
    licence: tuple[str, ...], licence_name: str | None, notice_file: bool | None
) -> _LicencePart:
    return _build_licence_part(licence, licence_name, notice_file)


def _build_licence_part(
    licence: tuple[str, ...], licence_name: str | None, notice_file: bool | None
) -> _LicencePart:
    lic = ob.view(licence, licence_name)
    declared = tuple(licence)
    text = ", ".join(declared) or "no licence declared"
    if licence_name and (not lic.known or "other" in declared):
        text += f" ({licence_name})"
    share_alike = lic.share_alike()
    return _LicencePart(
        declared=declared,
        ids=tuple(lic.ids),
        known=bool(lic.known),
        text=text,
        share_alike=tuple(e.id for e in share_alike),
        share_alike_accepts=tuple(
            (e.id, tuple(e.share_alike_compatible or (e.id,))) for e in share_alike
        ),
        use_restrictions=tuple(sorted({e.id for e in lic.use_restricted()})),
        non_commercial=lic.non_commercial(),
        no_derivatives=tuple(e.id for e in lic.no_derivatives()),
        llama=tuple(lic.llama()),
        requires_notice=tuple(e.id for e in lic.requires_notice()),
        bigcode="bigcode-openrail-m" in lic.ids,
        obligations=tuple(ob.describe_obligations(lic, notice_file)),
    )


def _nearest(node: dict[str, Any], by_key: dict[str, dict[str, Any]], test: Any) -> bool:
    """True when no nearer ancestor on the node's path has the same conflict."""
    return not any(test(by_key[k]) for k in node["chain"][:-1] if k in by_key)


def _with(node: dict[str, Any], **extra: Any) -> dict[str, Any]:
    item = {k: v for k, v in node.items() if k != "children"}
    item.update(extra)
    item["path"] = " -> ".join([*item["via"], item["id"]])
    return item


def _conflicts(
    facts: dict[str, Any],
    nodes: list[dict[str, Any]],
    by_key: dict[str, dict[str, Any]],
    child: ob.LicenceView,
) -> None:
    models = [n for n in nodes if n["kind"] == "model" and n["resolved"]]
    datasets = [n for n in nodes if n["kind"] == "dataset" and n["resolved"] and n["depth"] == 1]
    if not models and not datasets:
        return  # no licence known above the card (most parents, offline): every list stays empty
    kb_entries = _entries()

    def sa_broken(n: dict[str, Any]) -> list[str]:
        return [i for i in n["share_alike"] if not child.keeps_share_alike(kb_entries[i])]

    # CL204 needs nothing from the child: sharing adapted material is what is barred.
    nd = [n for n in models if n["no_derivatives"]]
    facts["no_derivatives"] = [
        _with(n) for n in nd if _nearest(n, by_key, lambda a: bool(a["no_derivatives"]))
    ]
    if not child.known:
        return
    sa = [n for n in models if sa_broken(n)]
    facts["share_alike_not_kept"] = [
        _with(n, broken=sa_broken(n))
        for n in sa
        if _nearest(
            n, by_key, lambda a: a["kind"] == "model" and bool(a["resolved"] and sa_broken(a))
        )
    ]
    carried = {e.id for e in child.use_restricted()} if child.carries_use_restrictions() else None

    def ur_missing(n: dict[str, Any]) -> list[str]:
        return [
            i for i in n["use_restrictions"] if not _restrictions_carried(i, carried, kb_entries)
        ]

    # Error when the child carries no use restrictions at all; warning when it carries some, but
    # not the parent's: whether another list satisfies the parent's pass-on clause is a matter of
    # the two texts, which a linter cannot settle.
    severity = "error" if carried is None else "warning"
    facts["use_restrictions_not_passed"] = [
        _with(
            n,
            severity=severity,
            missing=ur_missing(n),
            clause=PASS_ON_CLAUSE.get(ur_missing(n)[0], ""),
        )
        for n in models
        if ur_missing(n)
        and _nearest(
            n, by_key, lambda a: a["kind"] == "model" and bool(a["resolved"] and ur_missing(a))
        )
    ]
    if child.permits_commercial() is True:
        nc = [n for n in models if n["non_commercial"]]
        items = [
            _with(n, severity="error")
            for n in nc
            if _nearest(n, by_key, lambda a: bool(a["non_commercial"]))
        ]
        items += [_with(n, severity="warning") for n in datasets if n["non_commercial"]]
        facts["non_commercial"] = items
    facts["share_alike_data"] = [_with(n, broken=sa_broken(n)) for n in datasets if sa_broken(n)]


def _entries() -> Any:
    return knowledge_base()


# The clause of each use-restricted licence that makes its restrictions travel with derivatives
# (RAIL ¶4(a), BigCode OpenRAIL-M v1 ¶5.1, Gemma Terms of Use §3.1(1), Llama community licences
# §1.b.iv; each entry's `sources` in rules/licences.yaml).
PASS_ON_CLAUSE = {
    "openrail": "¶4(a) and Attachment A of the RAIL text in its LICENSE file",
    "openrail-m": "¶4(a) and Attachment A",
    "bigscience-openrail-m": "¶4(a) and Attachment A",
    "creativeml-openrail-m": "¶4(a) and Attachment A",
    "bigscience-bloom-rail-1.0": "¶4(a) and Attachment A",
    "openrail++": "¶4(a) and Attachment A",
    "bigcode-openrail-m": "¶5.1: ¶4 and Attachment A, or similar restrictions",
    "deepseek-license": "¶4.a and Attachment A",
    "gemma": "§3.1(1): the §3.2 Prohibited Use Policy",
    "llama2": "§1.b.iv: the Acceptable Use Policy",
    "llama3": "§1.b.iv: the Acceptable Use Policy",
    "llama3.1": "§1.b.iv: the Acceptable Use Policy",
    "llama3.2": "§1.b.iv: the Acceptable Use Policy",
    "llama3.3": "§1.b.iv: the Acceptable Use Policy",
    "llama4": "§1.b.iv: the Acceptable Use Policy",
    "stability-ai-community": "§IV.b: the Acceptable Use Policy",
}


def _restrictions_carried(parent_id: str, carried: set[str] | None, kb: Any) -> bool:
    """True when the child's use-restricted licences include the parent's licence, or the
    knowledge base says one of them names the same text: a family id (`openrail`) and one of
    its members stand for each other, because the family id names no text of its own and the
    repository's LICENSE file says which member applies."""
    if not carried:
        return False
    if parent_id in carried:
        return True
    parent = kb.get(parent_id)
    if parent is not None and set(parent.family_members) & carried:
        return True
    return any((c := kb.get(i)) is not None and parent_id in c.family_members for i in carried)


def _card_name(
    card: Card | None, card_f: dict[str, Any], repo: Repo
) -> tuple[str | None, str | None, dict[str, Any] | None]:
    """The distributed model's name: `model_name`, the Hub repository's name, or the first
    top-level heading of the card (without a "Model Card for" prefix)."""
    meta = card_f["meta"]
    if isinstance(meta.get("model_name"), str) and meta["model_name"].strip():
        return meta["model_name"].strip(), "model_name", card_f["value_at"].get("model_name")
    repo_id = getattr(repo, "repo_id", None)
    if repo_id:
        return repo_id.rsplit("/", 1)[-1], "repository name", card_f["first_heading_at"]
    for section in card_f["sections"]:
        if section["level"] == 1:
            title = _TITLE_PREFIX.sub("", section["title"]).strip()
            return (title or None), "first heading", section["at"]
    return None, None, None


def _squash(text: str) -> str:
    return re.sub(r"[\s_\-.]+", "", text.lower())


def _llama(
    facts: dict[str, Any],
    nodes: list[dict[str, Any]],
    by_key: dict[str, dict[str, Any]],
    card: Card | None,
    card_f: dict[str, Any],
    repo: Repo,
) -> None:
    llama_nodes = [n for n in nodes if n["kind"] == "model" and n["llama"]]
    terms: dict[tuple[str, str], dict[str, Any]] = {}
    for node in llama_nodes:
        for licence_id in node["llama"]:
            phrase, prefix = ob.LLAMA_TERMS[licence_id]
            if phrase and prefix:
                terms.setdefault((phrase, prefix), {"licence": licence_id, "parent": node})
    if not terms or card is None:
        return
    body = card.text
    lowered = " ".join(body.lower().split())
    name, name_source, name_at = _card_name(card, card_f, repo)
    problems: list[dict[str, Any]] = []
    for (phrase, prefix), info in sorted(terms.items()):
        parent = info["parent"]
        common = {
            "licence": info["licence"],
            "parent": parent["id"],
            "path": " -> ".join([*parent["via"], parent["id"]]),
            "phrase": phrase,
            "prefix": prefix,
        }
        if phrase.lower() not in lowered:
            problems.append(
                {
                    **common,
                    "kind": "attribution",
                    "at": card_f["first_heading_at"] or file_loc(card_f["path"]),
                }
            )
        if (
            name
            and _squash(name) not in _TEMPLATE_NAMES
            and not _squash(name).startswith(_squash(prefix))
        ):
            problems.append(
                {
                    **common,
                    "kind": "name",
                    "name": name,
                    "name_source": name_source,
                    "at": name_at or card_f["first_heading_at"],
                }
            )
    facts["llama"] = {
        "applies": True,
        "name": name,
        "name_source": name_source,
        "problems": problems,
    }


def _licensor_release(nodes: list[dict[str, Any]], card_f: dict[str, Any], repo: Repo) -> bool:
    """Whether this repository is the licensor's own release of a Llama or Gemma model.

    On the Hub the owner says so (`meta-llama/...`, `google/...`). Locally there is no owner, so
    the signs are: every Llama/Gemma parent belongs to the licensor's organisation, and the card
    is gated (`extra_gated_*`), as the licensors gate their releases behind their licence.
    """
    relevant = [
        n
        for n in nodes
        if n["kind"] == "model" and any(i in ob.LICENSORS for i in n["licence"]["ids"])
    ]
    if not relevant:
        return False
    orgs = {ob.LICENSORS[i] for n in relevant for i in n["licence"]["ids"] if i in ob.LICENSORS}
    repo_id = getattr(repo, "repo_id", None)
    if repo_id and "/" in repo_id:
        return repo_id.split("/", 1)[0].lower() in orgs
    gated = any(str(k).startswith("extra_gated_") for k in card_f["meta"])
    owners = {n["id"].split("/", 1)[0].lower() for n in relevant if "/" in n["id"]}
    return gated and len(orgs) == 1 and owners == orgs


def _notice(
    facts: dict[str, Any],
    nodes: list[dict[str, Any]],
    card_f: dict[str, Any],
    skip_licence_notices: bool = False,
) -> None:
    by: list[dict[str, Any]] = []
    seen: set[str] = set()
    for node in nodes:
        if node["kind"] != "model" or not node["resolved"] or node["key"] in seen:
            continue
        why = []
        if node["notice_file"]:
            why.append("ships a NOTICE file (Apache-2.0 §4(d))")
        for licence_id in [] if skip_licence_notices else node["requires_notice"]:
            why.append(f"is under `{licence_id}`, which requires a NOTICE text file")
        if why:
            seen.add(node["key"])
            by.append({"id": node["id"], "why": "; ".join(why), "path": node["id"]})
    facts["notice"] = {
        "needed": bool(by),
        "by": by,
        "at": card_f["value_at"].get("base_model") or card_f["first_heading_at"],
    }


def _bigcode(facts: dict[str, Any], nodes: list[dict[str, Any]], card_f: dict[str, Any]) -> None:
    parents = [n["id"] for n in nodes if n["kind"] == "model" and n["bigcode"]]
    if not parents:
        return
    documented = any(
        s["status"] == "filled" and _CHANGES.search(s["key"]) for s in card_f["sections"]
    )
    facts["bigcode"] = {
        "applies": True,
        "documented": documented,
        "parents": sorted(set(parents)),
        "at": card_f["value_at"].get("base_model") or card_f["first_heading_at"],
    }
