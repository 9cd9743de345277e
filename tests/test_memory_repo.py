"""`MemoryRepo.__init__` writes `Repo`'s fields out for the common calls (no option but
`card_only`); it must give what the dataclass's generated `__init__` gives."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from commonslint.sources import MemoryRepo, Repo

CALLS: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    (({"README.md": "x"},), {}),
    (({"README.md": "x"},), {"card_only": True}),
    (({"README.md": "x"}, "hf://o/n"), {"card_only": False}),
    (({"README.md": b"y", "LICENSE": "z"},), {"display": "d", "card_only": True}),
    (({},), {"kind": "dataset", "card_only": True}),
    (({},), {"max_bytes": 3, "online": True, "card_path": "MODEL.md"}),
]


def _reference(files: dict[str, Any], display: str = "", **kwargs: Any) -> MemoryRepo:
    """`MemoryRepo` as it was: the generated `Repo.__init__`, then the files."""
    repo = MemoryRepo.__new__(MemoryRepo)
    Repo.__init__(repo, display=display, **kwargs)
    repo._files = dict(files)
    return repo


@pytest.mark.parametrize(("args", "kwargs"), CALLS)
def test_memory_repo_matches_the_generated_init(
    args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    got = MemoryRepo(*args, **kwargs)
    expected = _reference(*args, **kwargs)
    assert vars(got) == vars(expected)
    assert list(vars(got)) == list(vars(expected))  # the same order too
    assert got == expected
    # Fresh containers: two repositories never share their caches.
    other = MemoryRepo(*args, **kwargs)
    assert other._cache is not got._cache and other.skipped is not got.skipped
    assert other._files is not got._files


def test_memory_repo_writes_every_field() -> None:
    """A field added to `Repo` must be added to `MemoryRepo.__init__`'s fast branch too."""
    fields = [f.name for f in dataclasses.fields(Repo)]
    assert list(vars(MemoryRepo({}))) == [*fields, "_files"]


def test_memory_repo_refuses_what_repo_refuses() -> None:
    with pytest.raises(TypeError):
        MemoryRepo({}, "", True)  # type: ignore[misc]
    with pytest.raises(TypeError):
        MemoryRepo({}, no_such_option=1)
