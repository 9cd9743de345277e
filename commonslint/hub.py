"""Hub access: `hf://owner/name` targets (`HubRepo`), and parents' cards for lineage look-ups.

Everything here goes through `huggingface_hub` (its endpoint, token, offline switch, user agent
and error types), imported only when this module is used: a local lint never loads it.
Only the repository's listing and the small text files the rules read are fetched; weight files
never are, and every file has a byte cap. Every failure becomes a `HubError` with a sentence a
person can act on (gated, private or missing, unknown revision, rate limit, network), which the
command line prints before exiting 2.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Any

from commonslint.sources import (
    DEFAULT_MAX_BYTES,
    ReadResult,
    Repo,
    TargetError,
    decode_text,
    is_weight_file,
)

_TARGET = re.compile(r"^hf://(?:(?P<type>models|datasets)/)?(?P<id>[\w.-]+(?:/[\w.-]+)?)/?$")
# File kinds a rule may read, by suffix; anything else is refused even if asked for.
_TEXT_SUFFIXES = ("", ".md", ".txt", ".rst", ".markdown", ".lock")


class HubError(TargetError):
    """The Hub could not give what was asked. `network` is True when it could not be reached."""

    def __init__(self, message: str, network: bool = False) -> None:
        super().__init__(message)
        self.network = network


def parse_target(target: str) -> tuple[str, str]:
    """`hf://owner/name` -> ("model", "owner/name"); `hf://datasets/owner/name` -> dataset."""
    match = _TARGET.match(target.strip())
    if not match:
        raise TargetError(
            f"{target}: not a Hub target; write hf://owner/name or hf://datasets/owner/name"
        )
    kind = "dataset" if match["type"] == "datasets" else "model"
    return kind, match["id"]


def describe(exc: BaseException, what: str) -> HubError:
    """A `HubError` saying in words what went wrong with `what` (a repository or a file)."""
    from huggingface_hub import errors

    if isinstance(exc, HubError):
        return exc
    if isinstance(exc, errors.OfflineModeIsEnabled):
        return HubError(
            f"{what}: cannot ask the Hub while HF_HUB_OFFLINE is set; unset it to go online",
            network=True,
        )
    if isinstance(exc, errors.GatedRepoError):
        return HubError(
            f"{what}: the repository is gated; accept its conditions on the Hub with your "
            "account, then log in (`hf auth login`) or set HF_TOKEN"
        )
    if isinstance(exc, errors.RepositoryNotFoundError):
        return HubError(
            f"{what}: no such repository on the Hub, or it is private and no token with access "
            "was given (log in with `hf auth login` or set HF_TOKEN)"
        )
    if isinstance(exc, errors.RevisionNotFoundError):
        return HubError(f"{what}: the revision does not exist in the repository")
    if isinstance(exc, errors.DisabledRepoError):
        return HubError(f"{what}: the repository has been disabled on the Hub")
    if isinstance(exc, errors.RemoteEntryNotFoundError):
        return HubError(f"{what}: the file is not in the repository")
    if isinstance(exc, errors.HfHubHTTPError):
        status = getattr(getattr(exc, "response", None), "status_code", None)
        if status == 429:
            return HubError(
                f"{what}: the Hub is rate-limiting requests (HTTP 429); wait a while and try "
                "again, or log in for a higher limit",
                network=True,
            )
        if status in (401, 403):
            return HubError(
                f"{what}: access denied (HTTP {status}); check that your token (`hf auth login` "
                "or HF_TOKEN) has read access to this repository"
            )
        if status is not None and status >= 500:
            return HubError(f"{what}: the Hub answered HTTP {status}; try again later", True)
        return HubError(f"{what}: the Hub answered HTTP {status}")
    from huggingface_hub import constants

    for httpx in _httpx_modules():
        if isinstance(exc, httpx.TimeoutException):
            return HubError(
                f"{what}: the Hub at {constants.ENDPOINT} did not answer in time "
                f"({type(exc).__name__}); try again later, or allow more seconds with "
                "HF_HUB_ETAG_TIMEOUT (listing) and HF_HUB_DOWNLOAD_TIMEOUT (files)",
                network=True,
            )
        if isinstance(exc, httpx.TooManyRedirects):
            return HubError(
                f"{what}: the Hub at {constants.ENDPOINT} redirected too many times (a redirect "
                "loop?); check HF_ENDPOINT and any proxy in between",
                network=True,
            )
        if isinstance(exc, httpx.RemoteProtocolError):
            # A body cut short of its Content-Length, or a connection closed with no answer.
            return HubError(
                f"{what}: the connection to the Hub at {constants.ENDPOINT} broke off before "
                f"the answer was complete ({exc or 'no answer'}); try again later",
                network=True,
            )
    if _is_network_error(exc):
        return HubError(
            f"{what}: cannot reach the Hub at {constants.ENDPOINT} ({type(exc).__name__}: "
            f"{exc or 'no answer'})",
            network=True,
        )
    return HubError(f"{what}: unexpected answer from the Hub ({type(exc).__name__}: {exc})")


def _httpx_modules() -> list[Any]:
    """The httpx flavours huggingface_hub may be using (2.x: httpx2; earlier: httpx)."""
    found = []
    for module in ("httpx2", "httpx"):
        try:
            found.append(__import__(module))
        except ImportError:
            continue
    return found


def _is_network_error(exc: BaseException) -> bool:
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return True
    return any(
        isinstance(exc, (httpx.TransportError, httpx.TimeoutException))
        for httpx in _httpx_modules()
    )


@dataclass(frozen=True)
class Listing:
    sha: str | None
    sizes: dict[str, int | None]


# A whole answer, status line and headers included, may take this many times the configured
# timeout. httpx's timeouts bound each read, not the answer: a server (or proxy) sending a byte
# now and then, in its headers or its body, would otherwise hold a run for hours. At the deadline
# a timer shuts down the request's socket (`_Deadline`), which wakes the blocked read at once.
DEADLINE_FACTOR = 3
# The listing is JSON naming every file; the largest repositories' listings are a few megabytes.
LISTING_MAX_BYTES = 64 * 1024 * 1024
# Enough of an error answer for huggingface_hub to read its message.
_ERROR_BODY_BYTES = 64 * 1024


class HubClient:
    """The few calls commonslint makes, with huggingface_hub's endpoint, timeouts and token.

    Every answer is streamed and read only up to a byte cap, within a deadline: a Hub (or a proxy)
    that answers slowly, trickles its headers or its body, sends too much, cuts an answer short,
    closes the connection or redirects in a loop costs a bounded time and memory and ends in a
    `HubError`.
    Timeouts: HF_HUB_ETAG_TIMEOUT (listing) and HF_HUB_DOWNLOAD_TIMEOUT (files), in seconds, as
    huggingface_hub reads them; each bounds a wait for bytes, and `DEADLINE_FACTOR` times it the
    whole answer, from the request to the body's last byte (redirects included): at the deadline
    the request's connection is shut down, so the request itself stops, wherever it was waiting.
    """

    def __init__(self) -> None:
        from huggingface_hub import constants

        self._info_timeout = float(constants.HF_HUB_ETAG_TIMEOUT)
        self._download_timeout = float(constants.HF_HUB_DOWNLOAD_TIMEOUT)

    def listing(self, kind: str, repo_id: str, revision: str | None, what: str) -> Listing:
        from urllib.parse import quote

        from huggingface_hub import constants

        # The request HfApi.repo_info(files_metadata=True) makes, read here so that it is capped
        # and has a deadline; only the commit and the files' names and sizes are used.
        url = f"{constants.ENDPOINT}/api/{kind}s/{repo_id}"
        if revision is not None:
            url += f"/revision/{quote(revision, safe='')}"
        body = self._get(url, {"blobs": "true"}, self._info_timeout, LISTING_MAX_BYTES, what)
        if len(body) > LISTING_MAX_BYTES:
            raise HubError(f"{what}: the Hub's listing is over {LISTING_MAX_BYTES} bytes")
        try:
            info = json.loads(body)
            siblings = info.get("siblings") or []
            sizes = {s["rfilename"]: s.get("size") for s in siblings}
            sha = info.get("sha")
        except (ValueError, AttributeError, TypeError, KeyError):
            raise HubError(f"{what}: the Hub's listing is not the JSON expected") from None
        if not all(
            isinstance(n, str) and (v is None or isinstance(v, int)) for n, v in sizes.items()
        ):
            raise HubError(f"{what}: the Hub's listing is not the JSON expected")
        return Listing(sha=sha if isinstance(sha, str) else None, sizes=sizes)

    def download(
        self,
        kind: str,
        repo_id: str,
        revision: str | None,
        path: str,
        what: str,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> bytes:
        """The file's bytes; more than `max_bytes` of them means it is larger (the rest unread)."""
        from huggingface_hub import hf_hub_url

        # A plain GET rather than hf_hub_download: the files are tiny, and linting someone else's
        # repository should not fill the user's cache.
        url = hf_hub_url(repo_id, path, repo_type=kind, revision=revision)
        return self._get(url, None, self._download_timeout, max_bytes, what)

    def _get(
        self, url: str, params: dict[str, str] | None, timeout: float, cap: int, what: str
    ) -> bytes:
        """GET `url` through huggingface_hub's session: at most `cap` + 1 bytes of the body."""
        from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status

        seconds = timeout * DEADLINE_FACTOR
        deadline = _Deadline(seconds)
        chunks: list[bytes] = []
        size = 0
        try:
            with (
                deadline,
                get_session().stream(
                    "GET",
                    url,
                    params=params,
                    headers=build_hf_headers(),
                    timeout=timeout,
                    extensions={"trace": deadline.trace},
                ) as response,
            ):
                deadline.seen(response)
                limit = cap + 1 if response.status_code < 400 else _ERROR_BODY_BYTES
                for chunk in response.iter_bytes():
                    chunks.append(chunk)
                    size += len(chunk)
                    if size >= limit:
                        break  # enough to know it is too large; the rest is never read
                    if time.monotonic() > deadline.at:
                        raise _DeadlinePassed
            body = b"".join(chunks)[:limit]
            if response.status_code >= 400:
                # huggingface_hub maps an error answer to its exception types from the headers
                # and body; give it a copy holding the (capped) body already read.
                headers = {
                    k: v
                    for k, v in response.headers.items()
                    if k.lower() not in ("content-length", "content-encoding", "transfer-encoding")
                }
                hf_raise_for_status(
                    type(response)(
                        response.status_code,
                        headers=headers,
                        content=body,
                        request=response.request,
                    )
                )
        except Exception as exc:  # every failure becomes a sentence, never a traceback
            if isinstance(exc, _DeadlinePassed) or (deadline.fired and _is_network_error(exc)):
                # The connection was shut down at the deadline: whatever broke, that is why.
                raise HubError(
                    f"{what}: the Hub took more than {seconds:g} s to send its answer; try again "
                    "later, or allow more time with HF_HUB_ETAG_TIMEOUT (listing) and "
                    "HF_HUB_DOWNLOAD_TIMEOUT (files)",
                    network=True,
                ) from None
            raise describe(exc, what) from None
        return body


class _DeadlinePassed(Exception):
    """Raised inside a request that goes on (a new connection, more body) past its deadline."""


# Every socket a Hub request of this process has used (weakly: the pool closes and drops them).
_SOCKETS: weakref.WeakSet[socket.socket] = weakref.WeakSet()
_SOCKETS_LOCK = threading.Lock()  # the timer thread lists them while a request may add one


class _Deadline:
    """Ends a request at its deadline by shutting down, from a timer thread, the socket it uses.

    httpx gives no way to cancel a blocked read, but a read blocked on a socket that is shut down
    returns at once (end of file), which httpx reports as a broken connection: the request stops
    in its own thread, wherever it was (connecting, headers, body), and its connection is dropped.
    The socket is learnt from httpcore's "trace" request extension: its connect (and TLS) events
    hand over the new connection's stream. A request on a kept-alive connection from the pool
    gets no such event; then every socket this process's Hub requests have used is shut down:
    commonslint makes them one at a time, so the others are idle in the pool, which replaces them.
    The timer is a daemon thread, cancelled when the request ends: it never delays the exit.
    """

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds
        self.fired = False
        self._lock = threading.Lock()
        self._connected: socket.socket | None = None  # opened for the hop about to be sent
        self._current: socket.socket | None = None  # the hop in flight's; None: from the pool
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def trace(self, event: str, info: dict[str, Any]) -> None:
        """httpcore's trace callback: note the socket of each connection the request opens."""
        if self.fired and event.endswith((".connect_tcp.started", ".send_request_headers.started")):
            # A new connection or hop after the deadline: go no further. (Only there: raising in
            # the events of a request's clean-up would leave its connection half-closed.)
            raise _DeadlinePassed
        if event.endswith(
            (".connect_tcp.complete", ".connect_unix_socket.complete", ".start_tls.complete")
        ):
            sock = _socket_of(info.get("return_value"))
            with self._lock:
                self._connected = sock
        elif event.endswith(".send_request_headers.started"):
            with self._lock:
                self._current, self._connected = self._connected, None

    def seen(self, response: Any) -> None:
        """Note the socket an answer came on, so that its reuse from the pool can be ended too."""
        _socket_of(response.extensions.get("network_stream"))

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            targets = [s for s in (self._connected, self._current) if s is not None]
        if not targets:  # connecting, or on a connection from the pool: end them all
            with _SOCKETS_LOCK:
                targets = list(_SOCKETS)
        for sock in targets:
            # socket.socket's own shutdown, also for a TLS socket: SSLSocket.shutdown would
            # unwrap it under the reading thread's feet. OSError: it is closed already.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _socket_of(stream: Any) -> socket.socket | None:
    """The socket under an httpcore network stream (noted in `_SOCKETS`), or None."""
    get = getattr(stream, "get_extra_info", None)
    sock = get("socket") if get is not None else None
    if isinstance(sock, socket.socket):
        with _SOCKETS_LOCK:
            _SOCKETS.add(sock)
        return sock
    return None


class HubRepo(Repo):
    """A repository on the Hub, seen through its listing and a few small text files."""

    def __init__(
        self, target: str, revision: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
    ) -> None:
        kind, repo_id = parse_target(target)
        display = f"hf://datasets/{repo_id}" if kind == "dataset" else f"hf://{repo_id}"
        super().__init__(display=display, kind=kind, max_bytes=max_bytes)
        self.repo_id = repo_id
        self.revision = revision
        self.online = True
        self.client = HubClient()
        what = display + (f" at revision {revision}" if revision else "")
        self.listing = self.client.listing(kind, repo_id, revision, what)
        # Pin every download to the commit the listing came from.
        self.commit = self.listing.sha or revision

    def files(self) -> list[str]:
        return sorted(self.listing.sizes)

    def _read(self, path: str) -> ReadResult:
        if path not in self.listing.sizes:
            return ReadResult(error="does not exist")
        if is_weight_file(path):
            return ReadResult(error="is a weight or archive file, which commonslint never opens")
        name = path.rsplit("/", 1)[-1].lower()
        suffix = name[name.rfind(".") :] if "." in name else ""
        if suffix not in _TEXT_SUFFIXES:
            return ReadResult(error="is not a text file the rules read")
        size = self.listing.sizes[path]
        if size is not None and size > self.max_bytes:
            return ReadResult(error=f"is too large ({size} bytes; the cap is {self.max_bytes})")
        data = self.client.download(
            self.kind or "model", self.repo_id, self.commit, path, self.show(path), self.max_bytes
        )
        if len(data) > self.max_bytes:
            return ReadResult(error=f"is too large (over {self.max_bytes} bytes)")
        return decode_text(data)


def fetch_parent_card(client: HubClient, kind: str, repo_id: str) -> tuple[Listing, str | None]:
    """A parent's listing and its README.md text (None when it has none or it is not text)."""
    prefix = "datasets/" if kind == "dataset" else ""
    what = f"hf://{prefix}{repo_id}"
    listing = client.listing(kind, repo_id, None, what)
    if "README.md" not in listing.sizes:
        return listing, None
    size = listing.sizes["README.md"]
    if size is not None and size > DEFAULT_MAX_BYTES:
        return listing, None
    data = client.download(kind, repo_id, listing.sha, "README.md", f"{what}/README.md")
    if len(data) > DEFAULT_MAX_BYTES:  # larger than listed: its first part is not the card
        return listing, None
    return listing, decode_text(data).text


def hub_url(kind: str, repo_id: str) -> str:
    from huggingface_hub import constants

    prefix = "datasets/" if kind == "dataset" else ""
    return f"{constants.ENDPOINT}/{prefix}{repo_id}"
