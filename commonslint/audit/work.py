"""The audit's worker side: one work item (a JSON Lines line, a card, a folder) in, one record out.

Each worker process builds one `Linter` when it starts and reuses it for every repository, as a
single `commonslint` run does; JSON lines are decoded here, in the workers, so that the parent
process only reads, writes and counts. A record is a plain dict that becomes one line of
`findings.jsonl`; the summary is computed from records alone, so that a resumed audit can count
the records of the run it resumes.
"""

from __future__ import annotations

import gc
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from commonslint.audit.indicators import indicators, licence_class, parents
from commonslint.audit.snapshot import SnapshotRepo
from commonslint.audit.summary import Tally
from commonslint.config import Config
from commonslint.engine import RuleError
from commonslint.lint import Linter
from commonslint.sources import DEFAULT_MAX_BYTES, LocalRepo, MemoryRepo, TargetError

# Work items are small tuples (cheap to pickle), tagged by their first element:
#   ("line", source, line_number, raw bytes)           a JSON Lines record, decoded by the worker
#   ("card", source, position, id, group, card value)  a card read by the parent (Parquet)
#   ("folder", source, position, id, path, kind, blobs) a repository folder (blobs: the HF
#                                                      cache folder its files may link into)
#   ("hub", source, position, id, hf:// target)        a Hub repository (online only)
#   ("bad", source, position, id, error)               a record the parent could not read
#   ("done", id)                                       already in a resumed audit's output
Item = tuple[Any, ...]
MAX_RAW = 200  # characters of a licence value kept in a record


@dataclass(frozen=True)
class Fields:
    """Which fields of a JSON Lines or Parquet record hold what (the bulk corpus's by default)."""

    id: str = "source_path"
    card: str = "card"
    group: str = "group"


class Worker:
    """Lints work items into records; one per process."""

    def __init__(
        self,
        config: Config,
        fields: Fields,
        done_ids: frozenset[str] = frozenset(),
        online: bool = False,
    ) -> None:
        self.linter = Linter(config)
        self.online = online  # may facts ask the Hub (parents' licences)? Only with --online
        self.active = frozenset(r.code for r in self.linter.rules)
        self.fields = fields
        self.done_ids = done_ids
        self.max_bytes = config.max_file_size or DEFAULT_MAX_BYTES

    def run(self, item: Item) -> dict[str, Any] | None:
        """The record for one item, or None when a resumed audit already has it.

        A repository that makes the linter fail becomes a bad record and the audit goes on;
        a broken rule pack (RuleError) stops it, since it would fail on every repository.
        """
        try:
            return self._run(item)
        except RuleError:
            raise
        except Exception as exc:
            source = item[1]
            position = f"line {item[2]}" if item[0] == "line" else str(item[2])
            ident = item[3] if item[0] in ("card", "folder", "hub") else None
            return bad_record(
                source,
                position,
                ident,
                f"commonslint failed on it ({type(exc).__name__}: {_short(exc)}); please report it",
            )

    def _run(self, item: Item) -> dict[str, Any] | None:
        tag = item[0]
        if tag == "line":
            return self._line(item[1], item[2], item[3])
        if tag == "card":
            _, source, position, ident, group, value = item
            return self._card(source, position, ident, group, value)
        if tag == "folder":
            _, source, position, ident, path, kind, blobs = item
            return self._folder(source, position, ident, path, kind, blobs)
        if tag == "hub":
            _, source, position, ident, target = item
            return self._hub(source, position, ident, target)
        if tag == "done":
            return None
        _, source, position, ident, error = item
        return bad_record(source, position, ident, error)

    def _line(self, source: str, number: int, raw: bytes) -> dict[str, Any] | None:
        position = f"line {number}"
        if f"{source}:{position}" in self.done_ids:  # a bad record of the resumed run
            return None
        try:
            data = json.loads(raw)
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError alike
            return bad_record(source, position, None, f"not JSON ({_short(exc)})")
        if not isinstance(data, dict):
            return bad_record(
                source, position, None, f"not a JSON object (a {type(data).__name__})"
            )
        ident = data.get(self.fields.id)
        ident = str(ident) if isinstance(ident, (str, int)) and ident != "" else None
        group = data.get(self.fields.group) if self.fields.group else None
        return self._card(source, position, ident, group, data.get(self.fields.card, _MISSING))

    def _card(
        self, source: str, position: str, ident: str | None, group: Any, value: Any
    ) -> dict[str, Any] | None:
        ident = ident or f"{source}:{position}"
        if ident in self.done_ids:
            return None
        if value is _MISSING:
            return bad_record(source, position, ident, f"has no `{self.fields.card}` field")
        if not isinstance(value, (str, bytes)):
            kind = "null" if value is None else type(value).__name__
            return bad_record(source, position, ident, f"the card is not text (it is {kind})")
        # Only the card is known: rules about other files (licence text, code of conduct) have
        # nothing to look at, and say nothing.
        repo = MemoryRepo(
            {"README.md": value}, max_bytes=self.max_bytes, card_only=True, online=self.online
        )
        return self._lint(repo, source, position, ident, group)

    def _folder(
        self,
        source: str,
        position: str,
        ident: str,
        path: str,
        kind: str | None,
        blobs: str | None,
    ) -> dict[str, Any] | None:
        if ident in self.done_ids:
            return None
        folder = Path(path)
        if not os.access(folder, os.R_OK | os.X_OK):
            return bad_record(source, position, ident, "the folder cannot be read")
        repo: LocalRepo
        if blobs:
            repo = SnapshotRepo(folder, blobs, max_bytes=self.max_bytes, kind=kind)
        else:
            repo = LocalRepo(folder, "", max_bytes=self.max_bytes, kind=kind)
        repo.online = self.online
        return self._lint(repo, source, position, ident, None)

    def _hub(self, source: str, position: str, ident: str, target: str) -> dict[str, Any] | None:
        if ident in self.done_ids:
            return None
        from commonslint.hub import HubRepo  # only Hub sources load huggingface_hub

        try:
            repo = HubRepo(target, None, self.max_bytes)
        except TargetError as exc:  # HubError: a sentence saying what went wrong
            return bad_record(source, position, ident, str(exc))
        return self._lint(repo, source, position, ident, None)

    def _lint(
        self, repo: Any, source: str, position: str, ident: str, group: Any
    ) -> dict[str, Any]:
        result = self.linter.lint(repo, ident)
        facts = result.facts
        findings = result.findings
        counts = {"error": 0, "warning": 0, "info": 0}
        out = []
        for f in findings:
            label = f.severity.label
            counts[label] += 1
            loc = f.location
            out.append(
                {
                    "code": f.code,
                    "severity": label,
                    "message": f.message,
                    "path": loc.path,
                    "line": loc.line,
                    "column": loc.column,
                }
            )
        licence = facts.get("licence", {})
        raw = licence.get("raw")
        card = facts.get("card", {})
        return {
            "id": ident,
            "source": source,
            "position": position,
            "group": group if isinstance(group, str) else None,
            "kind": card.get("kind"),
            "front_matter": card.get("front", {}).get("status"),
            "licence": {
                "class": licence_class(facts),
                "ids": licence.get("ids") or [],
                "raw": None if raw is None else _clip(raw),
            },
            "indicators": indicators(facts, (f.code for f in findings), self.active),
            "emissions_present": bool(facts.get("emissions", {}).get("present")),
            "parents": dict(zip(("named", "licence_known"), parents(facts), strict=True)),
            "counts": counts,
            "findings": out,
        }


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING = _Missing()


def bad_record(source: str, position: str, ident: str | None, error: str) -> dict[str, Any]:
    return {
        "id": ident or f"{source}:{position}",
        "source": source,
        "position": position,
        "error": error,
    }


def _clip(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= MAX_RAW else text[: MAX_RAW - 1] + "…"


def _short(exc: Exception) -> str:
    text = str(exc)
    return text if len(text) <= 120 else text[:119] + "…"


# ------------------------------------------------------------------ the process pool's side

_WORKER: Worker | None = None
_ROWS = False


def init_worker(
    config: Config,
    fields: Fields,
    done_ids: frozenset[str],
    in_parent: bool = False,
    rows: bool = False,
    online: bool = False,
) -> None:
    """Pool initializer: one Linter per process. The parent handles Ctrl-C, not the workers."""
    import signal

    global _WORKER, _ROWS
    if not in_parent:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER = Worker(config, fields, done_ids, online)
    _ROWS = rows
    _MESSAGE_IDS.clear()
    # The rules, knowledge base and compiled code live as long as the process: keep the
    # collector from scanning them again and again while cards come and go.
    gc.freeze()


@dataclass
class Batch:
    """What a worker gives back for a batch of items.

    `rows` are the report table's rows with each message as a number local to the worker;
    `messages` are the (number, text) pairs first used in this batch. Messages repeat across
    thousands of repositories, so each text crosses from worker to parent once; the parent
    consumes batches in order, so a number is always defined before a later batch uses it.
    """

    text: str
    tally: Tally
    worker: int = 0
    rows: list[list[Any]] = field(default_factory=list)
    messages: list[tuple[int, str]] = field(default_factory=list)


_MESSAGE_IDS: dict[str, int] = {}


def run_batch(items: list[Item]) -> Batch:
    """Lint a batch: its records as JSON Lines text (encoded here, off the parent), their
    tally and, when a report is wanted, their rows of its table, so the parent only writes
    and adds up."""
    assert _WORKER is not None, "init_worker was not called"
    from commonslint.report.audit_html import row

    lines = []
    batch = Batch("", Tally(), os.getpid())
    for item in items:
        record = _WORKER.run(item)
        if record is None:
            continue
        lines.append(dumps(record))
        batch.tally.add(record)
        if _ROWS and "error" not in record:
            table_row = row(record)
            for finding in table_row[8]:
                number = _MESSAGE_IDS.get(finding[3])
                if number is None:
                    number = _MESSAGE_IDS[finding[3]] = len(_MESSAGE_IDS)
                    batch.messages.append((number, finding[3]))
                finding[3] = number
            batch.rows.append(table_row)
    batch.text = "".join(lines)
    return batch


# One encoder for every record (records are trees, so the cycle check is skipped).
_ENCODER = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), default=str, check_circular=False
)


def dumps(record: dict[str, Any]) -> str:
    return _ENCODER.encode(record) + "\n"
