"""The model card: front matter split exactly as the Hub does, parsed with positions; the
Markdown patterns and checks the body's section facts (`facts.section_facts`) are built with.

The split uses the Hub's own regex (`huggingface_hub.repocard.REGEX_YAML_BLOCK`, "exact same regex
as in the Hub server"), copied here so that the local path never imports `huggingface_hub`; a test
checks that the two stay identical. `find_block` runs the same search in two faster steps
(tests/test_card_split.py holds it to the regex). The YAML is composed with PyYAML's C loader so
that every key and value keeps its position, then constructed the way `yaml.safe_load` would.
"""

from __future__ import annotations

import bisect
import functools
import operator
import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

import yaml

REGEX_YAML_BLOCK = re.compile(
    r"^(\s*---(?:\r\n|\r|\n))([\S\s]*?)((?:\r\n|\r|\n)---[ \t]*(\r\n|\n|$))"
)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
try:
    from yaml._yaml import CParser as _CParser
except ImportError:  # PyYAML without libyaml
    _CParser = None  # type: ignore[assignment,misc]


def _resolve_uncached(kind: Any, value: Any, implicit: Any) -> Any:
    return _BaseLoader.resolve(_RESOLVER, kind, value, implicit)


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """The C safe loader, remembering which tag each scalar resolves to.

    PyYAML resolves every scalar's implicit tag in Python, with regexes, even under the C
    parser; front matter repeats the same keys and values (`license`, `en`, `apache-2.0`) card
    after card. The safe loader has no path resolvers, so the tag depends only on the kind,
    the value and its implicit flags: `resolve` is a bounded cache (functools' C wrapper, so a
    hit costs no Python call) in front of PyYAML's own, and changes nothing but the time.
    """

    resolve = staticmethod(functools.lru_cache(maxsize=2048)(_resolve_uncached))


_RESOLVER = _BaseLoader("")
assert not _BaseLoader.yaml_path_resolvers, "a path resolver would make tags depend on position"


class _Composer(_Loader):
    """`_Loader` cut down to what composing needs, for the front matter of every card.

    `yaml.compose` builds a whole loader (the constructor's and resolver's state too) and the
    C composer calls `descend_resolver`/`ascend_resolver`, Python methods, around every node.
    Without path resolvers (asserted above) BaseResolver's versions return at once and that
    state is never read: only the parser is set up, and the two hooks are C builtins that take
    the same arguments and do nothing observable. The node tree is the same as
    `yaml.compose(source, Loader=_Loader)` gives (tests/test_card_compose.py).
    """

    def __init__(self, stream: str) -> None:
        _CParser.__init__(self, stream)

    descend_resolver = staticmethod(operator.is_)  # (parent, index): result ignored
    ascend_resolver = staticmethod(tuple)  # (): result ignored


def _compose(source: str) -> Any:
    """`yaml.compose(source, Loader=_Loader)`, faster with the C loader."""
    if _CParser is None or _Loader is yaml.SafeLoader:  # no libyaml: PyYAML's own composer
        return yaml.compose(source, Loader=_Loader)
    loader = _Composer(source)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


@dataclass(frozen=True)
class Span:
    """A character range of the card text with its 1-based start and end line/column."""

    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int


class LineIndex:
    """Maps character offsets to 1-based (line, column), counting CRLF, CR and LF as editors do."""

    def __init__(self, text: str) -> None:
        # An array of machine integers, not a list of int objects: a 2 MB file of empty lines
        # has a million line starts.
        self.starts: Sequence[int]
        if "\r" in text:
            self.starts = array("q", [0, *(m.end() for m in _LINE_BREAK.finditer(text))])
        else:
            # The common LF-only case without a Match object per line: each line start is the
            # running sum of the previous lines' lengths plus their newline.
            pieces = text.split("\n")
            self.starts = array("q", accumulate(map((1).__add__, map(len, pieces[:-1])), initial=0))

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1

    def span(self, start: int, end: int) -> Span:
        line, column = self.position(start)
        end_line, end_column = self.position(max(start, end))
        return Span(start, end, line, column, end_line, end_column)

    def line_start(self, line: int) -> int:
        return self.starts[min(max(line, 1), len(self.starts)) - 1]


@dataclass
class FrontMatter:
    """The result of looking for and parsing the YAML block."""

    status: str  # "ok" | "missing" | "invalid" | "not-mapping"
    trap: str | None = None  # why it is missing, when it is a known trap
    trap_line: int = 1
    yaml_start: int = 0  # offset of the YAML text in the card
    yaml_end: int = 0
    body_start: int = 0  # offset where the body begins
    data: dict[str, Any] = field(default_factory=dict)
    node: Any = None  # the composed root node, when there is one
    error: str | None = None  # parser problem, for "invalid"
    error_offset: int = 0
    kind_found: str | None = None  # for "not-mapping": "list" or "scalar"


# Why the Hub would find no block (the regex of `huggingface_hub` `repocard.py`, "exact same
# regex as in the Hub server"), as (trap id, plain explanation).
TRAPS = {
    "bom": (
        "the file starts with a byte-order mark (U+FEFF), so the Hub does not see the opening `---`"
    ),
    "opening-trailing-text": "the opening `---` line has other text after it",
    "closing-trailing-text": "the closing `---` line has other text after it",
    "yaml-end-marker": "the block is closed with `...`; the Hub only accepts `---`",
    "unterminated": "the block is opened with `---` but never closed",
    "empty-pair": "an empty `---`/`---` pair with no line between them is not read as a block",
    "text-before": (
        "there is text (such as a heading) before the `---` block; it must open the file"
    ),
    "none": "",
}


# REGEX_YAML_BLOCK in two steps (`find_block`): the opening line, then the closing one.
_OPENING = re.compile(r"\s*---(?:\r\n|\r|\n)")
_CLOSING = re.compile(r"(?:\r\n|\r|\n)---[ \t]*(\r\n|\n|$)")


def find_block(text: str, breaks_cr: bool | None = None) -> tuple[int, int, int] | None:
    """Where `REGEX_YAML_BLOCK.search(text)` puts the YAML (group 2's start and end) and where
    its match ends (the body's start), or None where it finds no block. `breaks_cr` is
    `"\r" in text`, when the caller knows it.

    The Hub's pattern finds its closing line by trying, at every character of the front
    matter, whether the closing pattern starts there (a lazy repeat); searching for the
    closing pattern finds the same leftmost line three times faster, and without a CR in the
    text, where the closing line can only begin with `\n---`, a plain search for that and a
    match there take half as long again. The one backtrack the pattern can make is kept: an
    opening line ending in CRLF may also be read as ending at the CR, its LF then opening the
    closing line. tests/test_card_split.py holds the two equal.
    """
    opening = _OPENING.match(text)
    if opening is None:
        return None
    start = opening.end()
    if not (("\r" in text) if breaks_cr is None else breaks_cr):
        at = text.find("\n---", start)
        while at >= 0:
            closing = _CLOSING.match(text, at)
            if closing is not None:
                return start, at, closing.end()
            at = text.find("\n---", at + 1)
        return None
    closing = _CLOSING.search(text, start)
    if closing is None:
        if text[start - 2 : start] != "\r\n":
            return None
        start -= 1  # the LF after the opening CR
        closing = _CLOSING.match(text, start)
        if closing is None:
            return None
    return start, closing.start(), closing.end()


def _find_trap(text: str) -> tuple[str, int]:
    """Name the known trap that kept the Hub's regex from matching, with its 1-based line."""
    if text.startswith("\ufeff") and text[1:].lstrip().startswith("---"):
        return "bom", 1
    lines = _LINE_BREAK.split(text)
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return "none", 1
    head = lines[first]
    if head.startswith("---") and not head.startswith("----"):
        if head != "---":
            return "opening-trailing-text", first + 1
        rest = lines[first + 1 :]
        if rest and rest[0] == "---":
            return "empty-pair", first + 1
        for number, line in enumerate(rest, start=first + 2):
            if line.startswith("---") and not line.startswith("----"):
                return "closing-trailing-text", number
            if line.rstrip() == "...":
                return "yaml-end-marker", number
        return "unterminated", first + 1
    # A `---` block further down, after other text, is the text-before-block trap: only when
    # what follows looks like metadata, since `---` is also a Markdown rule.
    for number, line in enumerate(lines[first + 1 : first + 40], start=first + 2):
        if line.rstrip(" \t") == "---":
            following = "\n".join(lines[number : number + 50])
            if re.match(r"\s*[A-Za-z_][\w-]*\s*:", following):
                return "text-before", first + 1
            break
    return "none", first + 1


def split_front_matter(text: str, breaks_cr: bool | None = None) -> FrontMatter:
    """Find and parse the front matter the way the Hub does (`breaks_cr`: `find_block`'s)."""
    block = find_block(text, breaks_cr)
    if block is None:
        trap, line = _find_trap(text)
        return FrontMatter(status="missing", trap=trap, trap_line=line)
    yaml_start, yaml_end, body_start = block
    front = FrontMatter(
        status="ok",
        yaml_start=yaml_start,
        yaml_end=yaml_end,
        body_start=body_start,
    )
    source = text[yaml_start:yaml_end]
    try:
        node = _compose(source)
        # Without `&` the YAML defines no anchor, so it has no alias: no node is shared.
        data = _construct(node, "&" in source) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        front.status = "invalid"
        front.error = _yaml_message(exc)
        front.error_offset = front.yaml_start + (mark.index if mark is not None else 0)
        return front
    except yaml.YAMLError as exc:  # ReaderError and friends: no mark, but a position
        front.status = "invalid"
        front.error = str(exc).replace("\n", " ")
        front.error_offset = front.yaml_start + _reader_offset(source, exc)
        return front
    except (
        RecursionError,
        MemoryError,
        ValueError,
        TypeError,
        OverflowError,
        IndexError,
        KeyError,
    ) as exc:
        # ValueError/OverflowError: PyYAML's timestamp and number constructors on odd values;
        # IndexError/KeyError: its int and bool constructors on an explicit `!!int ''` or
        # `!!bool maybe`.
        front.status = "invalid"
        front.error = f"the YAML cannot be read ({type(exc).__name__}: {exc})"
        front.error_offset = front.yaml_start
        return front
    front.node = node
    if data is None:
        front.data = {}
    elif isinstance(data, dict):
        front.data = data
    else:
        front.status = "not-mapping"
        front.kind_found = "list" if isinstance(data, list) else "scalar"
    return front


def _reader_offset(source: str, exc: yaml.YAMLError) -> int:
    """The character offset of a reader error. libyaml (the C loader) counts it in bytes of
    the UTF-8 it was given, so after any non-ASCII character it points past the problem."""
    position = int(getattr(exc, "position", 0) or 0)
    if _Loader is not yaml.SafeLoader:
        prefix = source.encode("utf-8", "surrogatepass")[:position]
        position = len(prefix.decode("utf-8", "ignore"))
    return min(max(position, 0), len(source))


_TAG = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP = _TAG + "str", _TAG + "seq", _TAG + "map"
_MERGE_OR_VALUE = frozenset({_TAG + "merge", _TAG + "value"})


class _NotPlain(Exception):
    """The document needs PyYAML's own constructor (merge keys, recursion, complex keys)."""


def _construct(node: yaml.Node, aliases: bool = True) -> Any:
    """What `yaml.safe_load` gives for the composed node.

    PyYAML's constructor is pure Python and was a tenth of the time of linting a card; front
    matter is almost always plain strings, lists and mappings, which are built here directly.
    Null, booleans, ints and floats are converted with SafeConstructor's own rules (`_scalar`);
    other scalars (dates, binary) are handed to PyYAML's constructor, and a document with
    anything unusual (merge keys, a recursive alias, a key that is a list or mapping, tagged
    collections) is built entirely by PyYAML, so the result is always its.
    """
    lazy = _LazyConstructor()
    try:
        try:
            if not aliases:
                return _construct_tree(node, lazy)
            return _construct_plain(node, lazy, {}, set())
        except _NotPlain:
            pass
    finally:
        lazy.dispose()
    loader = _Loader("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


class _LazyConstructor:
    """PyYAML's constructor, for the few scalars only it builds (dates, binary), made on first
    use: most front matter has none, and making a loader costs more than building the rest."""

    __slots__ = ("loader",)

    def __init__(self) -> None:
        self.loader: Any = None

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        if self.loader is None:
            self.loader = _Loader("")
        return self.loader.construct_object(node, deep=deep)

    def dispose(self) -> None:
        if self.loader is not None:
            self.loader.dispose()


# PyYAML's SafeConstructor semantics for the implicit scalar types, without its Python
# constructor machinery (a method call, a recursion guard and a cache entry per scalar).
_SAFE = yaml.constructor.SafeConstructor


def _yaml_null(value: str) -> None:
    return None


def _yaml_bool(value: str) -> bool:
    return _SAFE.bool_values[value.lower()]


def _yaml_int(value: str) -> int:
    """`SafeConstructor.construct_yaml_int`, step for step."""
    if value.isdecimal() and value.isascii() and value[0] != "0":
        return int(value)  # plain decimal digits: the steps below reduce to this
    value = value.replace("_", "")
    sign = +1
    if value[0] == "-":
        sign = -1
    if value[0] in "+-":
        value = value[1:]
    if value == "0":
        return 0
    if value.startswith("0b"):
        return sign * int(value[2:], 2)
    if value.startswith("0x"):
        return sign * int(value[2:], 16)
    if value[0] == "0":
        return sign * int(value, 8)
    if ":" in value:
        return sign * _base60(value, int)
    return sign * int(value)


def _base60(value: str, kind: type) -> Any:
    """YAML 1.1 sexagesimal (`1:30` is 90), summed as PyYAML does, in ints or in floats."""
    total = kind(0)
    base = 1
    for digit in reversed([kind(part) for part in value.split(":")]):
        total += digit * base
        base *= 60
    return total


def _yaml_float(value: str) -> float:
    """`SafeConstructor.construct_yaml_float`, step for step."""
    if "_" not in value and ":" not in value and "n" not in value and "N" not in value:
        # No underscore, sexagesimal, inf or nan: the steps below reduce to `float`, which
        # accepts the sign itself (and negating a float is exact).
        return float(value)
    value = value.replace("_", "").lower()
    sign = +1
    if value[0] == "-":
        sign = -1
    if value[0] in "+-":
        value = value[1:]
    if value == ".inf":
        return sign * _SAFE.inf_value
    if value == ".nan":
        return _SAFE.nan_value
    if ":" in value:
        return sign * _base60(value, float)
    return sign * float(value)


_SCALARS = {
    _TAG + "null": _yaml_null,
    _TAG + "bool": _yaml_bool,
    _TAG + "int": _yaml_int,
    _TAG + "float": _yaml_float,
}


def _scalar(node: Any, loader: Any) -> Any:
    """A scalar node's value as `yaml.safe_load` builds it.

    Strings, null, booleans, ints and floats are converted here; anything else (timestamps,
    binary, unknown tags) and any value the conversion trips on (an explicit `!!int ''`) go to
    PyYAML's constructor, so the value or the error is always PyYAML's.
    """
    tag = node.tag
    if tag == _STR:
        return node.value
    convert = _SCALARS.get(tag)
    if convert is not None:
        try:
            return convert(node.value)
        except Exception:  # PyYAML below gives the answer or raises its own error
            pass
    return loader.construct_object(node, deep=True)


def _construct_plain(node: Any, loader: Any, done: dict[int, Any], active: set[int]) -> Any:
    kind = type(node)
    if kind is yaml.ScalarNode:
        return _scalar(node, loader)
    tag = node.tag
    ident = id(node)
    if ident in done:  # an alias: the same object, as PyYAML gives
        return done[ident]
    if ident in active:
        raise _NotPlain
    result: Any
    scalar_node = yaml.ScalarNode
    if tag == _SEQ and kind is yaml.SequenceNode:
        active.add(ident)
        result = [
            (child.value if child.tag == _STR else _scalar(child, loader))
            if type(child) is scalar_node
            else _construct_plain(child, loader, done, active)
            for child in node.value
        ]
    elif tag == _MAP and kind is yaml.MappingNode:
        active.add(ident)
        result = {}
        for key_node, value_node in node.value:
            if type(key_node) is not scalar_node:
                raise _NotPlain
            key_tag = key_node.tag
            if key_tag == _STR:
                key = key_node.value
            elif key_tag in _MERGE_OR_VALUE:
                raise _NotPlain
            else:
                key = _scalar(key_node, loader)
            if type(value_node) is scalar_node:
                value = value_node.value if value_node.tag == _STR else _scalar(value_node, loader)
            else:
                value = _construct_plain(value_node, loader, done, active)
            result[key] = value
    else:
        raise _NotPlain
    active.discard(ident)
    done[ident] = result
    return result


def _construct_tree(node: Any, loader: Any) -> Any:
    """`_construct_plain` for a document without aliases (`aliases=False`): every node is
    reached once, so nothing is remembered to give an alias its object or to find a cycle.
    The same values, in the same order (tests/test_card_compose.py holds the two together)."""
    kind = type(node)
    if kind is yaml.ScalarNode:
        return node.value if node.tag == _STR else _scalar(node, loader)
    tag = node.tag
    scalar_node = yaml.ScalarNode
    if tag == _SEQ and kind is yaml.SequenceNode:
        return [
            (child.value if child.tag == _STR else _scalar(child, loader))
            if type(child) is scalar_node
            else _construct_tree(child, loader)
            for child in node.value
        ]
    if tag != _MAP or kind is not yaml.MappingNode:
        raise _NotPlain
    result = {}
    for key_node, value_node in node.value:
        if type(key_node) is not scalar_node:
            raise _NotPlain
        key_tag = key_node.tag
        if key_tag == _STR:
            key = key_node.value
        elif key_tag in _MERGE_OR_VALUE:
            raise _NotPlain
        else:
            key = _scalar(key_node, loader)
        if type(value_node) is scalar_node:
            value = value_node.value if value_node.tag == _STR else _scalar(value_node, loader)
        else:
            value = _construct_tree(value_node, loader)
        result[key] = value
    return result


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    parts = [p for p in (exc.context, exc.problem) if p]
    return ", ".join(parts) if parts else "invalid YAML"


# ---------------------------------------------------------------------------- positions


def key_nodes(node: Any) -> dict[str, tuple[Any, Any]]:
    """Top-level (and only top-level) key -> (key node, value node); later duplicates win,
    as they do in `yaml.safe_load`."""
    found: dict[str, tuple[Any, Any]] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                found[str(key.value)] = (key, value)
    return found


def value_node(root: Any, key: str) -> Any:
    """The value node of a top-level key, the last one if the key repeats (as `key_nodes` and
    `yaml.safe_load` have it), without building the whole key -> nodes mapping."""
    if isinstance(root, yaml.MappingNode):
        for key_node, value in reversed(root.value):
            if isinstance(key_node, yaml.ScalarNode) and str(key_node.value) == key:
                return value
    return None


def duplicate_keys(node: Any) -> list[Any]:
    """Key nodes of a mapping that repeat an earlier key (the earlier value is silently lost)."""
    seen: set[str] = set()
    duplicates = []
    if isinstance(node, yaml.MappingNode):
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    duplicates.append(key)
                seen.add(key.value)
    return duplicates


# ---------------------------------------------------------------------------- body sections

PLACEHOLDER_PATTERNS = re.compile(
    r"\[More Information Needed\]|\[Needs More Information\]|\{\{\s*[\w.]+\s*\}\}",
    re.IGNORECASE,
)
# The template's stock Recommendations paragraph (huggingface_hub modelcard_template.md): text the
# author did not write, so a section holding only it is not "filled".
STOCK_SENTENCES = (
    "Users (both direct and downstream) should be made aware of the risks, biases and "
    "limitations of the model. More information needed for further recommendations.",
    "Users should be made aware of the risks, biases and limitations of the dataset. "
    "More information needed for further recommendations.",
)
# Both stock sentences hold this: text without it holds neither (so nothing is replaced).
_STOCK_CORE = "be made aware of the risks, biases and limitations of the "
assert all(_STOCK_CORE in stock for stock in STOCK_SENTENCES)
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_LABEL = re.compile(r"\*\*[^*\n]{1,80}?:?\*\*:?|__[^_\n]{1,80}?__")
# A character that is not Markdown noise (space, list and rule marks, punctuation, brackets).
_SUBSTANCE = re.compile(r"[^\s\-*+_>|:#.,;()\[\]`~=]")
_OPTIONAL = re.compile(r"\[optional\]", re.I)
_TITLE_MARKUP = re.compile(r"[*_`#\[\]()]|<[^>]+>")
_MARKUP_CHARS = re.compile(r"[*_`#\[\]()]")  # `_TITLE_MARKUP` in text without `<`


def _normalise_uncached(title: str) -> str:
    # Each substitution runs only where its pattern can match (`[optional]` needs `[`, a tag
    # `<`): a heading the cache has not seen costs half as much.
    if "[" in title:
        title = _OPTIONAL.sub("", title)
    title = title.replace("&", " and ")
    title = (_TITLE_MARKUP if "<" in title else _MARKUP_CHARS).sub(" ", title)
    return " ".join(title.lower().replace("-", " ").split()).strip(" :.,")


# PLACEHOLDER_PATTERNS' two kinds of form, apart: a match of one holds no `[` and the other no
# `{`, so they cannot overlap and its matches are theirs together. Each begins with a literal
# (`[`, `{{`), which the regex engine finds far faster than the first character of either.
_BRACKET_PLACEHOLDER = re.compile(
    r"\[More Information Needed\]|\[Needs More Information\]", re.IGNORECASE
)
_BRACE_PLACEHOLDER = re.compile(r"\{\{\s*[\w.]+\s*\}\}", re.IGNORECASE)


def _count_placeholders(text: str) -> int:
    """`len(PLACEHOLDER_PATTERNS.findall(text))`."""
    # A one-character `in` is a memchr: most text holds no `{`, and much no `[`.
    count = len(_BRACKET_PLACEHOLDER.findall(text)) if "[" in text else 0
    if "{" in text:
        count += len(_BRACE_PLACEHOLDER.findall(text))
    return count


def _has_substance(text: str) -> bool:
    """`_SUBSTANCE.search(_LABEL.sub(" ", text))`, without rewriting the text."""
    return _filled(text, 0, len(text))


def _filled(text: str, pos: int, stop: int) -> bool:
    """`_has_substance(text[pos:stop])`, without the copy.

    A label is replaced by noise, so the answer is whether a substance character lies outside
    every label. Labels are looked for only where they could hide the next substance character,
    so a section that starts with prose costs two short searches, not a pass over its text.
    (Neither pattern looks around it, so searching up to `stop` is searching the slice.)
    """
    while True:
        found = _SUBSTANCE.search(text, pos, stop)
        if found is None:
            return False
        first = found.start()
        # A label begins with `**` or `__`, neither of which is substance, so the leftmost label
        # from `pos` (labels are matched left to right) holds this character only if it starts
        # at one of those pairs before it. Each pair is tried in place: a search for the label
        # would run on through the text when a bold run is no label (longer than 80).
        at = pos
        while True:
            star = text.find("**", at, first)
            under = text.find("__", at, first)
            if star < 0 and under < 0:
                return True
            at = under if star < 0 or 0 <= under < star else star
            # A label closes within 84 characters of its start: a bold run that does not is
            # passed over without the lazy pattern's 80 tries.
            if text.find(text[at], at + 2, at + 84) >= 0:
                label = _LABEL.match(text, at, stop)
                if label:
                    break
            at += 1
        pos = label.end()


def _own_status(text: str) -> tuple[str, int]:
    """Is the text under a heading written by a person, only template placeholders, or empty?"""
    # Each substitution runs only when its pattern can match (a comment needs `<!--`): the same
    # answer, without passes over every section. A one-character `in` is a memchr, so `<`
    # first spares the slower four-character search in text without any tag.
    if "<" in text and "<!--" in text:
        text = _COMMENT.sub(" ", text)
    count = _count_placeholders(text)
    stocked = False
    if _STOCK_CORE in text:  # one search instead of one per stock sentence
        for stock in STOCK_SENTENCES:
            if stock in text:
                text = text.replace(stock, " ")
                stocked = True
    if count or stocked:
        text = PLACEHOLDER_PATTERNS.sub(" ", text)
    if _has_substance(text):  # anything but noise and labels left: a person wrote something
        return "filled", count
    return ("placeholder" if count else "empty"), count


# A model card template has a few dozen headings. Past this many, later headings are read as
# text: a 2 MB file of `#` lines would otherwise cost a second and 10 kB per heading.
MAX_SECTIONS = 2000


def lf_body(text: str) -> str:
    """The body with every line break (CRLF, CR, LF) as one LF: the same lines, the same
    numbers, and own text joined by LF."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _atx_heading_uncached(line: str) -> tuple[int, str] | None:
    """`_ATX`'s (level, title) of an ATX heading line, else None, with string methods (the
    test holds the two equal): the pattern's lazy title tries every
    length of title against the closing sequence, two microseconds for a heading that the
    cache has not seen (one in seven)."""
    text = line.lstrip(" ")
    if len(line) - len(text) > 3 or not text.startswith("#"):
        return None
    rest = text.lstrip("#")
    level = len(text) - len(rest)
    if level > 6:
        return None
    if not rest:
        return level, ""
    if rest[0] != " " and rest[0] != "\t":
        return None
    # The title is the shortest text that leaves only `[ \t]*` or a closing `[ \t]+#+[ \t]*`:
    # without a closing sequence, all but trailing blanks; with one, what is before it.
    title = rest.strip(" \t")
    unclosed = title.rstrip("#")
    if unclosed != title and unclosed[-1:] in (" ", "\t"):
        title = unclosed
    return level, title.strip()


_CACHED_LINE = 200


def _closing_fence(text: str, end: int, fence: str) -> int:
    """Where the first line after offset `end` whose stripped text starts with `fence` starts,
    or -1. Such a line holds `fence` after nothing but whitespace, and it is the first
    occurrence on its line."""
    at = end + 1
    while True:
        found = text.find(fence, at)
        if found < 0:
            return -1
        start = text.rfind("\n", end, found) + 1
        if start == found or text[start:found].isspace():
            return start
        at = text.find("\n", found) + 1
        if not at:
            return -1


# Below this offset a position is counted directly in the text rather than by building the
# line index: front matter is near the top, and counting there is cheaper than indexing a long
# body. Past it (a huge front matter) the index keeps positions logarithmic.
_COUNT_LIMIT = 8192


# Case-insensitive regexes also equate ı and İ with i, and ſ with s (and nothing else with an
# ASCII letter); ASCII lower-casing would miss those, so they are folded first.
_FOLD = (("ı", "i"), ("İ", "i"), ("ſ", "s"))


def ascii_folded(text: str) -> bytes:
    """The text as lower-case ASCII bytes, one byte per character (anything else is `?`), with
    the letters above folded: where a case-insensitive search for an ASCII word can match, the
    word is in here at the same offset. Cheaper than `str.lower`."""
    if not text.isascii():
        for letter, ascii_letter in _FOLD:
            if letter in text:  # `replace` is a C loop, `translate` many times slower
                text = text.replace(letter, ascii_letter)
    return text.encode("ascii", "replace").lower()


@dataclass
class Card:
    """A parsed card: its text and the front matter; `lines` maps offsets to lines and columns
    (built on first use). The body's section facts are `facts.section_facts`'."""

    path: str
    text: str
    front: FrontMatter
    has_cr: bool = False  # does any line break with `\r` (CRLF or CR)?
    _folded: bytes | None = field(default=None, repr=False, compare=False)
    body_line: int = 1  # the 1-based line the body starts on (`position(front.body_start)`)

    @property
    def data(self) -> dict[str, Any]:
        return self.front.data

    @functools.cached_property
    def lines(self) -> LineIndex:
        # Built on first use: most positions a lint needs are in the front matter, and the
        # index of a long card costs more than all of its rules.
        return LineIndex(self.text)

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based (line, column) of a character offset: `lines.position`'s answer."""
        if offset < _COUNT_LIMIT and not self.has_cr and "lines" not in self.__dict__:
            text = self.text
            return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)
        return self.lines.position(offset)

    @property
    def folded(self) -> bytes:
        """`ascii_folded(text)`, made once for the quick word checks of emissions and
        suppressions (each copy costs about a microsecond on an average card). Kept by hand:
        `functools.cached_property` takes a lock on first use, which costs half as much."""
        folded = self._folded
        if folded is None:
            folded = self._folded = ascii_folded(self.text)
        return folded

    @property
    def line_count(self) -> int:
        """How many lines `lines` counts (a last line without a break counts)."""
        if self.has_cr or "lines" in self.__dict__:
            return len(self.lines.starts)
        return self.text.count("\n") + 1


def parse_card(path: str, text: str) -> Card:
    breaks_cr = "\r" in text
    front = split_front_matter(text, breaks_cr)
    card = Card(path, text, front, breaks_cr)
    if front.body_start:
        card.body_line = card.position(front.body_start)[0]
    return card
