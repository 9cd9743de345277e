"""A facts dict some of whose values are worked out when first read.

Some facts cost a search of the whole card and are read by no built-in rule on most cards: the
emissions unit in the card's text, when the card gives no `co2_eq_emissions` (a rule pack of
one's own may still read it). `LazyFacts` holds such a value as pending, and works it out on
the first read that reaches it, so the facts stay the same for every reader and cost nothing
for the rules that never look.

It is a `dict` to every reader: its keys are all there from the start, in the order the eager
dict would have them; every way of reading a value (`[]`, `get`, `values`, `items`, iteration
into another dict, `==`, `repr`, JSON, `copy`, `pickle`) goes through `__getitem__` or first
works out all pending values. Copies and pickles are plain dicts. tests/test_lazyfacts.py holds
it to the dict it stands for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

# The value of a key whose value is not worked out yet.
PENDING: Any = type("_Pending", (), {"__repr__": lambda self: "PENDING"})()


class LazyFacts(dict):  # type: ignore[type-arg]
    """`items` with the keys whose value is `PENDING` given by `settle()`, called once, on the
    first read of any of them (or of all values). A pending key given a value by hand keeps it."""

    __slots__ = ("_settle",)

    def __init__(self, items: dict[str, Any], settle: Callable[[], dict[str, Any]]) -> None:
        dict.__init__(self, items)
        self._settle: Callable[[], dict[str, Any]] | None = settle

    def _settled(self) -> None:
        settle = self._settle
        if settle is None:
            return
        self._settle = None
        get = dict.get
        for key, value in settle().items():
            if get(self, key) is PENDING:
                dict.__setitem__(self, key, value)

    def __getitem__(self, key: Any) -> Any:
        value = dict.__getitem__(self, key)
        if value is PENDING:
            self._settled()
            value = dict.__getitem__(self, key)
        return value

    def get(self, key: Any, default: Any = None) -> Any:
        return self[key] if key in self else default  # noqa: SIM401 - `get` is this method

    # Every other read of values: work them all out, then read as a dict.
    def values(self) -> Any:
        self._settled()
        return dict.values(self)

    def items(self) -> Any:
        self._settled()
        return dict.items(self)

    def __iter__(self) -> Iterator[Any]:
        # Defined so that `dict(x)`, `{**x}` and `f(**x)` read through `keys` and
        # `__getitem__`: for a dict subclass that keeps dict's own `__iter__`, CPython copies
        # the stored values, pending ones included.
        return dict.__iter__(self)

    def __eq__(self, other: object) -> bool:
        self._settled()
        if isinstance(other, LazyFacts):
            other._settled()
        return dict.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        self._settled()
        return dict.__repr__(self)

    def copy(self) -> dict[str, Any]:
        self._settled()
        return dict(dict.items(self))

    def __or__(self, other: Any) -> Any:
        return self.copy() | other

    def __ror__(self, other: Any) -> Any:
        return other | self.copy()

    def pop(self, key: Any, *default: Any) -> Any:
        self._settled()
        return dict.pop(self, key, *default)

    def popitem(self) -> tuple[Any, Any]:
        self._settled()
        return dict.popitem(self)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        self._settled()
        return dict.setdefault(self, key, default)

    def __reduce__(self) -> tuple[Any, ...]:
        # `copy`, `deepcopy` and `pickle` make a plain dict: the function is not data.
        return (dict, (self.copy(),))

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        return self.__reduce__()
