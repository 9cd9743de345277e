"""Fixers: the edits `--fix` may make, proposed as facts (`fixes.*`) for rules' `fix:` expressions.

Each proposal is a plain dict `{path, start, end, text, description}` (character offsets into the
file's text as read), or `{path, create: true, text, description}` for a new file, or None when
nothing can be fixed without guessing. Only edits that cannot change what the card means are
proposed: they add what is missing, at a place that is already known, in the file's own line
endings and indentation, and never invent a fact (a number, a contact, a licence).
`commonslint/fix.py` applies them.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

import yaml

from commonslint.card import Card, key_nodes
from commonslint.sources import Repo

COVENANT_URL = "https://www.contributor-covenant.org/version/2/1/code_of_conduct/"
HUB_MODERATION_URL = "https://huggingface.co/docs/hub/moderation"
HUB_CODE_OF_CONDUCT_URL = "https://huggingface.co/code-of-conduct"
EMISSIONS_DOC_URL = "https://huggingface.co/docs/hub/model-cards-co2"

# Our own text: it adopts the Contributor Covenant by reference (its text is not copied here)
# and says where reports go, with no placeholder left for CL402 to find.
CODE_OF_CONDUCT = f"""# Code of Conduct

This project adopts the Contributor Covenant, version 2.1, as its code of conduct:
{COVENANT_URL}

It applies to everyone who takes part in the project: in its discussions and pull requests, in
work shared here, and wherever someone speaks for the project.

## Reporting problems

Report behaviour that breaks this code of conduct to the maintainers by opening a discussion in
this repository's Community tab. If the report is about a maintainer, or should not be made in
public, use the "Report" button on the repository or the discussion: it reaches the Hugging
Face moderation team ({HUB_MODERATION_URL}), who apply the Hub's
own code of conduct ({HUB_CODE_OF_CONDUCT_URL}).

The maintainers review every report and respond as the Contributor Covenant's enforcement
guidelines describe.

<!-- Written by `commonslint --fix` (CL401). If you have a private address for reports, add it
above; edit anything else to suit the project. -->
"""

_FIELDS = ("Hardware Type", "Hours used", "Cloud Provider", "Compute Region", "Carbon Emitted")
# The model-card template's sections after Environmental Impact (`huggingface_hub`
# `templates/modelcard_template.md`): the scaffold goes before the first of these, or at the end
# of the card.
_LATER_SECTIONS = (
    "technical specifications",
    "citation",
    "glossary",
    "more information",
    "model card authors",
    "model card contact",
)
_LATER_KEYS = frozenset(_LATER_SECTIONS)  # asked of every section of most cards
_BREAK = re.compile(r"\r\n|\r|\n")
_TITLE_WORDS = re.compile(r"licen[cs]e|agreement|terms", re.IGNORECASE)


def newline_of(text: str) -> str:
    """The file's own line ending (its first one), so an edit does not mix styles."""
    match = _BREAK.search(text)
    return match.group(0) if match else "\n"


def yaml_scalar(value: str) -> str:
    """`value` as YAML: plain when YAML reads it back unchanged, double-quoted otherwise."""
    try:
        plain_ok = yaml.safe_load(value) == value and "#" not in value and value.strip() == value
    except yaml.YAMLError:
        plain_ok = False
    return value if plain_ok and value else json.dumps(value, ensure_ascii=False)


def licence_name_from(text: str) -> tuple[str, str] | None:
    """A `license_name` id from a licence file's title line, and that line; None if it has none.

    Only a first line that reads as a title ("Coqui Public Model License 1.0.0") is used: the
    name then repeats what the file says of itself, and nothing is guessed.
    """
    for raw in text.splitlines():
        line = raw.strip().strip("#*=_-").strip()
        if not line:
            continue
        if len(line) > 100 or line.lower().startswith("copyright") or not _TITLE_WORDS.search(line):
            return None
        slug = re.sub(r"[^a-z0-9.]+", "-", line.lower()).strip("-.")[:64].strip("-.")
        return (slug, line) if slug else None
    return None


def licence_other(repo: Repo, card: Card, facts: dict[str, Any]) -> dict[str, Any] | None:
    """CL103: add `license_link` (and `license_name` when the file names itself) after `license`.

    Only when the repository has exactly one licence file, so which file `other` means is not in
    doubt, and only for keys that are absent (an empty key is left to a person: adding a second
    one would be a duplicate key).
    """
    if not facts["licence"]["is_other"]:
        return None  # almost every card: nothing else need be looked at
    meta = facts["card"]["meta"]
    files = facts["licence_files"]["licence"]
    if len(files) != 1 or card.front.node is None:
        return None
    root = card.front.node
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        return None
    key_node, value_node = key_nodes(root).get("license", (None, None))
    if not isinstance(value_node, yaml.ScalarNode) or key_node.start_mark.column != 0:
        return None
    path = files[0]["path"]
    additions: list[tuple[str, str]] = []
    assumed = [f"`{path}` is the only licence file, so `other` refers to it"]
    if "license_name" not in meta:
        read = repo.read_text(path)
        named = licence_name_from(read.text) if read.text else None
        if named:
            additions.append(("license_name", named[0]))
            assumed.append(f'the name is taken from its first line, "{named[1]}"')
    if "license_link" not in meta:
        additions.append(("license_link", path))
    if not additions:
        return None
    end = card.front.yaml_start + value_node.end_mark.index
    line_end = _BREAK.search(card.text, end)
    if line_end is None:
        return None
    nl = newline_of(card.text)
    text = "".join(f"{key}: {yaml_scalar(value)}{nl}" for key, value in additions)
    added = " and ".join(f"`{key}: {value}`" for key, value in additions)
    return {
        "path": card.path,
        "start": line_end.end(),
        "end": line_end.end(),
        "text": text,
        "description": f"Add {added} (assumed: {'; '.join(assumed)}).",
    }


_BLANK_LINE_AT_END = re.compile(r"(\r\n|\r|\n)[ \t]*(\r\n|\r|\n)$")


def environmental_impact(card: Card, facts: dict[str, Any]) -> dict[str, Any] | None:
    """CL501: an Environmental Impact section to fill in, when the card has none.

    The fields are left as `[More Information Needed]`: the fix writes no number, so CL501 keeps
    firing until `co2_eq_emissions` is given, and CL601 shows what is still to be filled.
    """
    card_f = facts["card"]
    if not card_f["ok"] or card_f["section"]["environmental_impact"] is not None:
        return None
    text = card.text
    # Without a CR anywhere, the first line break can only be LF (or there is none).
    nl = newline_of(text) if card.has_cr else "\n"
    later = None
    for section in card_f["sections"]:
        if section["key"] in _LATER_KEYS and section["level"] <= 2:
            later = section
            break
    if later is not None:
        start = _heading_line_start(card, later["line"], later["title"])
        return _section_fix(card, start, _scaffold(nl, later["level"]) + nl)
    start = len(text)
    lead = ""
    if text and not text.endswith(("\n", "\r")):
        lead = nl + nl
    elif text[-2:-1] not in " \t\r\n":
        # One line break after the last text (most cards): no blank line at the end.
        lead = nl
    elif text:
        # The trailing blank run, found from the end: `rstrip` would copy the whole card.
        end = start
        while end and text[end - 1] in " \t\r\n":
            end -= 1
        tail = text[end:]
        # A blank line needs two line-break characters in the run: most cards end with one.
        if (tail.count("\n") + tail.count("\r") < 2) or not _BLANK_LINE_AT_END.search(tail):
            # Searched for in the trailing blank run only: a match holds nothing else, and the
            # whole text has a newline per line for the regex to try.
            lead = nl
    added = _AT_END.get((lead, nl)) or _AT_END.setdefault((lead, nl), lead + _scaffold(nl, 2))
    return _section_fix(card, start, added)


# (lead, line break) -> the section's text at the end of a card: `lead + _scaffold(nl, 2)`,
# kept rather than joined for each card (a handful of keys: the leads are "", nl and nl + nl).
_AT_END: dict[tuple[str, str], str] = {}


def _heading_line_start(card: Card, line: int, title: str) -> int:
    """`card.lines.line_start(line)` for a heading's line, found from its title where it can be.

    The line index of a long card costs ~20 us, and nothing else of most lints needs it: with
    LF breaks only, the line holding an occurrence of the title that has `line - 1` breaks
    before it starts just after the last of them. Else (no such occurrence among the first
    few, CR breaks, an index already built) the index answers.
    """
    text = card.text
    if title and not card.has_cr and "lines" not in card.__dict__:
        at = text.find(title)
        breaks = 0  # line breaks before `at`
        counted = 0  # ... counted up to here
        for _ in range(8):
            if at < 0:
                break
            breaks += text.count("\n", counted, at)
            counted = at
            if breaks == line - 1:
                return text.rfind("\n", 0, at) + 1
            if breaks >= line:
                break
            at = text.find(title, at + 1)
    return card.lines.line_start(line)


@lru_cache(maxsize=16)
def _scaffold(nl: str, level: int) -> str:
    """The section's text, in the card's line endings, under a heading of `level`."""
    body = [
        f"{'#' * level} Environmental Impact",
        "",
        "<!-- Added by `commonslint --fix` (CL501). Fill in what was measured, and give the total",
        "in grams of CO2-equivalent in the card's metadata as `co2_eq_emissions` too:",
        f"{EMISSIONS_DOC_URL} -->",
        "",
        *(f"- **{name}:** [More Information Needed]" for name in _FIELDS),
    ]
    return nl.join(body) + nl


def _section_fix(card: Card, start: int, text: str) -> dict[str, Any]:
    return {
        "path": card.path,
        "start": start,
        "end": start,
        "text": text,
        "description": (
            "Add an Environmental Impact section with its fields left for you to fill in; it "
            "reports no emissions by itself, so CL501 stays until `co2_eq_emissions` is given."
        ),
    }


def code_of_conduct(repo: Repo, facts: dict[str, Any]) -> dict[str, Any] | None:
    """CL401: a CODE_OF_CONDUCT.md that adopts the Contributor Covenant by reference."""
    if facts["governance"]["code_of_conduct"]["path"] is not None:
        return None
    if repo.exists("CODE_OF_CONDUCT.md"):
        return None
    return _CODE_OF_CONDUCT_FIX.copy()  # the same for every repository: a copy for each


_CODE_OF_CONDUCT_FIX: dict[str, Any] = {
    "path": "CODE_OF_CONDUCT.md",
    "create": True,
    "start": 0,
    "end": 0,
    "text": CODE_OF_CONDUCT,
    "description": (
        "Write CODE_OF_CONDUCT.md adopting the Contributor Covenant 2.1 by reference, with "
        "reports going to the Community tab or the Hub's Report button; add a private "
        "contact if you have one."
    ),
}


def proposals(repo: Repo, card: Card | None, facts: dict[str, Any]) -> dict[str, Any]:
    """The `fixes` facts: one proposal (or None) per fixer."""
    conduct = code_of_conduct(repo, facts)
    if card is not None and facts["card"]["ok"]:
        return {
            "licence_other": licence_other(repo, card, facts),
            "environmental_impact": environmental_impact(card, facts),
            "code_of_conduct": conduct,
        }
    return {"licence_other": None, "environmental_impact": None, "code_of_conduct": conduct}
