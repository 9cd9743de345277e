"""Licence knowledge base and resolver for a card's declared ``license:`` value.

The knowledge base is ``rules/licences.yaml`` (one entry per Hub licence id, plus a few licences
the Hub list lacks); facts and their sources live there, this module only loads and queries them.

Resolution order keeps the Hub's meaning where SPDX and ScanCode read an id otherwise (checked
with license-expression 30.4.4; each trap is in its entry's ``sources`` in ``rules/licences.yaml``):

1. the exact Hub id (so ``gpl``, ``bsl-1.0``, ``openrail++``, ``unknown`` and ``other`` mean what
   the Hub means);
2. a Hub id or the SPDX id of a Hub entry written another way (``Apache-2.0``, ``GPL-3.0-only``)
   -> ``non-canonical``;
3. an SPDX expression, parsed by ``license_expression.get_spdx_licensing()``. Hub ids inside an
   expression are first replaced by their entry's SPDX id, so ``gpl OR mit`` keeps the Hub meaning
   instead of ScanCode's ``GPL-1.0-or-later`` alias. The bare placeholder ``unknown`` is never
   accepted: it has no SPDX id here, and the SPDX licensing object rejects it, whereas ScanCode
   keys would accept it (ScanCode's own ``unknown`` key, category Unstated License).

A licence the knowledge base knows but the Hub does not list (``llama``, ``tii-falcon-llm``,
``openrail-m``, ...) resolves as ``unknown`` (the Hub will not accept it) yet still carries its
entry in ``licences``, and ``suggestion`` is the id to write instead (``other`` or ``openrail``).
A value that is a name rather than an id or expression ("Apache License 2.0") is ``unknown`` with
a suggestion; an expression with a non-SPDX member is ``invalid-expression``.

Costs (CPython 3.11.7, 2 cores, fresh processes; ``python -m commonslint.licences`` re-measures):

* ``knowledge_base()`` first call: about 9 ms (CSafeLoader on the 53 KB file ~7 ms, most of it
  PyYAML's Python-side node construction for ~3,000 nodes; building entries ~2 ms). Cached after.
  If that is too slow for the hook, ship a JSON snapshot of the YAML (loads in ~0.2 ms) and keep
  it in sync with a test.
* resolving a Hub id or a non-canonical id: about 1.5 us; it never imports license-expression.
* the first SPDX expression in a process: about 23 ms (import license-expression ~13 ms, build the
  SPDX licensing object from its 1 MB index ~12 ms, first parse builds the tokenizer), paid once;
  later expressions: about 0.05 ms each.
"""

from __future__ import annotations

import _thread  # `threading` itself is ~0.6 ms more of every run, for one lock
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from commonslint import cache as data_cache

__all__ = [
    "KnowledgeBase",
    "Licence",
    "Requires",
    "Resolution",
    "carries_use_restrictions",
    "knowledge_base",
    "permits_commercial",
    "resolve",
    "resolve_all",
    "share_alike_compatible",
]

CLASSES = frozenset(
    {
        "permissive",
        "public-domain",
        "share-alike",
        "weak-copyleft",
        "non-commercial",
        "no-derivatives",
        "rail",
        "custom",
        "research-only",
        "family",
        "placeholder",
        "use-restricted",
    }
)
STATUSES = frozenset(
    {"hub-id", "non-canonical", "spdx-expression", "unknown", "invalid-expression", "empty"}
)
# Every class that restricts reuse: all of them but the permissive, public-domain and family ones.
_RESTRICTIVE = CLASSES - {"permissive", "public-domain", "family"}
# Options of a very large expression are capped: DNF can grow exponentially.
_MAX_OPTIONS = 256


@dataclass(frozen=True)
class Requires:
    """What must travel with copies."""

    text: bool
    notice: bool
    attribution: bool


@dataclass(frozen=True)
class Licence:
    """One knowledge-base entry."""

    id: str
    name: str
    spdx: str | None
    scancode: str | None
    on_hub: bool
    classes: frozenset[str]
    requires: Requires
    use_restrictions: bool
    commercial: bool | None  # None = unknown
    derivatives: bool | None  # None = unknown
    sources: tuple[str, ...]
    share_alike_compatible: tuple[str, ...] = ()
    family_members: tuple[str, ...] = ()
    spdx_variants: tuple[str, ...] = ()
    suggest: str | None = None
    notes: str | None = None

    @property
    def is_share_alike(self) -> bool:
        return "share-alike" in self.classes

    @property
    def is_rail(self) -> bool:
        """Use restrictions that must be passed downstream (RAIL, Gemma, Llama AUP)."""
        return self.use_restrictions

    @property
    def is_non_commercial(self) -> bool:
        return "non-commercial" in self.classes or "research-only" in self.classes

    @property
    def is_no_derivatives(self) -> bool:
        return "no-derivatives" in self.classes

    @property
    def is_family(self) -> bool:
        return "family" in self.classes

    @property
    def is_placeholder(self) -> bool:
        return "placeholder" in self.classes

    @property
    def is_permissive(self) -> bool:
        """Permissive or public-domain, and nothing that restricts reuse."""
        return bool(self.classes & {"permissive", "public-domain"}) and not (
            self.classes & _RESTRICTIVE
        )


class KnowledgeBase:
    """All entries, with the indexes the resolver needs."""

    def __init__(self, entries: Iterable[Licence]) -> None:
        self._by_id: dict[str, Licence] = {e.id: e for e in entries}
        self.ids: tuple[str, ...] = tuple(e.id for e in self._by_id.values() if e.on_hub)
        self._hub_lower: dict[str, str] = {i.lower(): i for i in self.ids}
        # SPDX ids of Hub entries, for the non-canonical step (never the -or-later variants).
        self._hub_spdx_lower: dict[str, str] = {
            e.spdx.lower(): e.id for e in self._by_id.values() if e.on_hub and e.spdx
        }
        # Every SPDX form that carries an entry's facts inside an expression.
        self._member: dict[str, str] = {}
        for e in self._by_id.values():
            keys = [e.spdx, *e.spdx_variants]
            if e.scancode:
                keys.append(f"LicenseRef-scancode-{e.scancode}")
            for key in keys:
                if key:
                    self._member.setdefault(key.lower(), e.id)
        self._names: dict[str, str] = {
            _squash(e.name): e.id for e in self._by_id.values() if e.on_hub
        }

    def get(self, licence_id: str) -> Licence | None:
        return self._by_id.get(licence_id)

    def __getitem__(self, licence_id: str) -> Licence:
        return self._by_id[licence_id]

    def __contains__(self, licence_id: object) -> bool:
        return licence_id in self._by_id

    def __iter__(self) -> Iterator[Licence]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def all(self) -> tuple[Licence, ...]:
        return tuple(self._by_id.values())

    def hub_id_ci(self, value: str) -> str | None:
        """The Hub id equal to ``value`` ignoring case."""
        return self._hub_lower.get(value.lower())

    def hub_id_for_spdx(self, spdx_id: str) -> str | None:
        """The Hub id whose entry has this SPDX id (ignoring case)."""
        return self._hub_spdx_lower.get(spdx_id.lower())

    def for_spdx_key(self, key: str) -> Licence | None:
        """The entry carrying the facts of an SPDX expression member, if any."""
        licence_id = self._member.get(key.lower())
        return self._by_id[licence_id] if licence_id else None

    def id_for_name(self, name: str) -> str | None:
        return self._names.get(_squash(name))


@dataclass(frozen=True)
class Resolution:
    """What a declared licence value means."""

    raw: str
    status: str
    canonical: str | None = None
    licences: tuple[Licence, ...] = ()
    unknown_members: tuple[str, ...] = ()
    options: tuple[frozenset[str], ...] = ()
    suggestion: str | None = None
    error: str | None = None


# ---------------------------------------------------------------- loading


def _rules_dir() -> Path:
    # Installed wheel: commonslint/rules; source checkout: <repo>/rules.
    here = Path(__file__).parent
    packaged = here / "rules"
    return packaged if packaged.is_dir() else here.parent / "rules"


def _tri(value: Any, field: str, licence_id: str) -> bool | None:
    if value is True or value is False:
        return value
    if value == "unknown" or value is None:
        return None
    raise ValueError(f"{licence_id}: {field} must be true, false or unknown, not {value!r}")


def _entry(licence_id: str, raw: Mapping[str, Any]) -> Licence:
    classes = frozenset(raw.get("classes") or ())
    if bad := classes - CLASSES:
        raise ValueError(f"{licence_id}: unknown classes {sorted(bad)}")
    req = raw.get("requires") or {}
    share = raw.get("share_alike") or {}
    return Licence(
        id=licence_id,
        name=str(raw["name"]),
        spdx=raw.get("spdx"),
        scancode=raw.get("scancode"),
        on_hub=bool(raw.get("on_hub", False)),
        classes=classes,
        requires=Requires(
            text=bool(req.get("text", False)),
            notice=bool(req.get("notice", False)),
            attribution=bool(req.get("attribution", False)),
        ),
        use_restrictions=bool(raw.get("use_restrictions", False)),
        commercial=_tri(raw.get("commercial"), "commercial", licence_id),
        derivatives=_tri(raw.get("derivatives"), "derivatives", licence_id),
        sources=tuple(raw.get("sources") or ()),
        share_alike_compatible=tuple(share.get("compatible") or ()),
        family_members=tuple(raw.get("family_members") or ()),
        spdx_variants=tuple(raw.get("spdx_variants") or ()),
        suggest=raw.get("suggest"),
        notes=raw.get("notes"),
    )


def load_knowledge_base(path: Path | None = None) -> KnowledgeBase:
    """Read and build a knowledge base (uncached; use :func:`knowledge_base`)."""
    path = path or _rules_dir() / "licences.yaml"
    data = data_cache.load_yaml(path)  # parsed once, then read from the per-user cache
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of licence ids")
    return KnowledgeBase(_entry(str(k), v) for k, v in data.items())


@cache
def knowledge_base() -> KnowledgeBase:
    """The shipped knowledge base, loaded once per process."""
    return load_knowledge_base()


_licensing_lock = _thread.allocate_lock()
_licensing: Any = None


def _spdx_licensing() -> Any:
    """The SPDX ``Licensing`` object, built once and only when an expression needs it."""
    global _licensing
    if _licensing is None:
        with _licensing_lock:
            if _licensing is None:
                from license_expression import get_spdx_licensing

                _licensing = get_spdx_licensing()
    return _licensing


# ---------------------------------------------------------------- resolving

_TOKEN = re.compile(r"(\s+|[()])")
_OPERATORS = frozenset({"and", "or", "with"})
_LICENSEREF = re.compile(r"^(DocumentRef-[A-Za-z0-9.\-]+:)?LicenseRef-[A-Za-z0-9.\-]+$")

# Common ways people write a Hub id, keyed by _normalise(value). Checked before difflib because
# difflib alone gets some of these wrong (e.g. "llama-2" is nearer to "llama" than to "llama2").
_MISSPELLINGS: dict[str, str] = {
    "apache": "apache-2.0",
    "apache2": "apache-2.0",
    "apache-2": "apache-2.0",
    "apache2.0": "apache-2.0",
    "asl-2.0": "apache-2.0",
    "mit-license": "mit",
    "expat": "mit",
    "cc-by": "cc-by-4.0",
    "cc-by-sa": "cc-by-sa-4.0",
    "cc-by-nc": "cc-by-nc-4.0",
    "cc-by-nd": "cc-by-nd-4.0",
    "cc-by-nc-sa": "cc-by-nc-sa-4.0",
    "cc-by-nc-nd": "cc-by-nc-nd-4.0",
    "cc-by-4": "cc-by-4.0",
    "cc-by-sa-4": "cc-by-sa-4.0",
    "cc-by-nc-4": "cc-by-nc-4.0",
    "cc-by-nd-4": "cc-by-nd-4.0",
    "cc-by-nc-sa-4": "cc-by-nc-sa-4.0",
    "cc-by-nc-nd-4": "cc-by-nc-nd-4.0",
    "cc-by-3": "cc-by-3.0",
    "cc-by-sa-3": "cc-by-sa-3.0",
    "cc-by-nc-3": "cc-by-nc-3.0",
    "cc-by-nc-sa-3": "cc-by-nc-sa-3.0",
    "cc-by-nc-nd-3": "cc-by-nc-nd-3.0",
    "cc0": "cc0-1.0",
    "cc-0": "cc0-1.0",
    "cc-zero": "cc0-1.0",
    "public-domain": "cc0-1.0",
    "gpl2": "gpl-2.0",
    "gplv2": "gpl-2.0",
    "gpl-2": "gpl-2.0",
    "gpl3": "gpl-3.0",
    "gplv3": "gpl-3.0",
    "gpl-3": "gpl-3.0",
    "agpl": "agpl-3.0",
    "agpl3": "agpl-3.0",
    "agplv3": "agpl-3.0",
    "agpl-3": "agpl-3.0",
    "lgpl2.1": "lgpl-2.1",
    "lgpl3": "lgpl-3.0",
    "lgplv3": "lgpl-3.0",
    "bsd-2": "bsd-2-clause",
    "bsd-3": "bsd-3-clause",
    "bsd2": "bsd-2-clause",
    "bsd3": "bsd-3-clause",
    "boost": "bsl-1.0",
    "mpl2": "mpl-2.0",
    "mpl-2": "mpl-2.0",
    "llama-2": "llama2",
    "llama2-community": "llama2",
    "llama-3": "llama3",
    "llama-3.1": "llama3.1",
    "llama-3.2": "llama3.2",
    "llama-3.3": "llama3.3",
    "llama-4": "llama4",
    "gemma-terms-of-use": "gemma",
    "open-rail": "openrail",
    "open-rail-m": "openrail",
    "openrail-m": "openrail",
    "creativeml-openrail": "creativeml-openrail-m",
    "creativeml-open-rail-m": "creativeml-openrail-m",
    "creativeml-openrail-m-license": "creativeml-openrail-m",
    "bigscience-openrail": "bigscience-openrail-m",
    "bigscience-open-rail-m": "bigscience-openrail-m",
    "bigcode-openrail": "bigcode-openrail-m",
    "bigcode-open-rail-m": "bigcode-openrail-m",
    "bloom-rail": "bigscience-bloom-rail-1.0",
    "bigscience-bloom-rail": "bigscience-bloom-rail-1.0",
    "openrail-pp": "openrail++",
    "openrail-plus-plus": "openrail++",
    "creativeml-openrail++-m": "openrail++",
    "odc-by-1.0": "odc-by",
    "odbl-1.0": "odbl",
    "pddl-1.0": "pddl",
    "none": "unknown",
    "n-a": "unknown",
    "proprietary": "other",
    "custom": "other",
}
_FILLER = frozenset({"license", "licence", "the", "version", "v", "public", "software"})


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9+]", "", text.lower())


def _normalise(value: str) -> str:
    """Lower-case, words joined by '-', filler words and a 'v' before a version dropped."""
    words = re.split(r"[\s_/]+", value.lower())
    words = [re.sub(r"[^a-z0-9.+-]", "", w) for w in words]
    words = [re.sub(r"^v(?=\d)", "", w) for w in words if w and w not in _FILLER]
    return "-".join(words)


def _suggest(value: str) -> str | None:
    kb = knowledge_base()
    norm = _normalise(value)
    if not norm:
        return None
    for candidate in (norm, norm.replace("licence", "license")):
        if hit := kb.hub_id_ci(candidate):
            return hit
        if hit := _MISSPELLINGS.get(candidate):
            return hit
        if (entry := kb.get(candidate)) is not None and entry.suggest:
            return entry.suggest
        if hit := kb.hub_id_for_spdx(candidate):
            return hit
    if hit := kb.id_for_name(value):
        return hit
    squashed = _squash(norm)
    for licence_id in kb.ids:
        if _squash(licence_id) == squashed:
            return licence_id
    import difflib  # only needed for values nobody spelt right

    close = difflib.get_close_matches(norm, kb.ids, n=1, cutoff=0.75)
    return close[0] if close else None


def _suggest_other(value: str) -> str | None:
    """A suggestion for a bad expression member, unless it would repeat the member."""
    hit = _suggest(value)
    return hit if hit and hit.lower() != value.lower() else None


def _single(raw: str, status: str, entry: Licence, canonical: str | None = None) -> Resolution:
    return Resolution(
        raw=raw,
        status=status,
        canonical=canonical,
        licences=(entry,),
        options=(frozenset({entry.id}),),
        suggestion=entry.suggest if status == "unknown" else None,
    )


def resolve(value: str) -> Resolution:
    """Resolve one declared licence value (lists: see :func:`resolve_all`)."""
    # A Resolution is frozen and depends only on the value and the shipped knowledge base, and
    # the same few values (`mit`, `apache-2.0`) come card after card: each is resolved once.
    if type(value) is str and len(value) <= _CACHED_VALUE_LEN:
        return _resolve_cached(value)
    return _resolve(value)


_CACHED_VALUE_LEN = 200  # longer values are rare, and would only crowd the cache


@lru_cache(maxsize=4096)
def _resolve_cached(value: str) -> Resolution:
    return _resolve(value)


def _resolve(value: str) -> Resolution:
    raw = value
    text = value.strip()
    if not text:
        return Resolution(raw=raw, status="empty")
    kb = knowledge_base()

    entry = kb.get(text)
    if entry is not None and entry.on_hub:
        return _single(raw, "hub-id", entry)
    if entry is not None:
        # A licence we know but the Hub does not list (e.g. `llama`, `tii-falcon-llm`): the Hub
        # will not accept it, but its facts still apply.
        return _single(raw, "unknown", entry)

    hub_id = kb.hub_id_ci(text) or kb.hub_id_for_spdx(text)
    if hub_id is not None:
        return _single(raw, "non-canonical", kb[hub_id], canonical=hub_id)

    return _resolve_expression(raw, text, kb)


def _resolve_expression(raw: str, text: str, kb: KnowledgeBase) -> Resolution:
    tokens = _TOKEN.split(text)
    words = [t for t in tokens if t and not t.isspace() and t not in "()"]
    is_expression = "(" in text or any(w.lower() in _OPERATORS for w in words)
    if not is_expression and len(words) > 1:
        # "apache 2.0", "Apache License 2.0": a name, not an expression.
        return Resolution(raw=raw, status="unknown", suggestion=_suggest(text))

    # Keep the Hub meaning of Hub ids inside expressions (`gpl`, `openrail++`, ...).
    rewritten = []
    for tok in tokens:
        hub_id = kb.hub_id_ci(tok) if tok and tok.lower() not in _OPERATORS else None
        spdx = kb[hub_id].spdx if hub_id else None
        rewritten.append(spdx or tok)

    licensing = _spdx_licensing()
    try:
        parsed = licensing.parse("".join(rewritten), strict=True)
    except Exception as exc:  # license-expression raises several unrelated types
        if not is_expression:
            return Resolution(raw=raw, status="unknown", suggestion=_suggest(text))
        return Resolution(raw=raw, status="invalid-expression", error=str(exc))
    if parsed is None:
        return Resolution(raw=raw, status="empty")

    invalid = [
        key
        for key in licensing.unknown_license_keys(parsed, unique=True)
        if not _LICENSEREF.match(key)
    ]
    if invalid:
        if not is_expression:
            return Resolution(raw=raw, status="unknown", suggestion=_suggest(text))
        return Resolution(
            raw=raw,
            status="invalid-expression",
            error="Unknown license key(s): " + ", ".join(invalid),
            suggestion=_suggest_other(invalid[0]),
        )

    licences: dict[str, Licence] = {}
    unknown: dict[str, None] = {}

    def member(symbol: Any) -> str:
        # WITH adds an exception (extra permissions) to a licence: the licence carries the facts.
        key = str(getattr(symbol, "license_symbol", symbol).key)
        entry = kb.for_spdx_key(key)
        if entry is None:
            unknown[key] = None
            return key
        licences.setdefault(entry.id, entry)
        return entry.id

    options = _options(parsed, licensing, member)
    return Resolution(
        raw=raw,
        status="spdx-expression",
        licences=tuple(licences.values()),
        unknown_members=tuple(unknown),
        options=options,
    )


def _options(node: Any, licensing: Any, member: Any) -> tuple[frozenset[str], ...]:
    """Disjunctive normal form: each option is a set of licences taken together."""
    if isinstance(node, licensing.OR):
        out: list[frozenset[str]] = []
        for arg in node.args:
            out.extend(_options(arg, licensing, member))
    elif isinstance(node, licensing.AND):
        out = [frozenset()]
        for arg in node.args:
            out = [a | b for a in out for b in _options(arg, licensing, member)]
            del out[_MAX_OPTIONS:]
    else:
        out = [frozenset({member(node)})]
    return tuple(dict.fromkeys(out))[:_MAX_OPTIONS]


def resolve_all(value: str | list[Any] | tuple[Any, ...] | None) -> tuple[Resolution, ...]:
    """Resolve a ``license:`` value that may be a list (dataset cards may list several ids)."""
    if value is None:
        return (resolve(""),)
    if isinstance(value, list | tuple):
        return tuple(resolve("" if v is None else str(v)) for v in value)
    return (resolve(str(value)),)


# ---------------------------------------------------------------- questions rules ask


def _member_facts(option: frozenset[str]) -> list[Licence | None]:
    kb = knowledge_base()
    return [kb.get(m) for m in option]


def permits_commercial(res: Resolution) -> bool | None:
    """True if some option allows commercial use, False if none does, None if unknown.

    An option fails if any member is non-commercial or research-only; it is unknown if a member's
    commercial terms are unknown or the member is not in the knowledge base.
    """
    verdicts: list[bool | None] = []
    for option in res.options:
        verdict: bool | None = True
        for entry in _member_facts(option):
            if entry is not None and (entry.is_non_commercial or entry.commercial is False):
                verdict = False
                break
            if entry is None or entry.commercial is None:
                verdict = None
        verdicts.append(verdict)
    if True in verdicts:
        return True
    if None in verdicts or not verdicts:
        return None
    return False


def carries_use_restrictions(res: Resolution) -> bool:
    """True if every way of taking the licence includes a member with use restrictions."""
    if not res.options:
        return False
    return all(
        any(e is not None and e.use_restrictions for e in _member_facts(option))
        for option in res.options
    )


def share_alike_compatible(parent: Licence, child: Resolution) -> bool:
    """Whether a derivative under ``child`` keeps the share-alike terms of ``parent``.

    Accepted (CC BY-SA 4.0 §3(b)(1) and the like): the same licence, the later versions and
    announced compatible licences listed in the parent's ``share_alike.compatible`` (e.g. BY-SA
    3.0 -> 4.0, BY-SA 4.0 -> GPLv3 one way).
    Every option of the child must contain such a licence: ``cc-by-sa-4.0 OR mit`` would let a
    licensee take MIT alone, so it does not keep the terms; ``cc-by-sa-4.0 AND mit`` does.
    A child that cannot be resolved to any licence is not compatible (conservative). A parent
    that is not share-alike imposes nothing, so the answer is True.
    """
    if not parent.is_share_alike:
        return True
    accepted = set(parent.share_alike_compatible or (parent.id,))
    if not child.options:
        return False
    return all(option & accepted for option in child.options)


def _benchmark() -> None:  # pragma: no cover - run by hand: python -m commonslint.licences
    import sys
    import time

    def ms(fn: Any, n: int = 1) -> float:
        t = time.perf_counter()
        for _ in range(n):
            fn()
        return (time.perf_counter() - t) * 1000 / n

    cold_kb = ms(knowledge_base)
    print(f"knowledge_base() cold       {cold_kb:8.3f} ms")
    print(f"knowledge_base() warm       {ms(knowledge_base, 1000):8.4f} ms")
    print(f"resolve('apache-2.0')       {ms(lambda: resolve('apache-2.0'), 1000):8.4f} ms")
    print(f"resolve('Apache-2.0')       {ms(lambda: resolve('Apache-2.0'), 1000):8.4f} ms")
    print(f"license_expression loaded:  {'license_expression' in sys.modules}")
    expr = "Apache-2.0 OR (MIT AND BSD-3-Clause)"
    print(f"resolve(expr) cold          {ms(lambda: resolve(expr)):8.3f} ms")
    print(f"resolve(expr) warm          {ms(lambda: resolve(expr), 200):8.4f} ms")


if __name__ == "__main__":  # pragma: no cover
    _benchmark()
