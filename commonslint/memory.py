"""A repository view held in memory: a card from a JSON Lines or Parquet record is a repository
with one file, linted by the same `Linter.lint` as a folder on disk."""

from __future__ import annotations

from collections.abc import Mapping

from commonslint.sources import DEFAULT_MAX_BYTES, ReadResult, Repo, decode_text, is_weight_file


class MemoryRepo(Repo):
    """Files given as {POSIX path: text or bytes}; bytes are decoded as the Hub does (UTF-8)."""

    def __init__(
        self,
        files: Mapping[str, str | bytes],
        display: str = "",
        max_bytes: int = DEFAULT_MAX_BYTES,
        kind: str | None = None,
    ) -> None:
        super().__init__(display=display, kind=kind, max_bytes=max_bytes)
        self._files = dict(files)
        self._listing = sorted(self._files)

    def files(self) -> list[str]:
        return self._listing

    def _read(self, path: str) -> ReadResult:
        if path not in self._files:
            return ReadResult(error="does not exist")
        if is_weight_file(path):
            return ReadResult(error="is a weight or archive file, which commonslint never opens")
        content = self._files[path]
        if isinstance(content, str):
            # The cap is on bytes, as for a file on disk; a str is at most 4 bytes a character.
            if len(content) * 4 > self.max_bytes and len(content.encode()) > self.max_bytes:
                return ReadResult(error=f"is too large (over {self.max_bytes} bytes)")
            return ReadResult(text=content)
        if len(content) > self.max_bytes:
            return ReadResult(
                error=f"is too large ({len(content)} bytes; the cap is {self.max_bytes})"
            )
        return decode_text(bytes(content))
