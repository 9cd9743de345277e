"""The audit's worker processes: batches go out in input order and come back in input order.

Why not `multiprocessing.Pool`: its workers share one result queue and its lock. `terminate()`,
which is how a pool is stopped on Ctrl-C, kills workers without regard to that lock; a worker
killed while sending a result leaves it held, and the pool's task thread then waits for it
forever (python/cpython#96995, #73945, #78178; seen here in 3 of 40 interrupted audits on a busy
machine). A worker that dies on its own (the OOM killer) leaves `Pool` waiting forever for its
task (python/cpython#66587). Here each worker has its own pipe and holds no lock another process
needs, so the parent can stop or lose a worker at any moment and still end: it closes the pipes
and terminates the processes. A worker that dies is an error that names its exit code.

Each worker has one batch at a time, so neither side can fill a pipe the other is not reading;
the parent keeps the next batch ready so a worker waits only for the hand-over.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import traceback
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any

# How often an idle worker checks that its parent is still alive (seconds): a parent killed
# with SIGKILL cannot stop its workers, so they stop themselves.
PARENT_CHECK = 1.0
# How long a worker may take to end once asked before it is killed (seconds).
GRACE = 5.0


class WorkerFailed(RuntimeError):
    """A worker process died, or failed outside the work it was given."""


def _serve(
    conn: Connection,
    function: Callable[[Any], Any],
    initializer: Callable[..., None],
    initargs: Sequence[Any],
) -> None:
    """A worker's life: set up, then answer each batch until told to stop or orphaned."""
    parent = multiprocessing.parent_process()
    failed: tuple[str, Any, str] | None = None
    try:
        try:
            initializer(*initargs)
        except Exception as exc:  # told to the parent with the first batch, not printed here
            failed = ("error", exc, traceback.format_exc())
        while True:
            while not conn.poll(PARENT_CHECK):
                if parent is not None and not parent.is_alive():
                    return
            work = conn.recv()
            if work is None:
                return
            try:
                answer: tuple[str, Any, str] = failed or ("ok", function(work), "")
            except Exception as exc:
                answer = ("error", exc, traceback.format_exc())
            try:
                conn.send(answer)
            except Exception as exc:  # an answer that does not pickle is still an answer
                conn.send(("error", WorkerFailed(f"{type(exc).__name__}: {exc}"), ""))
    except (EOFError, BrokenPipeError, KeyboardInterrupt):
        return  # the parent went away or is stopping: nothing to answer
    finally:
        conn.close()


class _Worker:
    def __init__(
        self, context: Any, function: Callable[[Any], Any], initializer: Any, initargs: Any
    ):
        self.conn, child = context.Pipe(duplex=True)
        self.process = context.Process(
            target=_serve, args=(child, function, initializer, initargs), daemon=True
        )
        self.process.start()
        child.close()  # the parent keeps only its own end, so a dead worker reads as EOF
        self.job = -1  # the batch it has, or -1

    def stop(self, ask: bool) -> None:
        """Ask the worker to end (after a normal run), or end it (after anything else)."""
        if ask:
            with contextlib.suppress(OSError):
                self.conn.send(None)
        self.conn.close()
        if not ask:
            self.process.terminate()
        self.process.join(GRACE)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.process.close()


def ordered_map(
    function: Callable[[Any], Any],
    batches: Iterator[Any],
    jobs: int,
    initializer: Callable[..., None],
    initargs: Sequence[Any] = (),
    ahead: int = 4,
) -> Iterator[Any]:
    """`function(batch)` for each batch, computed in `jobs` processes, yielded in input order.

    At most `ahead` batches a worker are in flight or waiting to be yielded, so memory stays
    flat. However the caller stops (exhausted, an exception, `close()` on Ctrl-C), every worker
    process has ended when this returns. An exception raised by `function` is raised here, with
    the worker's traceback as its cause; a worker that dies raises `WorkerFailed`.
    """
    methods = multiprocessing.get_all_start_methods()
    # fork starts a worker in milliseconds and shares the parent's loaded modules; elsewhere
    # (macOS, Windows) spawn re-imports them, which costs a second per worker but works.
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    ahead = max(1, ahead)
    workers: list[_Worker] = []
    finished = False
    try:
        for _ in range(jobs):
            workers.append(_Worker(context, function, initializer, initargs))
        by_conn = {w.conn: w for w in workers}
        idle = list(workers)
        done: dict[int, Any] = {}
        sent = yielded = 0
        upcoming = next(batches, None)
        while True:
            # Yield first, then refill: a yield can open the window for more batches.
            while yielded in done:
                yield done.pop(yielded)
                yielded += 1
            while idle and upcoming is not None and sent - yielded < jobs * ahead:
                worker = idle.pop()
                try:
                    worker.conn.send(upcoming)
                except OSError:  # it died since its last answer
                    worker.process.join(GRACE)
                    raise WorkerFailed(_death(worker.process.exitcode)) from None
                worker.job = sent
                sent += 1
                upcoming = next(batches, None)
            if yielded == sent:  # nothing in flight, and (having refilled) nothing to send
                break
            # Batch `yielded` is not done, so its worker is busy: there is something to wait on.
            for conn in wait([w.conn for w in workers if w.job >= 0]):
                worker = by_conn[conn]  # type: ignore[index]
                try:
                    answer = conn.recv()  # type: ignore[union-attr]
                except (EOFError, OSError):
                    worker.process.join(GRACE)
                    raise WorkerFailed(_death(worker.process.exitcode)) from None
                if answer[0] == "error":
                    raise answer[1] from _Remote(answer[2])
                done[worker.job] = answer[1]
                worker.job = -1
                idle.append(worker)
        finished = True
    finally:
        for worker in workers:
            worker.stop(ask=finished)


def _death(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"a worker process was killed by {signal.Signals(-code).name}"
        except ValueError:
            pass
    return f"a worker process died (exit code {code})"


class _Remote(Exception):
    """The worker's traceback, shown as the cause of the exception it raised."""

    def __str__(self) -> str:
        return f"\n{self.args[0]}" if self.args and self.args[0] else ""
