"""A tiny stand-in for the Hugging Face Hub, on 127.0.0.1, for tests (no test reaches the internet).

It answers the endpoints huggingface_hub 2.x calls for what commonslint does (read from its
source: `HfApi.repo_info` -> `GET /api/{models,datasets}/{id}[/revision/{rev}]`, file downloads
-> `GET /[datasets/]{id}/resolve/{rev}/{path}`), with the headers and `X-Error-Code` values its
`hf_raise_for_status` maps to exceptions: RepoNotFound, RevisionNotFound, GatedRepo,
EntryNotFound, and a 429 for the rate limit.

Faults, for the tests that check commonslint fails cleanly (`FakeHub.faults`: a regular expression
searched in the request path -> one of `FAULTS`): an answer that comes too late, a body that
trickles in, a status line and headers that dribble in a byte at a time (each byte just inside
the client's per-read timeout: `FakeHub.pause`), a body cut short of its Content-Length, a
connection closed without an answer, an HTTP 500, a redirect to itself or back and forth, and a
50 MB body behind a small listed size.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

_INFO = re.compile(r"^/api/(models|datasets)/([^/]+/[^/]+)(?:/revision/([^/]+))?$")
_RESOLVE = re.compile(r"^/(datasets/)?([^/]+/[^/]+)/resolve/([^/]+)/(.+)$")
FAULTS = (
    "slow",
    "trickle",
    "dribble-headers",
    "truncate",
    "close",
    "500",
    "redirect-self",
    "redirect-pingpong",
    "huge",
)
HUGE_BYTES = 50 * 1024 * 1024


@dataclass
class FakeRepo:
    files: dict[str, bytes | str]
    kind: str = "model"
    gated: bool = False  # files need an accepted gate: 403 GatedRepo
    private_token: str | None = None  # everything needs `Authorization: Bearer <token>`
    revisions: tuple[str, ...] = ("main",)

    @property
    def sha(self) -> str:
        digest = hashlib.sha1()
        for name in sorted(self.files):
            digest.update(name.encode() + b"\0" + _bytes(self.files[name]))
        return digest.hexdigest()


def _bytes(value: bytes | str) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")


@dataclass
class FakeHub:
    repos: dict[tuple[str, str], FakeRepo] = field(default_factory=dict)
    rate_limited: bool = False
    requests: list[str] = field(default_factory=list)
    url: str = ""
    faults: dict[str, str] = field(default_factory=dict)  # path regex -> a name from FAULTS
    delay: float = 4.0  # how late a "slow" answer comes
    pause: float = 0.8  # between "dribble-headers" bytes: set it just under the client's timeout
    hung_up: threading.Event = field(default_factory=threading.Event)  # a dribble's write failed
    keep_alive: bool = False  # answer HTTP/1.1 and keep connections open between requests
    ports: list[int] = field(default_factory=list)  # the client's port, request by request
    sent: dict[str, int] = field(default_factory=dict)  # path -> body bytes written to the socket
    # Set when the server stops, so a handler waiting out a "slow" answer or trickling gives up.
    stopping: threading.Event = field(default_factory=threading.Event)

    def add(self, repo_id: str, files: dict[str, bytes | str], **kwargs: object) -> FakeRepo:
        repo = FakeRepo(files, **kwargs)  # type: ignore[arg-type]
        self.repos[(repo.kind, repo_id)] = repo
        return repo

    def env(self, cache: str, **extra: str) -> dict[str, str]:
        """Environment for a CLI subprocess talking to this server and nothing else."""
        env = {
            "HF_ENDPOINT": self.url,
            "HF_HUB_OFFLINE": "0",
            "HF_HUB_CACHE": cache,
            "HF_HOME": cache,
            "HF_TOKEN": "",
            "HF_HUB_DISABLE_TELEMETRY": "1",
            "HF_HUB_ETAG_TIMEOUT": "5",
            "HF_HUB_DOWNLOAD_TIMEOUT": "5",
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }
        env.update(extra)
        return env


def _handler(hub: FakeHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        fault: str | None = None

        @property  # type: ignore[override]
        def protocol_version(self) -> str:  # read per request: HTTP/1.0 closes after each answer
            return "HTTP/1.1" if hub.keep_alive else "HTTP/1.0"

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command == "HEAD":
                return
            if self.fault == "truncate" and status == 200:
                # Half the promised bytes, then the connection closes.
                self._write(body[: len(body) // 2])
                self.close_connection = True
                return
            self._write(body)

        def _write(self, data: bytes) -> bool:
            path = urlsplit(self.path).path
            try:
                self.wfile.write(data)
            except OSError:  # the client hung up (as it should, past its cap or deadline)
                return False
            hub.sent[path] = hub.sent.get(path, 0) + len(data)
            return True

        def _apply_fault(self, fault: str, path: str) -> bool:
            """Act out `fault`; True when the request is fully answered (or dropped) by it."""
            self.fault = fault
            if fault == "slow":
                hub.stopping.wait(hub.delay)
                return False  # then answer normally, too late
            if fault == "close":
                self.close_connection = True
                return True
            if fault == "500":
                self._error(500, None, "Internal Error")
                return True
            if fault in ("redirect-self", "redirect-pingpong"):
                target = path
                if fault == "redirect-pingpong" and not urlsplit(self.path).query:
                    target = path + "?hop=b"  # A -> B, and B (with the query) -> A
                self.send_response(302)
                self.send_header("Location", target)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return True
            if fault == "dribble-headers":
                # A valid answer, but its head comes a byte per `pause`: each read is in time, and
                # ~130 bytes take minutes. Written raw: send_response buffers the whole head.
                head = (
                    f"{self.protocol_version} 200 OK\r\n"
                    "Content-Type: text/plain; charset=utf-8\r\n"
                    "X-Padding: a header long enough to take minutes\r\n"
                    "Content-Length: 2\r\n\r\nok"
                ).encode()
                for byte in head:
                    if hub.stopping.wait(hub.pause):
                        break
                    try:
                        self.wfile.write(bytes([byte]))
                    except OSError:  # the client shut the connection down (at its deadline)
                        hub.hung_up.set()
                        break
                self.close_connection = True
                return True
            if fault in ("trickle", "huge"):
                size = 10_000 if fault == "trickle" else HUGE_BYTES
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(size))
                self.end_headers()
                if fault == "trickle":  # a byte every 0.2 s: never a read timeout, never done
                    for _ in range(size):
                        if hub.stopping.wait(0.2) or not self._write(b"x"):
                            break
                else:
                    chunk = b"x" * (64 * 1024 - 1) + b"\n"
                    for _ in range(size // len(chunk)):
                        if not self._write(chunk):
                            break
                self.close_connection = True
                return True
            return False  # "truncate" acts in _send

        def _error(self, status: int, code: str | None, message: str) -> None:
            headers = {"Content-Type": "application/json", "X-Error-Message": message}
            if code:
                headers["X-Error-Code"] = code
            self._send(status, json.dumps({"error": message}).encode(), headers)

        def _allowed(self, repo: FakeRepo) -> bool:
            if repo.private_token is None:
                return True
            return self.headers.get("Authorization") == f"Bearer {repo.private_token}"

        def do_HEAD(self) -> None:
            self.do_GET()

        def do_GET(self) -> None:
            path = unquote(urlsplit(self.path).path)
            hub.requests.append(path)
            hub.ports.append(self.client_address[1])
            for pattern, fault in hub.faults.items():
                if re.search(pattern, path):
                    if self._apply_fault(fault, path):
                        return
                    break
            if hub.rate_limited:
                self._error(429, None, "You have been rate-limited")
                return
            if match := _INFO.match(path):
                kind = "dataset" if match[1] == "datasets" else "model"
                self._info(kind, match[2], match[3])
                return
            if match := _RESOLVE.match(path):
                kind = "dataset" if match[1] else "model"
                self._file(kind, match[2], match[3], match[4])
                return
            self._error(404, None, "Not Found")

        def _repo(self, kind: str, repo_id: str) -> FakeRepo | None:
            repo = hub.repos.get((kind, repo_id))
            if repo is None or not self._allowed(repo):
                # The Hub answers 401 for private repos without a token, like a missing one.
                status = 401 if repo is not None else 404
                self._error(status, "RepoNotFound", "Repository not found")
                return None
            return repo

        def _revision_ok(self, repo: FakeRepo, revision: str | None) -> bool:
            if revision is None or revision in repo.revisions or revision == repo.sha:
                return True
            self._error(404, "RevisionNotFound", "Invalid rev id")
            return False

        def _info(self, kind: str, repo_id: str, revision: str | None) -> None:
            repo = self._repo(kind, repo_id)
            if repo is None or not self._revision_ok(repo, revision):
                return
            body = {
                "id": repo_id,
                "sha": repo.sha,
                "private": repo.private_token is not None,
                "gated": "manual" if repo.gated else False,
                "siblings": [
                    {"rfilename": name, "size": len(_bytes(data))}
                    for name, data in sorted(repo.files.items())
                ],
            }
            self._send(200, json.dumps(body).encode(), {"Content-Type": "application/json"})

        def _file(self, kind: str, repo_id: str, revision: str, name: str) -> None:
            repo = self._repo(kind, repo_id)
            if repo is None or not self._revision_ok(repo, revision):
                return
            if repo.gated:
                self._error(403, "GatedRepo", "Access to this repository is restricted")
                return
            if name not in repo.files:
                self._error(404, "EntryNotFound", "Entry not found")
                return
            data = _bytes(repo.files[name])
            self._send(
                200,
                data,
                {
                    "Content-Type": "text/plain; charset=utf-8",
                    "X-Repo-Commit": repo.sha,
                    "ETag": '"' + hashlib.sha1(data).hexdigest() + '"',
                },
            )

    return Handler


@contextmanager
def fake_hub() -> Iterator[FakeHub]:
    hub = FakeHub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(hub))
    server.daemon_threads = True
    hub.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hub
    finally:
        hub.stopping.set()
        server.shutdown()
        server.server_close()
