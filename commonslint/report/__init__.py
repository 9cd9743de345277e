"""Reporters turn one list of findings into each output format; nothing else formats them.

Each format lives in its own module, imported only when asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from commonslint import __version__

if TYPE_CHECKING:
    from commonslint.lint import Result
    from commonslint.rulepacks import Rule

FORMATS = {
    "text": "commonslint.report.text",
    "json": "commonslint.report.json_format",
    "json-lines": "commonslint.report.json_lines",
    "sarif": "commonslint.report.sarif",
    "github": "commonslint.report.github",
    "junit": "commonslint.report.junit",
    "gitlab": "commonslint.report.gitlab",
    "markdown": "commonslint.report.markdown",
}
# Where the project lives: rule documentation links in SARIF and Markdown reports, and the
# snippets `commonslint init` prints. One place to change if the repository moves.
PROJECT_URL = "https://github.com/commonslint/commonslint"


class Reporter(Protocol):
    def __call__(self, results: Sequence[Result], rules: Sequence[Rule]) -> str: ...


def reporter(name: str) -> Reporter:
    module = importlib.import_module(FORMATS[name])
    return module.render  # type: ignore[no-any-return]


def documentation_anchor(code: str, name: str, page: str = "docs/rules.md") -> str:
    """Where a rule is documented: its section of the generated rule reference (the heading
    `## CODE name` that `ruledocs.reference_markdown` writes, as GitHub makes its anchor)."""
    return f"{page}#{code.lower()}-{name}"


def documentation_url(code: str, name: str) -> str:
    """An absolute link to a rule's documentation, for formats that need a URI (SARIF)."""
    return f"{PROJECT_URL}/blob/v{__version__}/{documentation_anchor(code, name)}"
