"""A snapshot folder of the local Hugging Face cache, as a repository view."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from commonslint.sources import LocalRepo


class SnapshotRepo(LocalRepo):
    """A snapshot folder of the Hugging Face cache: its files are links into the repository's
    `blobs/` folder, which count as inside the repository (and nothing else outside does)."""

    def __init__(self, root: Path, blobs: str, **kwargs: Any) -> None:
        super().__init__(root, "", **kwargs)
        self._real_blobs = os.path.realpath(blobs)

    def _inside(self, real: str) -> bool:
        return super()._inside(real) or real.startswith(self._real_blobs + os.sep)
