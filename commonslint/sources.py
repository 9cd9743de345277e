"""Sources turn a target into a repository view: a list of files and bounded, safe reads.

Every later stage sees only `Repo`, so rules work the same on a local folder and on the Hub.
The local view never follows a link out of the root, never opens a weight file, never blocks
on a FIFO or device, and never reads more than a byte cap.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

# Weight and archive formats are never opened, whatever their size: a linter has no business
# paging gigabytes through the cache on every commit.
WEIGHT_SUFFIXES = frozenset(
    {
        ".safetensors",
        ".bin",
        ".gguf",
        ".ggml",
        ".pt",
        ".pth",
        ".ckpt",
        ".h5",
        ".hdf5",
        ".onnx",
        ".msgpack",
        ".tflite",
        ".pb",
        ".npz",
        ".npy",
        ".pkl",
        ".pickle",
        ".joblib",
        ".mlmodel",
        ".engine",
        ".nemo",
        ".keras",
        ".zip",
        ".tar",
        ".gz",
        ".bz2",
        ".xz",
        ".7z",
        ".zst",
        ".parquet",
        ".arrow",
        ".model",
        ".ot",
        ".mar",
        ".llamafile",
    }
)
# Folders that never hold files the rules read, and may hold very many files.
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "__pycache__",
        ".venv",
        "venv",
        ".cache",
        ".ruff_cache",
        ".pytest_cache",
        ".mypy_cache",
        ".tox",
    }
)
DEFAULT_MAX_BYTES = 2 * 1024 * 1024
MAX_LISTED_FILES = 20_000
MAX_DEPTH = 6


@dataclass(frozen=True)
class ReadResult:
    """The text of a file, or why it could not be had. Exactly one of text/error is set."""

    text: str | None = None
    error: str | None = None


@dataclass
class Repo:
    """A repository view. Paths are POSIX, relative to the root."""

    display: str  # how paths are shown: "" for the current folder, "examples/good", "hf://o/n"
    kind: str | None = None  # "model" / "dataset" when the target says so
    max_bytes: int = DEFAULT_MAX_BYTES
    card_path: str = "README.md"
    # True when only the card is known (a card from a corpus file): rules about the presence of
    # other files then have nothing to look at, and must not report them as missing.
    card_only: bool = False
    # May facts that need the Hub (a parent's licence) ask it? Only on request (`--online`).
    online: bool = False
    skipped: dict[str, str] = field(default_factory=dict)  # path -> why it was not listed
    _cache: dict[str, ReadResult] = field(default_factory=dict, repr=False)

    def files(self) -> list[str]:
        raise NotImplementedError

    def _read(self, path: str) -> ReadResult:
        raise NotImplementedError

    def read_text(self, path: str) -> ReadResult:
        if path not in self._cache:
            self._cache[path] = self._read(path)
        return self._cache[path]

    def exists(self, path: str) -> bool:
        return path in self.file_set()

    def file_set(self) -> frozenset[str]:
        cached = getattr(self, "_file_set", None)
        if cached is None:
            cached = frozenset(self.files())
            self._file_set = cached
        return cached

    def show(self, path: str) -> str:
        """The path as a user should see it in a finding."""
        if not self.display:
            return path
        return f"{self.display.rstrip('/')}/{path}" if path else self.display


_WEIGHT_SUFFIX_TUPLE = tuple(WEIGHT_SUFFIXES)


def is_weight_file(path: str) -> bool:
    return path.rpartition("/")[2].lower().endswith(_WEIGHT_SUFFIX_TUPLE)


def decode_text(data: bytes) -> ReadResult:
    """Decode bytes as the Hub does (UTF-8), saying plainly what is wrong when it is not text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ReadResult(error="is UTF-16 text; the Hub reads cards and licence files as UTF-8")
    if b"\x00" in data:
        return ReadResult(error=f"holds NUL bytes (first at byte {data.index(0)}): not a text file")
    try:
        return ReadResult(text=data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return ReadResult(error=f"is not valid UTF-8 (byte {exc.start}: {exc.reason})")


def _broken_link(path: str) -> str:
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "is a link loop (it leads back to itself)"
    return "is a broken link"


class LocalRepo(Repo):
    """A folder on disk."""

    def __init__(self, root: Path, display: str, **kwargs: object) -> None:
        super().__init__(display=display, **kwargs)  # type: ignore[arg-type]
        self.root = root
        self._real_root = os.path.realpath(root)
        self._listing: list[str] | None = None

    def _inside(self, real: str) -> bool:
        return real == self._real_root or real.startswith(self._real_root + os.sep)

    def files(self) -> list[str]:
        if self._listing is None:
            self._listing = sorted(self._walk())
        return self._listing

    def _walk(self) -> list[str]:
        found: list[str] = []
        stack: list[tuple[str, str, int]] = [(str(self.root), "", 0)]
        while stack:
            folder, prefix, depth = stack.pop()
            try:
                entries = list(os.scandir(folder))
            except OSError as exc:
                self.skipped[prefix or "."] = f"cannot be listed ({exc.strerror})"
                continue
            for entry in entries:
                rel = f"{prefix}{entry.name}"
                try:
                    if entry.is_symlink():
                        # A link is listed only if it resolves inside the root; a link to a
                        # folder is never descended, so link loops cannot trap the walk.
                        real = os.path.realpath(entry.path)
                        if not self._inside(real):
                            self.skipped[rel] = "is a link to a place outside the repository"
                            continue
                        if os.path.isdir(real):
                            continue
                        if not os.path.exists(real):
                            self.skipped[rel] = _broken_link(entry.path)
                            continue
                        found.append(rel)
                    elif entry.is_dir(follow_symlinks=False):
                        if entry.name in SKIP_DIRS or depth + 1 > MAX_DEPTH:
                            continue
                        stack.append((entry.path, rel + "/", depth + 1))
                    else:
                        found.append(rel)
                except OSError as exc:
                    self.skipped[rel] = f"cannot be examined ({exc.strerror})"
                if len(found) >= MAX_LISTED_FILES:
                    self.skipped["."] = (
                        f"has more than {MAX_LISTED_FILES} files; the rest were not listed"
                    )
                    return found
        return found

    def _read(self, path: str) -> ReadResult:
        if is_weight_file(path):
            return ReadResult(error="is a weight or archive file, which commonslint never opens")
        full = os.path.join(self.root, *path.split("/"))
        try:
            real = os.path.realpath(full)
            if not self._inside(real):
                return ReadResult(error="is a link to a place outside the repository")
            info = os.stat(real)
            if stat.S_ISDIR(info.st_mode):
                return ReadResult(error="is a folder, not a file")
            if not stat.S_ISREG(info.st_mode):
                return ReadResult(error="is not a regular file (a FIFO, socket or device)")
            if info.st_size > self.max_bytes:
                return ReadResult(
                    error=f"is too large ({info.st_size} bytes; the cap is {self.max_bytes})"
                )
            # O_NONBLOCK: if the file was swapped for a FIFO after the stat, open must not hang.
            fd = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
            try:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    return ReadResult(error="is not a regular file (a FIFO, socket or device)")
                chunks: list[bytes] = []
                size = 0
                while size <= self.max_bytes:
                    chunk = os.read(fd, 1 << 20)
                    if not chunk:
                        break
                    chunks.append(chunk)
                    size += len(chunk)
            finally:
                os.close(fd)
        except PermissionError:
            return ReadResult(error="cannot be read (permission denied)")
        except FileNotFoundError:
            return ReadResult(error="does not exist")
        except OSError as exc:
            return ReadResult(error=f"cannot be read ({exc.strerror or exc})")
        data = b"".join(chunks)
        if len(data) > self.max_bytes:
            return ReadResult(error=f"is too large (over {self.max_bytes} bytes)")
        return decode_text(data)


class TargetError(Exception):
    """A target that cannot be linted at all (exit 2)."""


def display_for(path: Path) -> str:
    """Show paths relative to the current folder when the target is inside it, as ruff does."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    if rel == ".":
        return ""
    if rel.startswith(".."):
        return str(path)
    return Path(rel).as_posix()


def open_local(target: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Repo:
    """A folder, or a card file (its folder is the repository, the file is the card)."""
    path = Path(target)
    if not path.exists() and not path.is_symlink():
        raise TargetError(f"{target}: no such file or folder")
    if path.is_dir():
        return LocalRepo(path, display_for(path), max_bytes=max_bytes)
    if path.is_file() or path.is_symlink():
        root = path.parent
        repo = LocalRepo(root, display_for(root), max_bytes=max_bytes)
        repo.card_path = path.name
        return repo
    raise TargetError(f"{target}: not a folder or a regular file")


class MemoryRepo(Repo):
    """A repository held in memory (a card from a JSON Lines corpus, a test fixture)."""

    def __init__(
        self,
        files: dict[str, str | bytes],
        display: str = "",
        *,
        card_only: bool = False,
        **kwargs: object,
    ) -> None:
        if kwargs:
            super().__init__(display=display, card_only=card_only, **kwargs)  # type: ignore[arg-type]
        else:
            # `Repo`'s generated `__init__` with its defaults, written out: a bulk lint makes
            # one of these per card, and the generic call costs ~0.4 us more.
            # tests/test_memory_repo.py checks it against the generated one.
            self.display = display
            self.kind = None
            self.max_bytes = DEFAULT_MAX_BYTES
            self.card_path = "README.md"
            self.card_only = card_only
            self.online = False
            self.skipped = {}
            self._cache = {}
        self._files = dict(files)

    def files(self) -> list[str]:
        return sorted(self._files)

    def _read(self, path: str) -> ReadResult:
        if path not in self._files:
            return ReadResult(error="does not exist")
        if is_weight_file(path):
            return ReadResult(error="is a weight or archive file, which commonslint never opens")
        content = self._files[path]
        if (
            isinstance(content, str)
            and content.isascii()
            and len(content) <= self.max_bytes
            and "\x00" not in content
        ):
            # ASCII text is its own UTF-8: encoding and decoding it again would give it back.
            return ReadResult(text=content)
        if isinstance(content, str) and "\x00" not in content:
            try:
                size = len(content.encode("utf-8"))
            except UnicodeEncodeError:
                pass  # a lone surrogate: `decode_text` below says what is wrong
            else:
                # It encodes strictly, so it holds no surrogate, and its UTF-8 (which never
                # starts with a UTF-16 byte-order mark and holds no NUL) decodes back to it.
                if size <= self.max_bytes:
                    return ReadResult(text=content)
        data = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
        if len(data) > self.max_bytes:
            return ReadResult(
                error=f"is too large ({len(data)} bytes; the cap is {self.max_bytes})"
            )
        return decode_text(data)
