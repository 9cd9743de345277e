"""`parse_sections` gives the same section tree as the plain line-by-line reader it replaced.

The production reader passes over fenced code and comments with string searches, slices own
text out of the body, and settles statuses with shortcuts (`_has_substance`,
`_count_placeholders`). The reference below is the earlier implementation without its quick
checks: every line visited, every pattern run. Both must agree on every field of every section.
"""

from __future__ import annotations

import gzip
import itertools
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonslint.card import (
    _ATX,
    _COMMENT,
    _FENCE,
    _LABEL,
    _SETEXT,
    _SUBSTANCE,
    MAX_SECTIONS,
    PLACEHOLDER_PATTERNS,
    STOCK_SENTENCES,
    Section,
    _has_substance,
    _walk,
    parse_sections,
    split_front_matter,
)
from tests.conftest import CORPUS

BULK = CORPUS / "bulk" / "hub-readmes-2023.jsonl.gz"
CARDS = sorted((CORPUS / "cards").glob("*/README.md")) if CORPUS.exists() else []
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_MARK_CHARS = frozenset("#`~=-")


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
    for section in _walk(roots):
        section.status, section.placeholders = _reference_own_status(section.own_text)
    for root in roots:
        _reference_roll_up(root)
    return roots


def _tree(sections: list[Section]) -> list[tuple[object, ...]]:
    return [
        (
            s.title,
            s.level,
            s.line,
            s.end_line,
            s.own_text,
            s.placeholders,
            s.status,
            _tree(s.children),
        )
        for s in sections
    ]


def _same(text: str, first_line: int = 1) -> None:
    assert _tree(parse_sections(text, first_line)) == _tree(
        reference_parse_sections(text, first_line)
    ), text[:200]


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


@settings(max_examples=1500, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join), st.integers(1, 40))
def test_generated_bodies(text: str, first_line: int) -> None:
    _same(text, first_line)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n",
        "# only",
        "# a\n",
        "# a\n\n",
        "Title\n===",
        "Title\n---\n---\n===\n",
        "# h\n```\n# not\n```\n# yes\n",
        "# h\n```\n# never closed\n",
        "# h\n ```\n  \u3000```x\n# after\n",
        "# h\n~~~~\n```\n~~~\n## b",
        "# h\n<!-- a\n# hidden\n--> tail\n## shown\n<!--",
        "# h\n<!-- x --> <!-- y\n# hidden\n-->\n",
        "# h\r\n\r\nbody\r## b\r\n",
        "# h\n\n[More Information Needed]\n## b\n**Label:** x",
        "# h\n**Name:**\n__init__\n## b\n{{ x }} {{y}}\n",
        "para\n```\n---\n",  # a closing fence as a setext title
        "#" * 3 + "\n" + "# t\n" * (MAX_SECTIONS + 5),
    ],
)
def test_crafted_bodies(text: str) -> None:
    _same(text)
    _same(text, 7)


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


def _bodies(text: str) -> list[str]:
    return [text, text[split_front_matter(text).body_start :]]


@pytest.mark.skipif(not CARDS, reason="../shared/corpus is not present")
def test_corpus_cards() -> None:
    for path in CARDS:
        for body in _bodies(path.read_text(encoding="utf-8", errors="replace")):
            _same(body, 3)


@pytest.mark.skipif(not BULK.exists(), reason="the shared bulk corpus is not beside the project")
def test_bulk_cards_sample() -> None:
    # Every 7th card keeps this to seconds; the whole corpus was compared when this was written.
    with gzip.open(BULK, "rt", encoding="utf-8") as handle:
        for line in itertools.islice(handle, 0, None, 7):
            for body in _bodies(json.loads(line)["card"]):
                _same(body)
