"""File-name checks that skip pathlib for root files give pathlib's answers."""

from __future__ import annotations

from pathlib import PurePosixPath

from hypothesis import given, settings
from hypothesis import strategies as st

from commonslint import governance
from commonslint.facts import _LICENCE_NAME, licence_file_kind

_NAMES = st.lists(
    st.sampled_from(
        [
            *("LICENSE", "licence", "COPYING", "NOTICE", "use_policy", "code_of_conduct"),
            *("CODE-OF-", "CONDUCT", "contributing", "security", ".md", ".txt", "-CODE", "."),
            *("/", "docs", "x", ".github", "LICENSES", "README", ""),
        ]
    ),
    max_size=5,
).map("".join)


def _pathlib_kind(path: str) -> str | None:
    """`licence_file_kind` as it was, always through PurePosixPath."""
    pure = PurePosixPath(path)
    folder = str(pure.parent)
    if folder not in (".", "LICENSES", "licenses"):
        return None
    if folder != "." or _LICENCE_NAME.match(pure.name):
        lowered = pure.name.lower()
        if lowered.startswith("notice"):
            return "notice"
        if "policy" in lowered:
            return "use-policy"
        return "licence"
    return None


@settings(max_examples=400, deadline=None)
@given(_NAMES)
def test_licence_file_kind_matches_pathlib(path: str) -> None:
    assert licence_file_kind(path) == _pathlib_kind(path)


@settings(max_examples=400, deadline=None)
@given(_NAMES)
def test_community_stems_match_any_extension(path: str) -> None:
    for stem in ("code_of_conduct", "contributing", "security", "governance"):
        folder, _, name = path.rpartition("/")
        expected = (folder + "/" if folder else "") in governance.COMMUNITY_FOLDERS and any(
            name.lower().replace("-", "_") == stem + ext for ext in governance._EXTENSIONS
        )
        assert governance._stem_matches(path, stem) == expected


def test_dataset_heading_alone_makes_a_dataset() -> None:
    from commonslint.facts import compute
    from commonslint.sources import MemoryRepo

    def kind(card: str) -> str:
        return compute(MemoryRepo({"README.md": card}, card_only=True))[0]["card"]["kind"]

    assert kind("---\nlicense: mit\n---\nintro\n#  Dataset Card for x\n") == "dataset"
    assert kind("---\nlicense: mit\n---\n# dataset card for x\n") == "model"  # case-sensitive
    assert kind("---\nlicense: mit\n---\nthe Dataset Card below\n") == "model"
