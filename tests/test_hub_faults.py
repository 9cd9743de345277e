"""Hub mode against a Hub that misbehaves: every fault ends cleanly, in bounded time and memory.

Issue 7 asks that "slow answers time out, truncated downloads and redirect loops fail cleanly, a
huge README from the server is capped". Each test runs `commonslint hf://owner/name` in a
subprocess (with a timeout of its own) against `hubserver.fake_hub` on 127.0.0.1, with one of its
faults switched on, and checks the exit code, the sentence on stderr, that nothing was reported
from a partial answer, and the time taken. What is tested, listing and file download alike:

- an answer later than the timeout (HF_HUB_ETAG_TIMEOUT / HF_HUB_DOWNLOAD_TIMEOUT, set to 1 s
  here), and a body trickling in a byte at a time (each read is in time, the whole never is):
  exit 2 within a few seconds;
- a status line and headers dribbling in a byte at a time, each just inside the timeout (h11
  would take ~16 KB of them): exit 2 at the same deadline as a trickling body; and, in this
  process, the blocked request itself is ended (its socket shut down by the deadline's timer), on
  a new connection and on a kept-alive one from the pool, and the server sees the hang-up;
- a body cut short of its Content-Length: exit 2. Not a CL902 finding: the truncation is a fact
  about this transfer, not about the repository, and a finding would make the run a verdict (exit
  0 or 1) computed without the file; exit 2 says "no verdict, try again", like any network fault;
- a redirect to itself, and back and forth between two addresses: exit 2;
- a connection closed without an answer, and an HTTP 500 after some files were fetched: exit 2;
- a README the listing says is small but is 50 MB: read up to the byte cap only (the server counts
  the bytes it could send; the child's peak memory is compared with a normal run), reported as
  CL902 "too large"; and one the listing says is large is never downloaded.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, codes
from hubserver import HUGE_BYTES, FakeHub, fake_hub

from commonslint.sources import DEFAULT_MAX_BYTES

CARD = "---\nlicense: mit\n---\n# Faulty\n\nA model.\n"
LISTING = r"^/api/models/acme/faulty$"
README = r"^/acme/faulty/resolve/[^/]+/README\.md$"
LICENSE = r"^/acme/faulty/resolve/[^/]+/LICENSE$"
TIMEOUT = 1  # seconds, for both of huggingface_hub's timeouts
# The child prints its peak resident memory (kB on Linux) after the run.
_MEASURED = (
    "import resource, sys\n"
    "from commonslint.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print('MAXRSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    with fake_hub() as server:
        server.add(
            "acme/faulty",
            {
                "README.md": CARD,
                "LICENSE": "MIT License\n\nCopyright (c) Acme\n",
                "CODE_OF_CONDUCT.md": "# Code of conduct\nBe kind.\n",
                "model.safetensors": b"\0" * 64,
            },
        )
        yield server


def run(
    hub: FakeHub, tmp_path: Path, target: str = "hf://acme/faulty"
) -> tuple[int, str, str, float]:
    """Run the CLI on `target`; return exit code, stdout, stderr and seconds taken."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(
        hub.env(
            str(tmp_path / "hf"),
            HF_HUB_ETAG_TIMEOUT=str(TIMEOUT),
            HF_HUB_DOWNLOAD_TIMEOUT=str(TIMEOUT),
        )
    )
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURED, "--isolated", target],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,  # far beyond what any case may take: a hang fails here, not in CI's limit
        check=False,
    )
    return proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start


def maxrss(stderr: str) -> int:
    return int(next(line for line in stderr.splitlines() if line.startswith("MAXRSS")).split()[1])


def assert_clean_failure(result: tuple[int, str, str, float], message: str, seconds: float) -> None:
    code, out, err, took = result
    assert code == 2, (code, out, err)
    assert message in err, err
    assert err.startswith("commonslint: error: hf://acme/faulty"), err
    assert "Traceback" not in err
    assert out == ""  # nothing reported from a partial view of the repository
    assert took < seconds, f"took {took:.1f} s"


def test_the_fault_free_run_works(hub: FakeHub, tmp_path: Path) -> None:
    code, out, err, _ = run(hub, tmp_path)
    assert code in (0, 1), err
    assert "hf://acme/faulty/README.md" in out


@pytest.mark.parametrize("where", [LISTING, README], ids=["listing", "file"])
def test_a_late_answer_times_out(hub: FakeHub, tmp_path: Path, where: str) -> None:
    hub.faults[where] = "slow"  # answers after hub.delay (4 s), well past the 1 s timeout
    result = run(hub, tmp_path)
    # Interpreter start-up, imports, the timeout itself: far less than the delay.
    assert_clean_failure(result, "did not answer in time", hub.delay)
    assert "HF_HUB_ETAG_TIMEOUT" in result[2] and "HF_HUB_DOWNLOAD_TIMEOUT" in result[2]


@pytest.mark.parametrize("where", [LISTING, README], ids=["listing", "file"])
def test_a_trickling_answer_hits_the_deadline(hub: FakeHub, tmp_path: Path, where: str) -> None:
    from commonslint.hub import DEADLINE_FACTOR

    hub.faults[where] = "trickle"  # a byte every 0.2 s: each read in time, the whole never
    result = run(hub, tmp_path)
    assert_clean_failure(result, f"took more than {TIMEOUT * DEADLINE_FACTOR:g} s", 10)


@pytest.mark.parametrize("where", [LISTING, README], ids=["listing", "file"])
def test_headers_dribbling_in_hit_the_deadline(hub: FakeHub, tmp_path: Path, where: str) -> None:
    from commonslint.hub import DEADLINE_FACTOR

    hub.faults[where] = "dribble-headers"  # a head byte per 0.8 s: ~2 minutes for all of it
    hub.pause = TIMEOUT * 0.8
    result = run(hub, tmp_path)
    deadline = TIMEOUT * DEADLINE_FACTOR
    assert_clean_failure(result, f"took more than {deadline:g} s to send its answer", deadline + 4)
    assert "HF_HUB_ETAG_TIMEOUT" in result[2] and "HF_HUB_DOWNLOAD_TIMEOUT" in result[2]


@pytest.mark.parametrize("keep_alive", [False, True], ids=["new-connection", "pooled"])
def test_the_stuck_request_itself_is_ended(
    hub: FakeHub, monkeypatch: pytest.MonkeyPatch, keep_alive: bool
) -> None:
    """In this process: the blocked read returns at the deadline, and the connection is closed.

    The request runs in the calling thread, so `listing` returning at all shows the read blocked
    on the dribbling head was ended; the server's failed write shows the socket was closed (the
    process is still alive, so that is not the kernel cleaning up after an exit).
    """
    from huggingface_hub import constants

    from commonslint.hub import DEADLINE_FACTOR, HubClient, HubError

    timeout = 0.5
    for name, value in (
        ("ENDPOINT", hub.url),
        ("HF_HUB_OFFLINE", False),
        ("HF_HUB_ETAG_TIMEOUT", timeout),
        ("HF_HUB_DOWNLOAD_TIMEOUT", timeout),
    ):
        monkeypatch.setattr(constants, name, value)
    hub.keep_alive = keep_alive
    hub.pause = timeout * 0.8
    client = HubClient()
    # A first, fault-free answer: with keep-alive its connection waits in huggingface_hub's pool.
    assert "README.md" in client.listing("model", "acme/faulty", None, "first").sizes
    hub.faults[LISTING] = "dribble-headers"
    start = time.monotonic()
    with pytest.raises(HubError, match="took more than") as caught:
        client.listing("model", "acme/faulty", None, "second")
    took = time.monotonic() - start
    assert caught.value.network
    assert timeout * DEADLINE_FACTOR <= took < timeout * DEADLINE_FACTOR + 1, took
    assert hub.hung_up.wait(5 * hub.pause)  # the server's next byte found the connection shut
    # The second request came on the first one's connection when kept alive, on a new one if not.
    assert (hub.ports[0] == hub.ports[1]) is keep_alive, hub.ports


@pytest.mark.parametrize("where", [LISTING, README], ids=["listing", "file"])
def test_a_truncated_answer_fails_cleanly(hub: FakeHub, tmp_path: Path, where: str) -> None:
    hub.faults[where] = "truncate"  # Content-Length N, then N/2 bytes, then the socket closes
    assert_clean_failure(run(hub, tmp_path), "broke off before the answer was complete", 10)


@pytest.mark.parametrize("fault", ["redirect-self", "redirect-pingpong"])
@pytest.mark.parametrize("where", [LISTING, README], ids=["listing", "file"])
def test_a_redirect_loop_fails_cleanly(
    hub: FakeHub, tmp_path: Path, where: str, fault: str
) -> None:
    hub.faults[where] = fault
    assert_clean_failure(run(hub, tmp_path), "redirected too many times", 10)
    looped = [r for r in hub.requests if r.startswith(("/api/models/acme/faulty", "/acme/"))]
    assert 10 <= len(looped) <= 40  # followed a bounded number of times, then gave up


@pytest.mark.parametrize("where", [LISTING, README], ids=["listing", "file"])
def test_a_connection_closed_without_an_answer(hub: FakeHub, tmp_path: Path, where: str) -> None:
    hub.faults[where] = "close"
    assert_clean_failure(run(hub, tmp_path), "broke off before the answer was complete", 10)


def test_a_server_error_in_the_middle_of_the_files(hub: FakeHub, tmp_path: Path) -> None:
    hub.faults[LICENSE] = "500"
    assert_clean_failure(run(hub, tmp_path), "LICENSE: the Hub answered HTTP 500", 10)
    fetched = [r.rsplit("/", 1)[-1] for r in hub.requests if "/resolve/" in r]
    assert "README.md" in fetched and fetched[-1] == "LICENSE"  # it failed mid-way


def test_a_huge_readme_is_capped_while_streaming(hub: FakeHub, tmp_path: Path) -> None:
    normal = run(hub, tmp_path)
    hub.faults[README] = "huge"  # the listing says the card is small; the body is 50 MB
    code, out, err, _ = run(hub, tmp_path)
    assert code == 1, err
    assert "hf://acme/faulty/README.md:1:1: CL902 [error]" in out and "too large" in out, out
    readme = next(r for r in hub.sent if r.endswith("/README.md"))
    # The client hung up after the cap: the server could not send it all (it could send the
    # cap plus what the sockets' buffers took, which the kernel sizes: a few MB here).
    assert DEFAULT_MAX_BYTES < hub.sent[readme] < HUGE_BYTES, hub.sent[readme]
    # And memory: peak within a few caps of a normal run's (reading it all costs 50 MB or more;
    # the capped read measured ~3.6 MB).
    grew_kb = maxrss(err) - maxrss(normal[2])
    assert grew_kb < 8 * DEFAULT_MAX_BYTES // 1024, f"peak memory grew by {grew_kb} kB"


def test_a_readme_listed_as_too_large_is_never_downloaded(hub: FakeHub, tmp_path: Path) -> None:
    hub.add("acme/faulty", {"README.md": "# big\n" + "x" * DEFAULT_MAX_BYTES})
    code, out, err, _ = run(hub, tmp_path)
    assert code == 1, err
    assert "CL902" in codes(out) and f"too large ({DEFAULT_MAX_BYTES + 6} bytes" in out, out
    assert not [r for r in hub.requests if r.endswith("/README.md")]
