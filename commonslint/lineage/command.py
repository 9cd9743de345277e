"""`commonslint lineage [PATH]`: print the tree of parents; `--lock` writes `commonslint.lock`.

`--lock` asks the Hub (it is the one command that must), keeps hand-written entries, keeps the
date of entries that did not change (so refreshing an up-to-date lock changes nothing), and
writes atomically. If the Hub cannot be reached, nothing is written and the exit status is 2.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from commonslint.lineage import lockfile, render
from commonslint.lineage.resolve import Resolver
from commonslint.sources import DEFAULT_MAX_BYTES, Repo, TargetError, open_local


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="commonslint lineage",
        description="Show the parents (base models, datasets) of a model, each with its licence, "
        "where that was learnt, and the obligations it passes down.",
    )
    parser.add_argument(
        "target", nargs="?", default=".", metavar="PATH", help="a repository folder or hf://id"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--online", action="store_true", help="ask the Hub for parents no local source knows"
    )
    parser.add_argument(
        "--lock",
        action="store_true",
        help=f"resolve every parent on the Hub and write {lockfile.LOCK_NAME} (needs the network)",
    )
    parser.add_argument("--revision", help="revision of an hf:// target (branch, tag or commit)")
    return parser


def _open(target: str, revision: str | None) -> Repo:
    if target.startswith("hf://"):
        from commonslint.hub import HubRepo

        return HubRepo(target, revision)
    if revision:
        raise TargetError("--revision applies to hf:// targets only")
    return open_local(target, DEFAULT_MAX_BYTES)


def compute(repo: Repo, resolver: Resolver | None = None) -> dict[str, Any]:
    """The facts `lineage` prints: the card, the declared licence and the lineage."""
    from commonslint import facts as facts_mod
    from commonslint.licence_facts import licence_facts
    from commonslint.lineage.facts import compute as lineage_facts

    unreadable: list[dict[str, Any]] = []
    card_f, card = facts_mod.card_facts(repo, unreadable)
    files_f = facts_mod.licence_file_facts(repo, unreadable)
    return {
        "card": card_f,
        "licence": licence_facts(card_f, card, files_f, repo),
        "lineage": lineage_facts(repo, card, card_f, files_f, unreadable, resolver),
        "unreadable": unreadable,
    }


def _records(tree: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def walk(node: dict[str, Any]) -> None:
        if node["source"] is not None and not node["cycle"]:
            out.append(node)
        for child in node["children"]:
            walk(child)

    for node in tree:
        walk(node)
    return out


def write_lock(repo: Repo, target: str) -> tuple[dict[str, Any], Path, int]:
    from commonslint.lineage.facts import read_lock
    from commonslint.lineage.hfcache import HFCache

    root = getattr(repo, "root", None)
    if root is None:
        raise TargetError("--lock writes into a local repository; give its folder, not hf://")
    old, error = read_lock(repo)
    if error:
        raise TargetError(f"{repo.show(lockfile.LOCK_NAME)} {error}; fix or remove it first")
    resolver = Resolver(old, HFCache(), online=True, refresh=True)
    facts = compute(repo, resolver)
    if resolver.network_errors:
        raise TargetError(
            "the Hub could not be reached, so the lock file was not written: "
            + resolver.network_errors[0]
        )
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    fresh = []
    for node in _records(facts["lineage"]["tree"]):
        if node["source"] == "lock":
            continue  # a hand-written entry: merge keeps it as it is
        record = resolver.resolve(node["kind"], node["id"])[0]
        if record is not None:
            fresh.append(lockfile.entry_for(record, today))
    entries = lockfile.merge(old, fresh)
    path = Path(root) / lockfile.LOCK_NAME
    lockfile.write(path, entries)
    # Show what the repository now resolves to, from the lock just written.
    repo._cache.pop(lockfile.LOCK_NAME, None)
    repo._file_set = None
    if isinstance(getattr(repo, "_listing", None), list):
        repo._listing = None
    return compute(repo), path, len(entries)


def run(argv: Sequence[str]) -> int:
    args = _parser().parse_args(argv)
    repo = _open(args.target, args.revision)
    if args.online:
        repo.online = True
    note = ""
    if args.lock:
        facts, _, count = write_lock(repo, args.target)
        note = (
            f"wrote {repo.show(lockfile.LOCK_NAME)} ({count} parent{'s' if count != 1 else ''})\n"
        )
    else:
        facts = compute(repo)
    label = repo.display or args.target
    if args.format == "json":
        sys.stdout.write(render.as_json(label, facts))
        sys.stderr.write(note)
    else:
        sys.stdout.write(render.text(label, facts) + note)
    return 0
