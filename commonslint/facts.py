"""Facts: everything the rules ever see, computed once per repository by tested Python.

Facts are plain dicts, lists, strings, numbers and booleans (no objects with behaviour), so a
rule pack's Jinja2 conditions can read them in a sandbox and `--format json` could show them.
Every place a rule may point at is precomputed as a location dict (`path`, `line`, `column`,
`end_line`, `end_column`).
"""

from __future__ import annotations

import functools
import re
from pathlib import PurePosixPath
from typing import Any

from commonslint import emissions as emissions_mod
from commonslint import fixers, governance, metadata
from commonslint.card import (
    _ATX,
    _BRACE_PLACEHOLDER,
    _BRACKET_PLACEHOLDER,
    _CACHED_LINE,
    _STOCK_CORE,
    _SUBSTANCE,
    MAX_SECTIONS,
    STOCK_SENTENCES,
    TRAPS,
    Card,
    _atx_heading_uncached,
    _closing_fence,
    _filled,
    _normalise_uncached,
    _own_status,
    duplicate_keys,
    key_nodes,
    lf_body,
    parse_card,
)
from commonslint.lazyfacts import PENDING, LazyFacts
from commonslint.locations import NodeLocations, file_loc, line_loc, node_loc, offset_loc
from commonslint.sources import Repo
from commonslint.suppressions import Suppression, find_suppressions

# Licence-like files the rules read: at the root, or in a REUSE-style LICENSES/ folder.
_LICENCE_NAME = re.compile(
    r"^(licen[cs]e|copying|model[_-]?licen[cs]e|licen[cs]e[_-]?(model|code|weights|data)|"
    r"notice|use[_-]?policy|acceptable[_-]?use[_-]?policy)([._-].*)?$",
    re.IGNORECASE,
)
# Sections named like these count as the template's section of that purpose.
SECTION_PURPOSES: dict[str, re.Pattern[str]] = {
    "bias": re.compile(r"\b(bias|biases|risks?|limitations?)\b"),
    "training_data": re.compile(
        r"\b(training|train|pre ?training|fine ?tuning) (data|dataset|datasets|corpus)\b"
        r"|\bdata(sets?)? used\b"
    ),
    "uses": re.compile(
        r"\b(out of scope|misuse|uses?|intended use|use restrictions|"
        r"prohibited|restrictions)\b"
    ),
    "environmental_impact": re.compile(r"\b(environmental impact|carbon|co2|emissions)\b"),
}


# Words that each purpose's pattern needs one of (every alternative holds one): a key without
# any is not searched, so a heading the cache has not seen costs a few `in` tests, not four
# regex passes.
_PURPOSE_WORDS: dict[str, tuple[str, ...]] = {
    "bias": ("bias", "risk", "limitation"),
    "training_data": ("data", "corpus"),
    "uses": ("use", "scope", "prohibited", "restrictions"),
    "environmental_impact": ("environmental impact", "carbon", "co2", "emissions"),
}
assert _PURPOSE_WORDS.keys() == SECTION_PURPOSES.keys()
assert all("information" in stock.lower() for stock in STOCK_SENTENCES)
_ANY_PURPOSE_WORD = re.compile("|".join(w for ws in _PURPOSE_WORDS.values() for w in ws))


def licence_file_kind(path: str) -> str | None:
    if "/" not in path and path not in ("", "."):
        # A root file (every file of a card-only lint): PurePosixPath's parent and name are
        # "." and the path itself; building one costs more than the rest of this function.
        folder, name = ".", path
    else:
        pure = PurePosixPath(path)
        folder, name = str(pure.parent), pure.name
    if folder not in (".", "LICENSES", "licenses"):
        return None
    if folder != "." or _LICENCE_NAME.match(name):
        lowered = name.lower()
        if lowered.startswith("notice"):
            return "notice"
        if "policy" in lowered:
            return "use-policy"
        return "licence"
    return None


def _purposes_uncached(key: str) -> tuple[str, ...]:
    """The purposes whose pattern finds the key (`SECTION_PURPOSES`), in their order."""
    # Most keys hold none of the words (one search), which saves a dozen `in` tests on each
    # heading the caches have not seen.
    if not _ANY_PURPOSE_WORD.search(key):
        return ()
    found: list[str] = []
    for purpose, words in _PURPOSE_WORDS.items():
        for word in words:
            if word in key:
                if SECTION_PURPOSES[purpose].search(key):
                    found.append(purpose)
                break
    return tuple(found)


@functools.lru_cache(maxsize=4096)
def _key_of(title: str) -> tuple[str, tuple[str, ...]]:
    """A heading's key and the purposes it serves: one cache look-up for both (the helpers'
    own caches would only add their upkeep to a heading seen for the first time)."""
    key = _normalise_uncached(title)
    return key, _purposes_uncached(key)


def _atx_key(line: str) -> tuple[int, str, str, tuple[str, ...]] | None:
    """An ATX heading line's level, title, key and purposes (`card._atx_heading_uncached`,
    then `_key_of`), else None. (A line `_ATX_KEYS` has not seen has a title `_key_of`'s
    cache has not seen either, almost always.)"""
    atx = _atx_heading_uncached(line)
    if atx is None:
        return None
    key = _normalise_uncached(atx[1])
    return atx[0], atx[1], key, _purposes_uncached(key)


# `_atx_key`'s answers for the heading lines seen (the template's repeat card after card): a
# dict's `get` costs half of an `lru_cache` hit, which keeps its order of use. Emptied when
# full, so it stays small.
_ATX_KEYS: dict[str, tuple[int, str, str, tuple[str, ...]] | None] = {}
_ATX_KEYS_SIZE = 8192


# The start (after its `\n`) of a line that can be an ATX heading (matched whole), a fence or a
# setext underline: what a Markdown reader must look at, besides lines that open a comment.
# The pattern begins with a literal `\n`, which the regex engine finds with a fast scan, so
# the lines between candidates (prose, lists, tables) are passed over in C; a heading matched
# whole has its line's end at the match's end. The alternatives begin with different
# characters, so they match the same lines in any order.
_LINE = re.compile(r"\n {0,3}(?:#[^\n]*|```|~~~|=+[ \t]*(?=\n|\Z)|-+[ \t]*(?=\n|\Z))")
# The body's first line, when it is a heading or a fence (an underline needs a line above).
_FIRST_LINE = re.compile(r" {0,3}(?:#[^\n]*|```|~~~)")


# The first substance character (`card._SUBSTANCE`) or label opening (`**`, `__`): which one
# comes first says whether `_filled` has a label to look at. (Neither pair is substance.)
_SUBSTANCE_OR_LABEL = re.compile(_SUBSTANCE.pattern + r"|\*\*|__")


def section_facts(
    path: str,
    text: str,
    first_line: int,
    start: int = 0,
    folded: bytes | None = None,
    breaks_cr: bool | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, dict[str, Any] | None], int]:
    """The facts of the body `text[start:]`'s sections in document order (depth first through
    the tree of headings: a section holds the headings after it until one of its level or
    above), those holding placeholders, the best section for each purpose (the first filled
    one that matches, else the first that matches, else None) and the body's last line.
    `folded` is the card's `ascii_folded` text and `breaks_cr` whether any line breaks with
    CR, when the caller has them (the lint does). tests/test_section_facts.py builds the same
    from the reference reader's tree.

    Built in one pass as the scanner below finds the headings (a list of headings and a
    second loop over it cost a quarter of the time again), without a tree of objects and
    without copying the body out of the card: each section is settled when the next
    heading (or the end) says where its text stops; nesting (end lines, statuses counting
    sub-sections) is settled with a stack, since a section's sub-sections are the headings
    after it until one of its level or above. The lines are counted as the scan goes, so
    the body's last line costs no pass of its own.
    """
    if breaks_cr is None:
        breaks_cr = text.find("\r", start) >= 0
    if breaks_cr:
        text = lf_body(text[start:] if start else text)
        start = 0
        folded = None
    size = len(text)
    find = text.find
    # Most bodies hold no `<`, which a memchr finds (in the folded text, one byte a character
    # at the same offsets, it stays one when the text is not ASCII).
    if (find("<", start) if folded is None else folded.find(b"<", start)) >= 0:
        comment = find("<!--", start)
    else:
        comment = -1
    commented = comment >= 0  # (the scanner moves `comment` on)
    plain: bool | None = None  # `_plain_body`, asked at the first section (many have none)
    substance = _SUBSTANCE_OR_LABEL.search
    atx_keys = _ATX_KEYS
    sections: list[dict[str, Any]] = []
    placeholder_sections: list[dict[str, Any]] = []
    purposeful: list[tuple[tuple[str, ...], dict[str, Any]]] = []
    stack: list[dict[str, Any]] = []  # the open sections
    # The section whose text is being read: its level, where its text starts, its line index
    # (None before the first heading), title, key and purposes.
    level = content_at = 0
    index: int | None = None
    title = key = ""
    purposes: tuple[str, ...] = ()
    # The scanner, on offsets from `start`: `at` is where the candidate line (`_LINE`) starts,
    # `mark` its first character past the indent. The first line is read as a candidate too,
    # unless it is an underline. Fenced code and comments are passed over with one search for
    # their end (`card._closing_fence`, the `-->` search below).
    candidates = _LINE.finditer(text, start)
    found = _FIRST_LINE.match(text, start)
    if found:
        at = start
        mark = text[at]
        if mark == " ":
            mark = text[at : found.end()].lstrip(" ")[0]
    else:
        found = next(candidates, None)
        if found:
            at = found.start() + 1
            mark = text[at]
            if mark == " ":
                mark = text[at : found.end()].lstrip(" ")[0]
        else:
            at = size + 1
    i = 0  # the index of the line starting at offset `counted`
    counted = start
    heads = 0
    while True:
        # A heading found on this line: its level, title, key, purposes and line index; or the
        # end of the scan (`new_index` -1).
        new_index: int | None = None
        if 0 <= comment < at:
            # A line holding `<!--` but no candidate comes first: it matters only if it opens
            # a comment that it does not close (the first `<!--` on it is `comment`).
            end = find("\n", comment)
            if end < 0:
                comment, at = -1, size + 1
                continue
            if find("-->", comment + 4, end) >= 0:
                comment = find("<!--", end)
                continue
            # An offset on the line that closes the comment (-1: it is never closed).
            closing = find("-->", end + 1)
        elif at > size:
            new_index = -1
            new_start = size + 1
        elif mark == "#":
            end = found.end()  # type: ignore[union-attr]
            if at <= comment < end and find("-->", comment + 4, end) < 0:
                closing = find("-->", end + 1)
            else:
                closing = None
                line = text[at:end]
                # Only lines of a heading's size are cached, so the cache stays small.
                if end - at <= _CACHED_LINE:
                    atx = atx_keys.get(line, False)
                    if atx is False:
                        if len(atx_keys) >= _ATX_KEYS_SIZE:
                            atx_keys.clear()
                        atx = atx_keys[line] = _atx_key(line)
                    if atx:
                        new_level, new_title, new_key, new_purposes = atx
                else:
                    atx = _atx_heading_uncached(line)
                    if atx:
                        new_level, new_title = atx
                        new_key, new_purposes = _key_of(new_title)
                if atx:
                    i += text.count("\n", counted, at)
                    counted = new_start = at
                    new_index = i
        elif mark == "`" or mark == "~":
            end = find("\n", at)
            if end < 0:
                end = size
            closing = _closing_fence(text, end, mark * 3)
        else:  # an underline: the match ends where the line does
            end = found.end()  # type: ignore[union-attr]
            closing = None
            i += text.count("\n", counted, at)
            counted = at
            prev = text.rfind("\n", 0, at - 1) + 1
            above = text[prev : at - 1]  # the title line, if this is an underline
            new_title = above.strip()
            if (
                new_title
                and not _ATX.match(above)
                and not above.lstrip().startswith(("-", "*", "+", "|", ">", "<"))
                and index != i - 1
            ):
                new_level = 1 if "=" in text[at:end] else 2
                new_key, new_purposes = _key_of(new_title)
                new_index = i - 1
                new_start = prev
        if new_index is not None:
            if index is not None:
                # The section before this heading (or the end) is read: its text stops
                # before this heading's first line.
                stop_at = new_start - 1
                if plain is None:
                    plain = _plain_body(text, start, folded)
                if plain and (not commented or find("<!--", content_at, stop_at) < 0):
                    # `_filled`, whose first step settles most sections: substance with no
                    # label opening before it.
                    hit = substance(text, content_at, stop_at)
                    if hit is None:
                        status = "empty"
                    elif hit.end() - hit.start() == 1 or _filled(text, content_at, stop_at):
                        status = "filled"
                    else:
                        status = "empty"
                    placeholders = 0
                else:
                    status, placeholders = _own_status(text[content_at:stop_at])
                number = first_line + index
                section = {
                    "title": title,
                    "key": key,
                    "level": level,
                    "line": number,
                    "end_line": 0,  # set when the section is closed
                    "status": status,
                    "placeholders": placeholders,
                    "at": {
                        "path": path,
                        "line": number,
                        "column": 1,
                        "end_line": number,
                        "end_column": 1,
                    },
                }
                sections.append(section)
                if placeholders:
                    placeholder_sections.append(section)
                if purposes:
                    purposeful.append((purposes, section))
                # Close the open sections this heading ends, passing each one's status to the
                # section it is in: filled if any part is, else placeholder if any part is,
                # else empty.
                while stack and stack[-1]["level"] >= level:
                    closed = stack.pop()
                    closed["end_line"] = number - 1
                    if stack and closed["status"] != "empty":
                        _roll_up(closed["status"], stack[-1])
                stack.append(section)
            if new_index < 0:
                break
            index, level, title, key, purposes = (
                new_index,
                new_level,
                new_title,
                new_key,
                new_purposes,
            )
            content_at = end + 1
            heads += 1
            if heads >= MAX_SECTIONS:  # later headings are text of the last section
                comment, at = -1, size + 1
                continue
        if closing is None:
            if 0 <= comment <= end:
                comment = find("<!--", end)
        else:
            # A fence or comment opened: never closed, the rest of the body is code or
            # comment; else read on after the line that closes it.
            end = find("\n", closing) if closing >= 0 else -1
            if end < 0:
                comment, at = -1, size + 1
                continue
            if 0 <= comment <= end:
                comment = find("<!--", end)
            candidates = _LINE.finditer(text, end)
        found = next(candidates, None)
        if found:
            at = found.start() + 1
            mark = text[at]
            if mark == " ":
                mark = text[at : found.end()].lstrip(" ")[0]
        else:
            at = size + 1
    # The lines after the last heading (`i` counted those before it).
    last_line = first_line + i + text.count("\n", counted)
    while stack:
        closed = stack.pop()
        closed["end_line"] = last_line  # (open to the end of the body)
        if stack and closed["status"] != "empty":
            _roll_up(closed["status"], stack[-1])
    best: dict[str, dict[str, Any] | None] = dict.fromkeys(SECTION_PURPOSES)
    for purposes, section in purposeful:
        for purpose in purposes:
            chosen = best[purpose]
            if chosen is None or (chosen["status"] != "filled" and section["status"] == "filled"):
                best[purpose] = section
    return sections, placeholder_sections, best, last_line


def _plain_body(text: str, start: int, folded: bytes | None) -> bool:
    """Does the body `text[start:]` hold no placeholder and no stock sentence?

    Text without a comment is a slice of the body, so then there is none in it either: its
    status is whether it holds substance, with none of `_own_status`'s substitutions.
    (Removing a comment can join a placeholder's words.) Each search that can rule a pattern
    out runs first: a one-character search is a memchr (and in the folded text it stays one
    when the text is not ASCII). Every bracket placeholder and both stock sentences hold
    "information" in any case, which the folded text shows with one fast search (while the
    case-insensitive pattern tries each `[`).
    """
    find = text.find
    if folded is None:
        bracket = find("[", start) >= 0
        brace = find("{", start) >= 0
        stocked = find(_STOCK_CORE, start) >= 0
    else:
        bracket = folded.find(b"information", start) >= 0
        brace = folded.find(b"{", start) >= 0
        stocked = bracket and find(_STOCK_CORE, start) >= 0
    return not (
        (bracket and _BRACKET_PLACEHOLDER.search(text, start))
        or (brace and _BRACE_PLACEHOLDER.search(text, start))
        or stocked
    )


def _roll_up(status: str, parent: dict[str, Any]) -> None:
    if status == "filled" or (status == "placeholder" and parent["status"] == "empty"):
        parent["status"] = status


_DATASET_HEADING = re.compile(r"^#\s*Dataset Card\b", re.M)


def _guess_kind(data: dict[str, Any], card: Card | None) -> str:
    if not metadata.DATASET_FIELDS.keys().isdisjoint(data):  # any dataset field
        return "dataset"
    if card is None:
        return "model"
    start = card.front.body_start
    # The heading regex is case-sensitive: without the literal words it cannot match, and
    # looking for them in place is far cheaper than trying `^` at every position (or than
    # copying the 4,000 characters first).
    if card.text.find("Dataset Card", start, start + 4000) >= 0 and _DATASET_HEADING.search(
        card.text[start : start + 4000]
    ):
        return "dataset"
    return "model"


def _front_facts(status: str, at: dict[str, Any], front: Any = None) -> dict[str, Any]:
    return {
        "status": status,
        "trap": front.trap if front else None,
        "trap_message": TRAPS.get(front.trap or "none", "") if front else "",
        "at": at,
        "error": front.error if front else None,
        "kind_found": front.kind_found if front else None,
    }


def _card_skeleton(path: str, exists: bool) -> dict[str, Any]:
    """The card facts before the card is read (and all of them when it cannot be)."""
    return {
        "path": path,
        "exists": exists,
        "readable": False,
        "ok": False,
        "at": file_loc(path),
        "near_miss": None,
        "meta": {},
        "keys": [],
        "key_at": {},
        "value_at": {},
        "front": _front_facts("absent", file_loc(path, 1, 1)),
        "type_problems": [],
        "misspelt": [],
        "implicit": [],
        "duplicates": [],
        "sections": [],
        "placeholder_sections": [],
        "first_heading_at": file_loc(path, 1, 1),
        "section": dict.fromkeys(SECTION_PURPOSES),
        "body_start_line": 1,
        "text_lines": 0,
    }


def card_facts(repo: Repo, unreadable: list[dict[str, Any]]) -> tuple[dict[str, Any], Card | None]:
    path = repo.card_path
    if not repo.exists(path):
        facts = _card_skeleton(path, False)
        lowered = {f.lower(): f for f in repo.files() if "/" not in f}
        facts["near_miss"] = lowered.get(path.lower())
        return facts, None
    read = repo.read_text(path)
    if read.text is None:
        unreadable.append({"path": path, "error": read.error, "at": file_loc(path)})
        return _card_skeleton(path, True), None
    card = parse_card(path, read.text)
    front = card.front
    status = front.status
    if status == "invalid":
        front_at = offset_loc(card, front.error_offset)
    else:
        front_at = line_loc(card, front.trap_line if status == "missing" else 1)
    top = file_loc(path, 1, 1)
    # The body's last line is the card's (`text_lines`), counted as the sections are read.
    sections, placeholder_sections, purposes, line_count = section_facts(
        path, read.text, card.body_line, front.body_start, card.folded, card.has_cr
    )
    facts: dict[str, Any] = {
        "path": path,
        "exists": True,
        "readable": True,
        "ok": status == "ok",
        "at": top,
        "near_miss": None,
        "meta": {},
        "keys": [],
        "key_at": {},
        "value_at": {},
        "front": _front_facts(status, front_at, front),
        "type_problems": [],
        "misspelt": [],
        "implicit": [],
        "duplicates": [],
        "sections": sections,
        "placeholder_sections": placeholder_sections,
        "first_heading_at": sections[0]["at"] if sections else top,
        "section": purposes,
        "body_start_line": card.body_line,  # found by parse_card
        "text_lines": line_count,
    }
    if status == "ok":
        data = front.data
        nodes = key_nodes(front.node)
        facts["meta"] = data
        facts["keys"] = list(data)
        facts["key_at"] = NodeLocations(card, nodes, 0)
        facts["value_at"] = NodeLocations(card, nodes, 1)
        for name, problems in (
            ("type_problems", metadata.wrong_types(data, nodes)),
            ("misspelt", metadata.misspelt_keys(nodes)),
            ("implicit", metadata.implicit_types(data, nodes)),
        ):
            if problems:
                facts[name] = [
                    {
                        "key": p.key,
                        "detail": p.detail,
                        "extra": p.extra,
                        "at": node_loc(card, p.node),
                    }
                    for p in problems
                ]
        # Each scalar key gives `nodes` an entry, so with as many entries as keys no key repeats
        # and `duplicate_keys` would find none.
        if front.node is not None and len(nodes) < len(front.node.value):
            duplicates = duplicate_keys(front.node)
            facts["duplicates"] = [
                {"key": str(k.value), "at": node_loc(card, k)} for k in duplicates
            ]
    return facts, card


def licence_file_facts(
    repo: Repo, unreadable: list[dict[str, Any]], listing: list[str] | None = None
) -> dict[str, Any]:
    """Each licence-like file with what its text is identified as (`commonslint.detect`);
    `listing` is `repo.files()` when the caller has it (MemoryRepo sorts on every call)."""
    files = []
    for path in repo.files() if listing is None else listing:
        kind = licence_file_kind(path)
        if kind is None:
            continue
        from commonslint.detect import identify  # here: most repositories have no such file

        read = repo.read_text(path)
        entry: dict[str, Any] = {
            "path": path,
            "kind": kind,
            # A file named for the code (LICENSE-CODE) covers the code, not the model.
            "covers_code": bool(re.search(r"code", PurePosixPath(path).name, re.I)),
            "readable": read.text is not None,
            "error": read.error,
            "at": file_loc(path, 1, 1),
            "identified": None,
            "identified_kind": None,
            "confidence": 0.0,
            "sure": False,
            "use_restrictions": None,
            "missing": [],
            "others": [],
            "evidence": [],
        }
        if read.text is None:
            unreadable.append({"path": path, "error": read.error, "at": file_loc(path)})
        else:
            found = identify(read.text, PurePosixPath(path).name)
            entry.update(
                identified=found.licence,
                identified_kind=found.kind,
                confidence=round(found.confidence, 2),
                sure=found.sure,
                use_restrictions=found.use_restrictions,
                missing=list(found.missing),
                others=list(found.others),
                evidence=list(found.evidence),
            )
        files.append(entry)
    if not files:  # a card-only lint, and most repositories on the Hub
        return {"files": [], "licence": [], "notice": [], "has_licence_file": False, "paths": []}
    licences = [f for f in files if f["kind"] == "licence"]
    return {
        "files": files,
        "licence": licences,
        "notice": [f for f in files if f["kind"] == "notice" or f["identified_kind"] == "notice"],
        "has_licence_file": bool(licences),
        "paths": [f["path"] for f in files],
    }


def governance_facts(
    repo: Repo, unreadable: list[dict[str, Any]], listing: list[str] | None = None
) -> dict[str, Any]:
    found = governance.find_community_files(repo.files() if listing is None else listing)
    coc_path = found["code_of_conduct"]
    if coc_path is None:
        # No code of conduct (every card-only lint): what `code_of_conduct_status` says of it.
        coc_f: dict[str, Any] = {"path": None, "status": "missing", "placeholders": [], "at": None}
    else:
        read = repo.read_text(coc_path)
        if read.text is None:
            unreadable.append({"path": coc_path, "error": read.error, "at": file_loc(coc_path)})
        coc = governance.code_of_conduct_status(coc_path, read.text)
        coc_f = {
            "path": coc.path,
            "status": coc.status,
            "placeholders": coc.placeholders,
            "at": file_loc(coc.path, coc.placeholder_line, 1 if coc.placeholder_line else 0)
            if coc.path
            else None,
        }
    return {
        "code_of_conduct": coc_f,
        "contributing": found["contributing"],
        "security": found["security"],
        "governance": found["governance"],
    }


_COMMUNITY_STEMS = ("code_of_conduct", "contributing", "security", "governance")


def skipped_as_unreadable(repo: Repo, unreadable: list[dict[str, Any]]) -> None:
    """Files the rules would read that the listing left out (a link out of the repository, a
    broken link, a link loop): reported as unreadable rather than passed over as absent."""
    for path, why in sorted(repo.skipped.items()):
        if (
            path == repo.card_path
            or licence_file_kind(path)
            or any(governance.find_community_file([path], stem) for stem in _COMMUNITY_STEMS)
        ):
            unreadable.append({"path": path, "error": why, "at": file_loc(path)})


def emissions_facts(card_f: dict[str, Any], card: Card | None) -> dict[str, Any]:
    if card is None:
        return _absent_emissions(None, None, None, None)
    key_at = card_f["key_at"].get("co2_eq_emissions")
    value_at = card_f["value_at"].get("co2_eq_emissions")
    # The body is searched in place, in the text and in `card.folded` (shared with
    # suppression_list): copies of both cost as much as the search.
    start = card.front.body_start
    data = card.data
    if data.get("co2_eq_emissions") is None:
        # No value (most cards): what `read_emissions` finds then, without its object. The
        # unit in the text is read by no built-in rule then, and its search of the whole body
        # cost 3-4 us a card: it is done if and when a rule reads it.
        return LazyFacts(
            _absent_emissions(key_at, value_at, PENDING, PENDING),
            functools.partial(_unit_in_text, card, card_f["body_start_line"]),
        )
    found = emissions_mod.read_emissions(
        data, card.text, card_f["body_start_line"], card.folded, start
    )
    if found.form == "mapping" and card.front.node is not None:
        inner = key_nodes(key_nodes(card.front.node)["co2_eq_emissions"][1])
        if "emissions" in inner:
            value_at = node_loc(card, inner["emissions"][1])
    return {
        "present": found.present,
        "form": found.form,
        "value": found.value,
        "problem": found.problem,
        "missing_fields": found.missing_fields,
        "unit_in_value": found.unit_in_value,
        "unit_in_text": found.unit_in_text,
        "unit_in_text_at": line_loc(card, found.unit_in_text_line)
        if found.unit_in_text_line
        else None,
        "at": key_at,
        "value_at": value_at,
    }


def _absent_emissions(at: Any, value_at: Any, unit: Any, unit_at: Any) -> dict[str, Any]:
    """The emissions facts of a card that gives no `co2_eq_emissions` (or of no card)."""
    return {
        "present": False,
        "form": "absent",
        "value": None,
        "problem": None,
        "missing_fields": [],
        "unit_in_value": None,
        "unit_in_text": unit,
        "unit_in_text_at": unit_at,
        "at": at,
        "value_at": value_at,
    }


def _unit_in_text(card: Card, body_line: int) -> dict[str, Any]:
    """`unit_in_text` and `unit_in_text_at` of a card that gives no emissions."""
    first = emissions_mod._first_unit_line(card.text, card.folded, card.front.body_start)
    if first is None:
        return {"unit_in_text": None, "unit_in_text_at": None}
    return {
        "unit_in_text": first[1].strip()[:120],
        "unit_in_text_at": line_loc(card, body_line + first[0]),
    }


def suppression_list(card: Card | None) -> list[Suppression]:
    if card is None:
        return []
    front = card.front
    end = front.yaml_end if front.status != "missing" else 0
    return find_suppressions(card.text, front.yaml_start, end, card.position, card.folded)


@functools.cache
def _late_imports() -> tuple[Any, Any]:
    """The licence and lineage fact builders, imported on the first lint rather than with this
    module (commands that lint nothing do not load them); an import statement in `compute`
    cost nearly a microsecond a card, this cached call a twentieth of that."""
    from commonslint.licence_facts import licence_facts
    from commonslint.lineage.facts import compute as lineage_facts

    return licence_facts, lineage_facts


def compute(repo: Repo, kind: str | None = None) -> tuple[dict[str, Any], list[Suppression]]:
    """All facts for one repository, and the inline suppressions its card holds."""
    licence_facts, lineage_facts = _late_imports()
    unreadable: list[dict[str, Any]] = []
    card_f, card = card_facts(repo, unreadable)
    card_f["kind"] = kind or repo.kind or _guess_kind(card_f["meta"], card)
    listing = repo.files()  # read-only below, so one list serves all three
    files_f = licence_file_facts(repo, unreadable, listing)
    facts: dict[str, Any] = {
        "repo": {
            "name": repo.display or ".",
            "files": listing,
            "skipped": dict(repo.skipped),
            "kind": card_f["kind"],
            "card_only": repo.card_only,
        },
        "card": card_f,
        "licence_files": files_f,
        "governance": governance_facts(repo, unreadable, listing),
        "emissions": emissions_facts(card_f, card),
    }
    skipped_as_unreadable(repo, unreadable)
    facts["licence"] = licence_facts(card_f, card, files_f, repo)
    facts["lineage"] = lineage_facts(repo, card, card_f, files_f, unreadable)
    facts["unreadable"] = unreadable
    facts["fixes"] = fixers.proposals(repo, card, facts)
    return facts, suppression_list(card)
