"""Say what a licence-like text is: which licence, policy, notice or code of conduct.

Method (chosen in benchmarks/licence-detection.md): hashed 5-word shingles of the text are
compared with bottom-k samples of reference texts, giving for each reference its *coverage* (how
much of the reference is in the text) and *purity* (how much of the text is the reference);
their harmonic mean is the text similarity. Titles near the top and short version/date markers
then separate variants whose texts are nearly the same (Llama 3.1/3.2/3.3, the RAIL texts, the
six CC 4.0 legal codes), and "absent" phrases rule out subsets (BSD-2 inside BSD-3). Named parts
(Apache's terms, RAIL Attachment A, the Llama AUP list) are checked by phrases to report what a
cut-down copy lacks. Files that are not a full text fall through, in order, to: known notice
sentences, codes of conduct, a licence named by a reference sentence ("licensed under the Apache
License, Version 2.0"), a NOTICE file by its name.

Confidence: 0..1; SURE (0.8) is the threshold above which a rule may act on the identification.
A wrong identification is worse than "not sure", so close rivals cap the confidence below it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import NamedTuple

from commonslint.detect.reference import Entry, Reference, load
from commonslint.detect.text import shingle_hashes, words

SURE = 0.8
HEAD_WORDS = 80  # titles count only near the top, where a licence puts its name
TITLE_CHARS = 40  # a licence name this close to the start is the file's title
MIN_SCORE = 0.5  # below this a full-text candidate is not reported at all
RIVAL_MARGIN = 0.1  # a different id scoring within this of the best makes the result unsure
SECOND_LICENCE_COVERAGE = 0.85  # another family's text this complete is a second licence ...
SECOND_LICENCE_PURITY = 0.6  # ... when it explains no more than this share of the text

# An all-capitals bracketed instruction, as templates leave them: "[INSERT CONTACT METHOD]".
_PLACEHOLDER = re.compile(r"\[(?:INSERT|YOUR|NAME|EMAIL|CONTACT|PROJECT)[A-Z0-9 _,./-]{0,60}\]")
_URL = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class Identification:
    """What a licence-like file's text is. See module docstring for the meaning of confidence."""

    licence: str | None
    kind: str  # "licence" | "use-policy" | "notice" | "code-of-conduct" | "unknown"
    confidence: float
    sure: bool
    missing: tuple[str, ...] = ()
    use_restrictions: bool | None = None
    placeholders: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    # Extension: other licences whose full text is also in this file (e.g. MIT for code beside a
    # RAIL for weights). `licence` is the one covering most of the text.
    others: tuple[str, ...] = ()


def _result(licence: str | None, kind: str, confidence: float, **kw: object) -> Identification:
    confidence = round(max(0.0, min(1.0, confidence)), 3)
    return Identification(licence, kind, confidence, confidence >= SURE, **kw)  # type: ignore[arg-type]


class _Score(NamedTuple):
    entry: Entry
    raw: float
    coverage: float
    purity: float
    similarity: float
    source: str
    title: str | None


def _similarity(
    entry: Entry, hashes: set[int], ordered: list[int]
) -> tuple[float, float, float, str]:
    """(harmonic mean of coverage and purity, coverage, purity, source) for the best sketch.

    The sample holds every reference hash below tau, so the text's hashes below tau are a
    uniform sample of the text, and the shared ones are exactly sample & text.
    """
    best = (0.0, 0.0, 0.0, "")
    for sk in entry.sketches:
        shared = len(sk.sample & hashes)
        coverage = shared / len(sk.sample)
        below = bisect_left(ordered, sk.tau)
        purity = shared / below if below else 0.0
        f1 = 2 * coverage * purity / (coverage + purity) if shared else 0.0
        if f1 > best[0]:
            best = (f1, coverage, purity, sk.source)
    return best


def _score(entry: Entry, norm: str, head: str, hashes: set[int], ordered: list[int]) -> _Score:
    title = next((t for t in entry.titles if t in head), None)
    marks = (
        sum(1 for m in entry.markers if m in norm) / len(entry.markers) if entry.markers else 0.0
    )
    if entry.sketches:
        sim, coverage, purity, source = _similarity(entry, hashes, ordered)
        # Titles and markers only separate near-identical variants; the text decides the rest.
        raw = sim + 0.15 * (title is not None) + 0.1 * marks
    else:
        # Phrase-only entries (no reference text available): a title at the top is the evidence,
        # and never enough on its own to be sure.
        sim, coverage, purity, source = 0.0, 0.0, 0.0, entry.source
        raw = 0.6 * (title is not None) + 0.15 * marks
    if any(a in norm for a in entry.absent):
        raw *= 0.5
    return _Score(entry, raw, coverage, purity, sim, source, title)


def _part_present(phrases: tuple[str, ...], norm: str) -> bool:
    return bool(phrases) and sum(1 for p in phrases if p in norm) * 2 >= len(phrases)


def _parts(entry: Entry, norm: str) -> tuple[tuple[str, ...], bool | None]:
    missing = tuple(p for p in entry.require if not _part_present(entry.parts.get(p, ()), norm))
    restr = None
    if entry.restrictions:
        restr = _part_present(entry.parts.get(entry.restrictions, ()), norm)
    return missing, restr


def _full_text(ref: Reference, norm: str, head: str, hashes: set[int]) -> Identification | None:
    ordered = sorted(hashes)
    scores = sorted(
        (_score(e, norm, head, hashes, ordered) for e in ref.entries),
        key=lambda s: s.raw,
        reverse=True,
    )
    best = scores[0]
    if best.raw < MIN_SCORE:
        return None
    evidence = []
    if best.title:
        evidence.append(f"title: {best.title.strip()}")
    if best.entry.sketches:
        evidence.append(f"{best.coverage:.0%} of the reference text present ({best.source})")
    confidence = min(1.0, best.raw)
    rival = next((s for s in scores[1:] if s.entry.id != best.entry.id), None)
    if rival and best.raw - rival.raw < RIVAL_MARGIN:
        confidence = min(confidence, 0.6)
        evidence.append(f"close to {rival.entry.id} ({rival.raw:.2f} vs {best.raw:.2f})")
    others = tuple(
        dict.fromkeys(
            s.entry.id
            for s in scores[1:]
            # A second licence is complete, of another family, and only part of this text
            # (research licences built on one template cover each other but fill the text).
            if s.entry.family != best.entry.family
            and s.coverage >= SECOND_LICENCE_COVERAGE
            and s.purity <= SECOND_LICENCE_PURITY
        )
    )
    if others:
        evidence.append("also contains the full text of " + ", ".join(others))
    missing, restr = _parts(best.entry, norm)
    if missing:
        evidence.append("lacks " + ", ".join(missing))
    return _result(
        best.entry.id,
        best.entry.kind,
        confidence,
        missing=missing,
        use_restrictions=restr,
        evidence=tuple(evidence),
        others=others,
    )


def _notice(ref: Reference, norm: str, text: str) -> Identification | None:
    for ident, phrases in ref.notices:
        hit = next((p for p in phrases if p in norm), None)
        if hit:
            return _result(
                ident,
                "notice",
                0.9,
                placeholders=_placeholders(text),
                evidence=(f"notice sentence: {hit.strip()}",),
            )
    return None


def _code_of_conduct(
    ref: Reference, norm: str, head: str, text: str, filename: str | None
) -> Identification | None:
    covenant = any(n in norm for n in ref.coc_names)
    named = filename is not None and "CONDUCT" in filename.upper()
    if not (covenant or named or any(h in head for h in ref.coc_headings)):
        return None
    placeholders = _placeholders(text)
    if covenant:
        versions = [v for v, phrases in ref.coc_versions if any(p in norm for p in phrases)]
        if len(versions) == 1:
            return _result(
                versions[0],
                "code-of-conduct",
                0.95,
                placeholders=placeholders,
                evidence=("names the Contributor Covenant", f"attribution names {versions[0]}"),
            )
        return _result(
            "contributor-covenant",
            "code-of-conduct",
            0.6,
            placeholders=placeholders,
            evidence=("names the Contributor Covenant, version not stated",),
        )
    return _result(
        None,
        "code-of-conduct",
        0.0,
        placeholders=placeholders,
        evidence=("a code of conduct that is not a known template",),
    )


_VERBS = ("licensed", "licenced", "released", "distributed", "available", "provided")
_LEADS = (*(f" {v} under {the}" for v in _VERBS for the in ("the ", "")), " subject to the ")


def _named(ref: Reference, norm: str, head: str) -> Identification | None:
    named: dict[str, tuple[Entry, str]] = {}
    for entry in ref.entries:
        hit = next((n for n in entry.names if n in norm), None)
        if hit:
            named.setdefault(entry.id, (entry, hit))
    if not named:
        return None
    if len(named) > 1:
        return _result(
            None,
            "unknown",
            0.0,
            evidence=("names several licences: " + ", ".join(named),),
        )
    entry, hit = next(iter(named.values()))
    # Only a licensing statement ("licensed under the ...") or a title opening the file declares
    # the licence; a licence merely mentioned in prose is not enough to be sure.
    declared = any(
        norm.find(n) < TITLE_CHARS
        or n.startswith(_LEADS)
        or any(f"{lead}{n.lstrip()}" in norm for lead in _LEADS)
        for n in entry.names
        if n in norm
    )
    _, restr = _parts(entry, norm)
    missing = ("terms",)
    if restr is False:
        missing += (entry.restrictions or "use-restrictions",)
    # The file names exactly one licence without carrying its terms (an Apache appendix or file
    # header, "licensed under ..."): that is what it declares, so a declared-vs-file check must
    # not call it a different licence; `missing` says the text itself is not there.
    return _result(
        entry.id,
        entry.kind,
        0.85 if declared else 0.5,
        missing=missing,
        use_restrictions=restr,
        evidence=(f"refers to the licence by name: {hit.strip()}", "licence terms not present"),
    )


def _placeholders(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_PLACEHOLDER.findall(text)))


def identify(text: str, filename: str | None = None) -> Identification:
    """Identify a licence-like text. `filename` (base name) only helps with NOTICE and
    CODE_OF_CONDUCT files, whose role is given by their name."""
    tokens = words(text)
    if len(tokens) < 3:
        return _result(None, "unknown", 0.0, evidence=("empty or nearly empty",))
    norm = " " + " ".join(tokens) + " "
    head = " " + " ".join(tokens[:HEAD_WORDS]) + " "
    ref = load()
    hashes = shingle_hashes(tokens)
    found = (
        _full_text(ref, norm, head, hashes)
        or _notice(ref, norm, text)
        or _code_of_conduct(ref, norm, head, text, filename)
        or _named(ref, norm, head)
    )
    if found:
        return found
    if filename and filename.upper().startswith("NOTICE"):
        # Apache-2.0 §4(d): a NOTICE file carries attribution notices that must be kept.
        return _result(
            "apache-2.0-notice",
            "notice",
            0.8,
            placeholders=_placeholders(text),
            evidence=("file named NOTICE with no licence text in it",),
        )
    if " this product includes software developed " in norm:
        return _result(
            "apache-2.0-notice",
            "notice",
            0.6,
            evidence=("attribution notice sentence",),
        )
    urls = _URL.findall(text)
    evidence = (f"refers to a licence elsewhere: {urls[0]}",) if urls else ("not identified",)
    return _result(None, "unknown", 0.0, evidence=evidence)
