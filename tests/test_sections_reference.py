"""The plain line-by-line section reader: the reference the card's section facts are held to.

`facts.section_facts` finds headings with one regex scan, passes over fenced code and
comments with string searches and settles statuses with shortcuts; tests/test_section_facts.py
compares every field of its section facts with the tree this reader builds, which visits every
line and runs every pattern. Also here: the label check's shortcut (`_has_substance`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonslint.card import (
    _ATX,
    _COMMENT,
    _LABEL,
    _SUBSTANCE,
    MAX_SECTIONS,
    PLACEHOLDER_PATTERNS,
    STOCK_SENTENCES,
    _has_substance,
    _normalise_uncached,
)
from tests.conftest import CORPUS

BULK = CORPUS / "bulk" / "hub-readmes-2023.jsonl.gz"
CARDS = sorted((CORPUS / "cards").glob("*/README.md")) if CORPUS.exists() else []
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_MARK_CHARS = frozenset("#`~=-")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


@dataclass
class Section:
    """A section of the reference tree, with what its facts are built from."""

    title: str
    level: int
    line: int  # 1-based line of the heading
    end_line: int  # last line of the section, including its sub-sections
    own_text: str = ""  # the text directly under the heading, before any sub-heading
    placeholders: int = 0  # placeholders directly in this section
    status: str = "empty"  # "filled" | "empty" | "placeholder", counting sub-sections
    children: list[Section] = field(default_factory=list)

    @property
    def key(self) -> str:
        return _normalise_uncached(self.title)


def walk(sections: list[Section]) -> list[Section]:
    """Every section of the tree, depth first, in document order."""
    out: list[Section] = []
    stack = list(reversed(sections))
    while stack:
        section = stack.pop()
        out.append(section)
        stack.extend(reversed(section.children))
    return out


def _reference_own_status(text: str) -> tuple[str, int]:
    text = _COMMENT.sub(" ", text)
    count = len(PLACEHOLDER_PATTERNS.findall(text))
    stocked = False
    for stock in STOCK_SENTENCES:
        if stock in text:
            text = text.replace(stock, " ")
            stocked = True
    if count or stocked:
        text = PLACEHOLDER_PATTERNS.sub(" ", text)
    text = _LABEL.sub(" ", text)
    if _SUBSTANCE.search(text):
        return "filled", count
    return ("placeholder" if count else "empty"), count


def _reference_roll_up(section: Section) -> str:
    statuses = [section.status] + [_reference_roll_up(child) for child in section.children]
    if "filled" in statuses:
        section.status = "filled"
    elif "placeholder" in statuses:
        section.status = "placeholder"
    else:
        section.status = "empty"
    return section.status


def reference_parse_sections(text: str, first_line: int) -> list[Section]:
    lines = _LINE_BREAK.split(text)
    flat: list[tuple[Section, int]] = []
    fence: str | None = None
    in_comment = False
    for i, line in enumerate(lines):
        if fence:
            if line.strip().startswith(fence):
                fence = None
            continue
        if in_comment:
            if "-->" in line:
                in_comment = False
            continue
        first = line.lstrip(" ")[:1]
        if first in ("`", "~"):
            fence_match = _FENCE.match(line)
            if fence_match:
                fence = fence_match.group(1)[:3]
                continue
        if "<!--" in line and "-->" not in line.split("<!--", 1)[1]:
            in_comment = True
            continue
        if first not in _MARK_CHARS:
            continue
        if len(flat) >= MAX_SECTIONS:
            break
        atx = _ATX.match(line)
        if atx:
            title = (atx.group(2) or "").strip()
            flat.append((Section(title, len(atx.group(1)), first_line + i, 0), i + 1))
            continue
        setext = _SETEXT.match(line)
        if (
            setext
            and i > 0
            and lines[i - 1].strip()
            and not _ATX.match(lines[i - 1])
            and not lines[i - 1].lstrip().startswith(("-", "*", "+", "|", ">", "<"))
            and (not flat or flat[-1][0].line != first_line + i - 1)
        ):
            level = 1 if setext.group(1).startswith("=") else 2
            flat.append((Section(lines[i - 1].strip(), level, first_line + i - 1, 0), i + 1))
    last_line = first_line + len(lines) - 1
    for n, (section, content_start) in enumerate(flat):
        stop = flat[n + 1][0].line - first_line if n + 1 < len(flat) else len(lines)
        section.own_text = "\n".join(lines[content_start:stop])
        section.end_line = last_line
    roots: list[Section] = []
    stack: list[Section] = []
    for section, _ in flat:
        while stack and stack[-1].level >= section.level:
            stack.pop().end_line = section.line - 1
        (stack[-1].children if stack else roots).append(section)
        stack.append(section)
    for section in walk(roots):
        section.status, section.placeholders = _reference_own_status(section.own_text)
    for root in roots:
        _reference_roll_up(root)
    return roots


_PIECES = st.sampled_from(
    [
        *("# Title", "## Sub ##", "#", "### x #", "#######", "#x", "   # three", "    # four"),
        *("Title", "===", "---", " - item", "- x", "* x", "+ y", "| a |", "> q", "<b>", "  "),
        *("```", "```python", "~~~", "````", " ```", "\t```", "\u3000```", "``", "x ```"),
        *("<!--", "-->", "<!-- c -->", "<!-- a --> <!--", "--> #", "<!---->"),
        *("**Label:**", "**x**", "__init__", "**", "__", "[More Information Needed]"),
        *("[needs more ınformation]", "{{ model_id }}", "{{", "}}", "[", "{", "text", "é"),
        *(STOCK_SENTENCES[0], STOCK_SENTENCES[1][:40], "...", ":", "\t", "\x0c", "\u2028"),
        *(("\n",) * 12),
        *("\r\n", "\r", "\r\n\r\n"),
    ]
)


@pytest.mark.parametrize(
    "text",
    ["", "**a:** b", "**a:**", "**a:** **b:**", "__x__ y", "** a", "- **k:** v", "*__x__*z"],
)
def test_has_substance_is_the_label_substitution(text: str) -> None:
    assert _has_substance(text) == bool(_SUBSTANCE.search(_LABEL.sub(" ", text)))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="*_:ab \n-#", max_size=60))
def test_has_substance_generated(text: str) -> None:
    assert _has_substance(text) == bool(_SUBSTANCE.search(_LABEL.sub(" ", text)))
