"""Text normalisation and hashed shingles shared by the detector and its data generator.

Licence texts reach us re-wrapped, re-quoted, and re-formatted as Markdown or HTML, so both the
reference statistics and the text under test go through the same normalisation: Markdown and
HTML markup dropped, typographic quotes and dashes unified, lower case, words only.
"""

from __future__ import annotations

import re
import zlib

# Order matters: links keep their label, then tags, then the remaining markup characters.
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")
# Words keep internal version dots ("2.0", "3.1") and trailing "+" ("rail++") because they tell
# licence versions apart; everything else is a separator.
_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)*\+*")

SHINGLE = 5  # words per shingle: long enough to be specific, short enough to survive edits


def words(text: str) -> list[str]:
    """The text as a list of normalised words."""
    text = _MD_LINK.sub(r" \1 ", text)
    text = _HTML_TAG.sub(" ", text)
    text = _ESCAPE.sub(r"\1", text)
    return _WORD.findall(text.lower())


def shingle_hashes(tokens: list[str], size: int = SHINGLE) -> set[int]:
    """CRC-32 of every run of `size` words: stable across processes, unlike hash()."""
    if len(tokens) < size:
        return {zlib.crc32(" ".join(tokens).encode())} if tokens else set()
    crc = zlib.crc32
    return {crc(" ".join(tokens[i : i + size]).encode()) for i in range(len(tokens) - size + 1)}


def bottom_k(hashes: set[int], k: int) -> list[int]:
    """The k smallest hashes: a uniform sample that lets containment be estimated both ways."""
    return sorted(hashes)[:k]
