"""The audit's worker processes (`commonslint.audit.workers.ordered_map`): order, errors, and
stopping at any moment without hanging or leaving a process behind."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from commonslint.audit.workers import WorkerFailed, ordered_map

_STATE: dict[str, object] = {}


def _setup(tag: str) -> None:
    _STATE["tag"] = tag


def _bad_setup() -> None:
    raise ValueError("cannot set up")


def _tagged(batch: list[int]) -> tuple[str, list[int], int]:
    time.sleep(random.random() / 500)  # batches finish out of order
    return (str(_STATE.get("tag")), [n * n for n in batch], os.getpid())


def _fails_on_seven(batch: list[int]) -> list[int]:
    if 7 in batch:
        raise KeyError("seven")
    return batch


def _dies_on_seven(batch: list[int]) -> list[int]:
    if 7 in batch:
        os._exit(3)
    return batch


def _slow_first(batch: list[int]) -> list[int]:
    if batch == [0]:
        time.sleep(0.5)  # the other worker finishes every batch the window allows meanwhile
    return batch


@pytest.fixture(autouse=True)
def _deadline():  # type: ignore[no-untyped-def]
    """A hang fails the test instead of stopping the suite."""

    def expired(signum, frame):  # type: ignore[no-untyped-def]
        raise TimeoutError("ordered_map hung")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, 30)
    yield
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


def _no_children_left() -> None:
    deadline = time.monotonic() + 10
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_results_come_back_in_input_order(jobs: int) -> None:
    batches = [[n, n + 1] for n in range(0, 200, 2)]
    results = list(ordered_map(_tagged, iter(batches), jobs, _setup, ("set up",), ahead=2))
    assert [r[1] for r in results] == [[n * n for n in b] for b in batches]
    assert {r[0] for r in results} == {"set up"}  # each worker ran the initializer
    assert os.getpid() not in {r[2] for r in results}
    assert len({r[2] for r in results}) <= jobs
    _no_children_left()


@pytest.mark.parametrize("ahead", [1, 2, 4])
def test_a_slow_batch_fills_the_window_and_the_work_goes_on(ahead: int) -> None:
    batches = [[n] for n in range(40)]
    assert list(ordered_map(_slow_first, iter(batches), 2, _setup, ("x",), ahead)) == batches
    _no_children_left()


def test_no_batches_no_results() -> None:
    assert list(ordered_map(_tagged, iter([]), 2, _setup, ("x",))) == []
    _no_children_left()


def test_an_exception_in_a_worker_is_raised_with_its_traceback() -> None:
    with pytest.raises(KeyError, match="seven") as caught:
        list(ordered_map(_fails_on_seven, iter([[n] for n in range(20)]), 2, _setup, ("x",)))
    assert "_fails_on_seven" in str(caught.value.__cause__)  # the worker's own traceback
    _no_children_left()


def test_a_failing_initializer_is_raised_not_printed() -> None:
    with pytest.raises(ValueError, match="cannot set up"):
        list(ordered_map(_tagged, iter([[1], [2]]), 2, _bad_setup))
    _no_children_left()


def test_a_worker_that_dies_is_an_error_naming_its_exit_code() -> None:
    # multiprocessing.Pool waits forever here (python/cpython#66587)
    with pytest.raises(WorkerFailed, match="exit code 3"):
        list(ordered_map(_dies_on_seven, iter([[n] for n in range(40)]), 2, _setup, ("x",)))
    _no_children_left()


_STOP_EARLY = textwrap.dedent(
    """
    import multiprocessing, sys
    sys.path.insert(0, sys.argv[1])
    from commonslint.audit.workers import ordered_map

    def big(batch):
        return "x" * 2_000_000  # larger than a pipe: workers are mid-send when we stop

    def setup():
        pass

    for attempt in range(int(sys.argv[2])):
        results = ordered_map(big, iter(range(1000)), 2, setup)
        for count, _ in enumerate(results):
            if count == 5:
                break
        results.close()  # what a Ctrl-C in the consumer does
        assert multiprocessing.active_children() == [], attempt
    print("stopped", sys.argv[2], "times")
    """
)


def test_stopping_while_workers_send_never_hangs(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # multiprocessing.Pool.terminate() hung within 3 such stops (python/cpython#96995).
    from tests.conftest import ROOT

    script = tmp_path / "stop_early.py"
    script.write_text(_STOP_EARLY)
    done = subprocess.run(
        [sys.executable, str(script), str(ROOT), "30"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "stopped 30 times" in done.stdout


_ORPHAN = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, sys.argv[1])
    from commonslint.audit.workers import ordered_map

    def slow(batch):
        time.sleep(0.05)
        return __import__("os").getpid()

    def setup():
        pass

    seen = set()
    for pid in ordered_map(slow, iter(range(10**6)), 2, setup):
        if pid not in seen:
            seen.add(pid)
            print(pid, flush=True)
    """
)


def test_workers_end_when_their_parent_is_killed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import ROOT

    script = tmp_path / "orphan.py"
    script.write_text(_ORPHAN)
    parent = subprocess.Popen(
        [sys.executable, str(script), str(ROOT)], stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    pids = {int(parent.stdout.readline()), int(parent.stdout.readline())}
    parent.send_signal(signal.SIGKILL)  # no chance to stop its workers
    parent.wait()
    deadline = time.monotonic() + 15
    alive = set(pids)
    while alive and time.monotonic() < deadline:
        for pid in list(alive):
            try:
                waited, _ = os.waitpid(pid, os.WNOHANG)  # not our child: raises
            except ChildProcessError:
                waited = 0
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                alive.discard(pid)
                continue
            if _zombie(pid) or waited:
                alive.discard(pid)
        time.sleep(0.05)
    assert not alive, f"workers {alive} outlived their parent"


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True
