"""Resolving parents to records, in order, and following parents of parents.

Order (the issue's): the repository's lock file; the local Hugging Face cache; the table of
well-known parents; the Hub, only when asked (`--online`, a Hub target, `lineage --lock`).
Refreshing the lock asks the Hub first and falls back to the cache and the table when the Hub
has no answer for a parent; hand-written (`manual`) lock entries always win.

Parents of parents are followed to `MAX_DEPTH`; a parent that is already on the path from the
repository down to it is a cycle and is not followed again. Each (kind, id) is resolved once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from commonslint.lineage import known
from commonslint.lineage.hfcache import HFCache
from commonslint.lineage.lockfile import LOCK_NAME, LockFile
from commonslint.lineage.records import ParentRecord, hub_id

MAX_DEPTH = 6


@dataclass
class Node:
    raw: str
    kind: str
    id: str | None
    depth: int
    chain: tuple[str, ...]  # keys from the direct parent down to this node, inclusive
    relation: str | None = None
    record: ParentRecord | None = None
    reason: str | None = None  # why it is unresolved
    cycle: bool = False
    depth_limited: bool = False
    children: list[Node] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Read several times per node; kind, id and raw are set once, at creation.
        self._key = node_key(self.kind, self.id or self.raw)

    @property
    def key(self) -> str:
        return self._key


def node_key(kind: str, repo_id: str) -> str:
    return f"{kind}:{repo_id.lower()}"


class Resolver:
    def __init__(
        self,
        lock: LockFile | None,
        cache: HFCache | None,
        online: bool,
        refresh: bool = False,
        hub_lookup: Callable[[str, str], ParentRecord] | None = None,
    ) -> None:
        self.lock = lock
        self.cache = cache
        self.online = online or refresh
        self.refresh = refresh
        self._hub_lookup = hub_lookup
        self._memo: dict[str, tuple[ParentRecord | None, str | None]] = {}
        self.network_errors: list[str] = []

    def resolve(self, kind: str, repo_id: str) -> tuple[ParentRecord | None, str | None]:
        memo_key = node_key(kind, repo_id)
        if memo_key not in self._memo:
            self._memo[memo_key] = self._resolve(kind, repo_id)
        return self._memo[memo_key]

    def _from_lock(self, kind: str, repo_id: str) -> ParentRecord | None:
        if self.lock is None:
            return None
        record = self.lock.get(kind, repo_id)
        if record is not None and self.refresh and record.resolved_from != "manual":
            return None
        return record

    def _resolve(self, kind: str, repo_id: str) -> tuple[ParentRecord | None, str | None]:
        hub_reason = None
        if (record := self._from_lock(kind, repo_id)) is not None:
            return record, None
        if self.refresh:
            record, hub_reason = self._from_hub(kind, repo_id)
            if record is not None:
                return record, None
        if self.cache is not None and (record := self.cache.lookup(kind, repo_id)) is not None:
            return record, None
        if (record := known.lookup(kind, repo_id)) is not None:
            return record, None
        if self.online and not self.refresh:
            record, hub_reason = self._from_hub(kind, repo_id)
            if record is not None:
                return record, None
        return None, hub_reason

    def _from_hub(self, kind: str, repo_id: str) -> tuple[ParentRecord | None, str | None]:
        try:
            lookup = self._hub_lookup or hub_record
            return lookup(kind, repo_id), None
        except Exception as exc:
            from commonslint.hub import describe

            error = describe(exc, repo_id)
            if error.network:
                self.network_errors.append(str(error))
            return None, str(error)


def hub_record(kind: str, repo_id: str) -> ParentRecord:
    """A parent's record from the Hub: its listing and card, never its weights."""
    from commonslint.hub import HubClient, fetch_parent_card, hub_url
    from commonslint.lineage.records import notable_files

    client = HubClient()
    listing, text = fetch_parent_card(client, kind, repo_id)
    if text is None:
        return ParentRecord(
            id=repo_id,
            kind=kind,
            licence=(),
            licence_name=None,
            source="hub",
            resolved_from="hub",
            where=hub_url(kind, repo_id),
            revision=listing.sha,
            files=notable_files(tuple(listing.sizes)),
            notes="the repository has no README.md card",
        )
    from commonslint.lineage.records import record_from_card

    return record_from_card(
        repo_id,
        kind,
        text,
        source="hub",
        where=hub_url(kind, repo_id),
        revision=listing.sha,
        files=tuple(listing.sizes),
    )


def how_to_resolve(kind: str, repo_id: str | None, raw: str, online: bool) -> str:
    """What the user can do so the parent resolves offline (CL206's advice)."""
    if len(raw) <= 200:
        return _cached_how(kind, repo_id, raw, online)  # the same unresolved parents recur
    return _how(kind, repo_id, raw, online)


@lru_cache(maxsize=1024)
def _cached_how(kind: str, repo_id: str | None, raw: str, online: bool) -> str:
    return _how(kind, repo_id, raw, online)


def _how(kind: str, repo_id: str | None, raw: str, online: bool) -> str:
    if repo_id is None:
        return (
            f"`{raw}` is not a Hub id (a local path?); name the Hub {kind} it came from, or record "
            f"its licence by hand in {LOCK_NAME}"
        )
    download = (
        f"`hf download {repo_id} README.md`"
        if kind == "model"
        else f"`hf download --repo-type dataset {repo_id} README.md`"
    )
    ways = [
        f"run `commonslint lineage --lock` to record it in {LOCK_NAME}",
        f"put its card in the local Hugging Face cache ({download})",
    ]
    if not online:
        ways.append("or lint with `--online`")
    return "; ".join(ways)


def build_tree(
    declared: list[tuple[str, str, str | None, str | None]],
    resolver: Resolver,
    root_key: str | None = None,
    max_depth: int = MAX_DEPTH,
) -> list[Node]:
    """Nodes for (raw, kind, id, relation) parents, with their ancestors below them."""
    top = [
        Node(raw=raw, kind=kind, id=pid, depth=1, chain=(), relation=relation)
        for raw, kind, pid, relation in declared
    ]
    on_path = {root_key} if root_key else set()
    for node in top:
        _expand(node, on_path, resolver, max_depth)
    return top


def _expand(node: Node, on_path: set[str], resolver: Resolver, max_depth: int) -> None:
    node.chain = (*node.chain, node.key)
    if node.key in on_path:
        node.cycle = True
        return
    if node.id is None:
        node.reason = "not a Hub id"
        return
    node.record, node.reason = resolver.resolve(node.kind, node.id)
    record = node.record
    if record is None or node.kind != "model":
        return
    wanted = [(m, "model", record.relation) for m in record.base_models] + [
        (d, "dataset", None) for d in record.datasets
    ]
    if not wanted:
        return
    if node.depth >= max_depth:
        node.depth_limited = True
        return
    path = on_path | {node.key}
    for raw, kind, relation in wanted:
        child = Node(
            raw=raw,
            kind=kind,
            id=hub_id(raw, kind),
            depth=node.depth + 1,
            chain=node.chain,
            relation=relation,
        )
        node.children.append(child)
        _expand(child, path, resolver, max_depth)
