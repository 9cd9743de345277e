"""Hub access: `hf://owner/name` targets (`HubRepo`), and parents' cards for lineage look-ups.

Everything here goes through `huggingface_hub` (its endpoint, token, offline switch, user agent
and error types), imported only when this module is used: a local lint never loads it.
Only the repository's listing and the small text files the rules read are fetched; weight files
never are, and every file has a byte cap. Every failure becomes a `HubError` with a sentence a
person can act on (gated, private or missing, unknown revision, rate limit, network), which the
command line prints before exiting 2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
    if _is_network_error(exc):
        from huggingface_hub import constants

        return HubError(
            f"{what}: cannot reach the Hub at {constants.ENDPOINT} ({type(exc).__name__}: "
            f"{exc or 'no answer'})",
            network=True,
        )
    return HubError(f"{what}: unexpected answer from the Hub ({type(exc).__name__}: {exc})")


def _is_network_error(exc: BaseException) -> bool:
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return True
    for module in ("httpx2", "httpx"):
        try:
            httpx = __import__(module)
        except ImportError:
            continue
        if isinstance(exc, (httpx.TransportError, httpx.TimeoutException)):
            return True
    return False


@dataclass(frozen=True)
class Listing:
    sha: str | None
    sizes: dict[str, int | None]


class HubClient:
    """The few calls commonslint makes, with huggingface_hub's timeouts and token."""

    def __init__(self) -> None:
        from huggingface_hub import HfApi, constants

        self._api = HfApi()
        self._info_timeout = float(constants.HF_HUB_ETAG_TIMEOUT)
        self._download_timeout = float(constants.HF_HUB_DOWNLOAD_TIMEOUT)

    def listing(self, kind: str, repo_id: str, revision: str | None, what: str) -> Listing:
        try:
            info = self._api.repo_info(
                repo_id,
                repo_type=kind,
                revision=revision,
                files_metadata=True,
                timeout=self._info_timeout,
            )
        except Exception as exc:  # every failure becomes a sentence, never a traceback
            raise describe(exc, what) from None
        siblings = getattr(info, "siblings", None) or []
        return Listing(
            sha=getattr(info, "sha", None),
            sizes={s.rfilename: getattr(s, "size", None) for s in siblings},
        )

    def download(
        self, kind: str, repo_id: str, revision: str | None, path: str, what: str
    ) -> bytes:
        from huggingface_hub import hf_hub_url
        from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status

        # A plain GET through huggingface_hub's session rather than hf_hub_download: the files are
        # tiny, and linting someone else's repository should not fill the user's cache.
        url = hf_hub_url(repo_id, path, repo_type=kind, revision=revision)
        try:
            response = get_session().get(
                url, headers=build_hf_headers(), timeout=self._download_timeout
            )
            hf_raise_for_status(response)
        except Exception as exc:
            raise describe(exc, what) from None
        return response.content


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
            self.kind or "model", self.repo_id, self.commit, path, self.show(path)
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
    return listing, decode_text(data[:DEFAULT_MAX_BYTES]).text


def hub_url(kind: str, repo_id: str) -> str:
    from huggingface_hub import constants

    prefix = "datasets/" if kind == "dataset" else ""
    return f"{constants.ENDPOINT}/{prefix}{repo_id}"
