"""`Location`, `Fix` and `Finding` write their fields in a hand-written `__init__` (for speed):
each must take the same arguments and build the same value as the dataclass-generated one."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
from typing import Any

import pytest

from commonslint.findings import Finding, Fix, Location, Severity


def _copy_fields(cls: type) -> list[tuple[str, Any, dataclasses.Field[Any]]]:
    out = []
    for f in dataclasses.fields(cls):
        new = dataclasses.field(default=f.default, compare=f.compare)
        out.append((f.name, f.type, new))
    return out


LOCATION = Location("README.md", 3, 2, 4, 5)
FIX = Fix("README.md", 1, 2, "x", "fixer", "why", True)
ARGUMENTS: list[tuple[type, tuple[Any, ...], dict[str, Any]]] = [
    (Location, ("README.md",), {}),
    (Location, ("README.md", 3, 2, 4, 5), {}),
    (Location, ("a",), {"end_column": 7, "line": 2}),
    (Fix, ("p", 1, 2, "t", "f"), {}),
    (Fix, ("p", 1, 2, "t", "f", "d", True), {}),
    (Fix, (), {"path": "p", "start": 0, "end": 0, "text": "", "fixer": "f", "create": True}),
    (Finding, ("CL1", "name", Severity.ERROR, "message", LOCATION), {}),
    (Finding, ("CL1", "name", Severity.INFO, "m", LOCATION, FIX), {}),
    (Finding, ("CL2", "n", Severity.WARNING, "m"), {"location": LOCATION, "fix": None}),
]


@pytest.mark.parametrize("cls", [Location, Fix, Finding])
def test_same_signature_as_generated(cls: type) -> None:
    reference = dataclasses.make_dataclass(
        "Reference", _copy_fields(cls), frozen=True, order=cls is Location
    )
    ours, theirs = inspect.signature(cls).parameters, inspect.signature(reference).parameters
    assert [(p.name, p.kind, p.default) for p in ours.values()] == [
        (p.name, p.kind, p.default) for p in theirs.values()
    ]


@pytest.mark.parametrize(("cls", "args", "kwargs"), ARGUMENTS)
def test_same_value_as_generated(cls: type, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    reference = dataclasses.make_dataclass(
        cls.__name__, _copy_fields(cls), frozen=True, order=cls is Location
    )
    value, expected = cls(*args, **kwargs), reference(*args, **kwargs)
    assert vars(value) == vars(expected)
    assert list(vars(value)) == list(vars(expected))  # same order, so the same repr
    assert repr(value) == repr(expected)
    assert dataclasses.asdict(value) == dataclasses.asdict(expected)
    assert dataclasses.astuple(value) == dataclasses.astuple(expected)
    assert value == cls(*args, **kwargs)
    assert hash(value) == hash(cls(*args, **kwargs))
    assert pickle.loads(pickle.dumps(value)) == value
    assert copy.deepcopy(value) == value
    assert dataclasses.replace(value) == value
    with pytest.raises(dataclasses.FrozenInstanceError):
        value.path = "other"  # type: ignore[misc]


def test_missing_or_extra_arguments_fail_as_generated() -> None:
    with pytest.raises(TypeError):
        Location()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Fix("p", 1, 2, "t")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Location("p", nope=1)  # type: ignore[call-arg]


def test_order_equality_and_fix_not_compared() -> None:
    assert Location("a", 2) < Location("a", 10) < Location("b", 1)
    one = Finding("CL1", "n", Severity.ERROR, "m", LOCATION, FIX)
    assert one == Finding("CL1", "n", Severity.ERROR, "m", LOCATION, None)
    assert hash(one) == hash(Finding("CL1", "n", Severity.ERROR, "m", LOCATION, None))
    assert one != Finding("CL1", "n", Severity.WARNING, "m", LOCATION, FIX)


def expected_key(f: Finding) -> tuple[object, ...]:
    return (f.location.path, f.location.line, f.location.column, f.code, f.message)


def test_sort_findings_sorts_by_sort_key_stably() -> None:
    import random

    from commonslint.findings import sort_findings

    rng = random.Random(7)
    findings = [
        Finding(
            rng.choice(["CL1", "CL2"]),
            str(i),  # ties on the sort key keep their order: names tell them apart
            Severity.INFO,
            rng.choice(["a", "b"]),
            Location(rng.choice(["A.md", "B.md"]), rng.randint(1, 3), rng.randint(1, 2)),
        )
        for i in range(300)
    ]
    expected = sorted(
        findings,
        key=expected_key,
    )
    assert all(f.sort_key() == expected_key(f) for f in findings)
    assert [f.name for f in sort_findings(findings)] == [f.name for f in expected]
