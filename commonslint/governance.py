"""Community files: code of conduct, contributing guide and the like.

GitHub looks for community health files at the root, in `docs/` and in `.github/` (github/docs
"Creating a default community health file"); hub-docs has no such convention for Hub repositories,
so findings built on these facts are commons policy, not Hub rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

COMMUNITY_FOLDERS = ("", "docs/", ".github/")
_EXTENSIONS = ("", ".md", ".markdown", ".txt", ".rst")
# Template fields left unfilled: Contributor Covenant 1.4 "[INSERT EMAIL ADDRESS]",
# 2.x "[INSERT CONTACT METHOD]", and the like in other templates.
_PLACEHOLDER = re.compile(
    r"\[\s*(INSERT[^\]\n]{0,60}|YOUR[ _][^\]\n]{0,40}|PROJECT[ _]?(NAME|EMAIL|E-MAIL)[^\]\n]{0,20}|"
    r"EMAIL ADDRESS|CONTACT METHOD|project e-?mail)\s*\]",
    re.IGNORECASE,
)


def _stem_matches(path: str, stem: str) -> bool:
    # Plain string work, not PurePosixPath: this runs for every file of the repository.
    folder, _, name = path.rpartition("/")
    if (folder + "/" if folder else "") not in COMMUNITY_FOLDERS:
        return False
    names = _NAMES.get(stem)
    if names is None:
        names = _NAMES[stem] = frozenset(stem + ext for ext in _EXTENSIONS)
    return name.lower().replace("-", "_") in names


_NAMES: dict[str, frozenset[str]] = {}  # stem -> the file names it matches


def find_community_file(files: Iterable[str], stem: str) -> str | None:
    """The first file named like `stem` (case-insensitive) at the root, docs/ or .github/."""
    matches = [f for f in files if _stem_matches(f, stem)]
    if not matches:
        return None
    return min(matches, key=lambda f: (f.count("/"), f))


STEMS = ("code_of_conduct", "contributing", "security", "governance")
# File name (lower case, `-` as `_`) -> the stem it is named for; no name is two stems'.
_STEM_OF: dict[str, str] = {stem + ext: stem for stem in STEMS for ext in _EXTENSIONS}


def find_community_files(files: Iterable[str]) -> dict[str, str | None]:
    """`find_community_file` for every stem in `STEMS`, in one pass over the files."""
    found: dict[str, str | None] = {
        "code_of_conduct": None,
        "contributing": None,
        "security": None,
        "governance": None,
    }
    for path in files:
        if path[:1] not in _FIRST:
            continue  # README.md, config.json, model.safetensors...: no folder nor stem of ours
        folder, _, name = path.rpartition("/")
        stem = _STEM_OF.get(name.lower().replace("-", "_"))
        if stem is None or (folder and folder + "/" not in COMMUNITY_FOLDERS):
            continue
        best = found[stem]
        if best is None or (path.count("/"), path) < (best.count("/"), best):
            found[stem] = path
    return found


# The first character of any path `find_community_files` can keep: a stem's (either case), a
# folder's, or the `/` of "/NAME" (whose folder part is empty). A quick test that passes over
# most files.
_FIRST = frozenset(
    [
        *(c for stem in STEMS for c in (stem[0], stem[0].upper())),
        *(folder[0] for folder in COMMUNITY_FOLDERS if folder),
        "/",
    ]
)


@dataclass
class CommunityFile:
    path: str | None = None
    status: str = "missing"  # "missing" | "ok" | "empty" | "template" | "unreadable"
    placeholders: list[str] = field(default_factory=list)
    placeholder_line: int = 0


def code_of_conduct_status(path: str | None, text: str | None) -> CommunityFile:
    found = CommunityFile(path=path)
    if path is None:
        return found
    if text is None:
        found.status = "unreadable"
        return found
    if not text.strip():
        found.status = "empty"
        return found
    placeholders = [m.group(0) for m in _PLACEHOLDER.finditer(text)]
    if placeholders:
        found.status = "template"
        found.placeholders = sorted(set(placeholders))
        first = _PLACEHOLDER.search(text)
        found.placeholder_line = text.count("\n", 0, first.start()) + 1 if first else 0
        return found
    found.status = "ok"
    return found
