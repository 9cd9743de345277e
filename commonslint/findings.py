"""Findings: small values (rule, severity, message, location), formatted only at the edge."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from operator import attrgetter


class Severity(IntEnum):
    """Ordered so that `fail-on` is a simple comparison."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(
                f"unknown severity {text!r} (expected error, warning or info)"
            ) from None

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, order=True)
class Location:
    """A place in the repository: a path relative to the repository root, 1-based line/column.

    A finding about a file as a whole (or a file that should exist) points at line 1, column 1,
    since SARIF regions and editors' `path:line:col` both need a line.
    """

    path: str
    line: int = 0
    column: int = 0
    end_line: int = 0
    end_column: int = 0

    # The generated `__init__` of a frozen dataclass sets each field through
    # `object.__setattr__`; writing the instance dict directly is the same and takes half the
    # time (a lint builds a few of these per card). tests/test_findings.py checks it against
    # the generated one.
    def __init__(
        self, path: str, line: int = 0, column: int = 0, end_line: int = 0, end_column: int = 0
    ) -> None:
        fields = self.__dict__
        fields["path"] = path
        fields["line"] = line
        fields["column"] = column
        fields["end_line"] = end_line
        fields["end_column"] = end_column


@dataclass(frozen=True)
class Fix:
    """A text edit that cannot change meaning: replace bytes [start, end) of `path` with `text`.

    Offsets are character offsets into the decoded text as read; `fixer` names the fixer that
    produced it, so reports can say what `--fix` would do.
    """

    path: str
    start: int
    end: int
    text: str
    fixer: str
    description: str = ""
    create: bool = False  # the fix writes a new file (start == end == 0)

    def __init__(  # as `Location.__init__`, for speed
        self,
        path: str,
        start: int,
        end: int,
        text: str,
        fixer: str,
        description: str = "",
        create: bool = False,
    ) -> None:
        fields = self.__dict__
        fields["path"] = path
        fields["start"] = start
        fields["end"] = end
        fields["text"] = text
        fields["fixer"] = fixer
        fields["description"] = description
        fields["create"] = create


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    severity: Severity
    message: str
    location: Location
    fix: Fix | None = field(default=None, compare=False)

    def __init__(  # as `Location.__init__`, for speed
        self,
        code: str,
        name: str,
        severity: Severity,
        message: str,
        location: Location,
        fix: Fix | None = None,
    ) -> None:
        fields = self.__dict__
        fields["code"] = code
        fields["name"] = name
        fields["severity"] = severity
        fields["message"] = message
        fields["location"] = location
        fields["fix"] = fix

    def sort_key(self) -> tuple[object, ...]:
        return _SORT_KEY(self)  # type: ignore[no-any-return]


# The order of findings (path, line, column, code, message), its key built in C.
_SORT_KEY = attrgetter("location.path", "location.line", "location.column", "code", "message")


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=_SORT_KEY)
