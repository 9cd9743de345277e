"""What a parent's licence passes down, and whether a child's licence keeps it.

Pure functions over `commonslint.licences` resolutions, tested on their own; the rules in
`rules/lineage.yaml` only read their answers. The clauses they rest on: share-alike CC BY-SA 4.0
§3(b); RAIL ¶4(a) (BigCode OpenRAIL-M v1 ¶5.1); Llama community licences §1.b; Gemma Terms of Use
§3.1; non-commercial CC BY-NC 4.0 §2(a)(1); no-derivatives CC BY-ND 4.0 §2(a)(1)(B); NOTICE files
Apache-2.0 §4(d). Each licence's sources are in `rules/licences.yaml`.

A parent may declare several licences (dataset cards list them) and a licence may be an SPDX
expression. Obligations of one declared value bind only if every option of its expression carries
them (``cc-by-sa-4.0 OR mit`` lets a user take MIT); obligations of several declared values are
all taken together, which is the conservative reading of a list whose meaning the Hub leaves open.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache

from commonslint.licences import (
    Licence,
    Resolution,
    carries_use_restrictions,
    knowledge_base,
    permits_commercial,
    resolve,
    share_alike_compatible,
)

PLACEHOLDERS = frozenset({"other", "unknown"})

# Llama community licences: what §1.b.i asks of a derivative (meta-llama/llama-models
# `models/*/LICENSE`). Llama 2 asks for neither a "Built with" line nor a name prefix; LLaMA 1 is
# non-commercial research only.
LLAMA_TERMS: dict[str, tuple[str | None, str | None]] = {
    "llama2": (None, None),
    "llama3": ("Built with Meta Llama 3", "Llama 3"),
    "llama3.1": ("Built with Llama", "Llama"),
    "llama3.2": ("Built with Llama", "Llama"),
    "llama3.3": ("Built with Llama", "Llama"),
    "llama4": ("Built with Llama", "Llama"),
}

# The Hub organisation of each community licence's licensor. A licensor is not bound by its own
# licence, so its own releases (Meta's Llama repositories, Google's Gemma ones) owe no NOTICE
# file or "Built with" line to themselves.
LICENSORS: dict[str, str] = {
    "llama2": "meta-llama",
    "llama3": "meta-llama",
    "llama3.1": "meta-llama",
    "llama3.2": "meta-llama",
    "llama3.3": "meta-llama",
    "llama4": "meta-llama",
    "gemma": "google",
}


@dataclass(frozen=True)
class LicenceView:
    """A declared licence (one or several values) with what it binds a derivative to.

    Every answer depends only on the resolutions and the shipped knowledge base, so each is
    worked out once per view (`cached_property` writes past the frozen dataclass) and `view`
    shares views between cards; the methods hand out new lists, as before.
    """

    raw: tuple[str, ...]
    resolutions: tuple[Resolution, ...]

    @cached_property
    def known(self) -> tuple[Resolution, ...]:
        """Resolutions that name at least one licence the knowledge base has facts for."""
        return tuple(
            r
            for r in self.resolutions
            if r.licences and not all(e.id in PLACEHOLDERS for e in r.licences)
        )

    @cached_property
    def entries(self) -> tuple[Licence, ...]:
        seen: dict[str, Licence] = {}
        for res in self.known:
            for entry in res.licences:
                seen.setdefault(entry.id, entry)
        return tuple(seen.values())

    @property
    def ids(self) -> list[str]:
        return [e.id for e in self.entries]

    def _binding(self, test: Callable[[Licence], bool]) -> tuple[Licence, ...]:
        """Entries with the property that bind: every option of their value carries one."""
        kb = knowledge_base()
        found: dict[str, Licence] = {}
        for res in self.known:
            if not res.options:
                continue
            if all(any((e := kb.get(m)) is not None and test(e) for m in o) for o in res.options):
                for entry in res.licences:
                    if test(entry):
                        found.setdefault(entry.id, entry)
        return tuple(found.values())

    @cached_property
    def _share_alike(self) -> tuple[Licence, ...]:
        return self._binding(lambda e: e.is_share_alike)

    @cached_property
    def _no_derivatives(self) -> tuple[Licence, ...]:
        return self._binding(lambda e: e.is_no_derivatives)

    @cached_property
    def _use_restricted(self) -> tuple[Licence, ...]:
        return tuple(
            e
            for res in self.known
            if carries_use_restrictions(res)
            for e in res.licences
            if e.use_restrictions
        )

    @cached_property
    def _non_commercial(self) -> bool:
        return any(permits_commercial(res) is False for res in self.known)

    @cached_property
    def _permits_commercial(self) -> bool | None:
        if not self.known:
            return None
        verdicts = [permits_commercial(res) for res in self.known]
        if False in verdicts:
            return False
        return None if None in verdicts else True

    @cached_property
    def _carries_use_restrictions(self) -> bool:
        return bool(self.known) and any(carries_use_restrictions(r) for r in self.known)

    @cached_property
    def summary(self) -> tuple[bool, tuple[str, ...], bool | None, bool, bool]:
        """(known, ids, permits commercial use, share-alike, carries use restrictions): what
        `lineage.facts` records of a card's own licence."""
        return (
            bool(self.known),
            tuple(self.ids),
            self._permits_commercial,
            bool(self._share_alike),
            self._carries_use_restrictions,
        )

    def share_alike(self) -> list[Licence]:
        return list(self._share_alike)

    def no_derivatives(self) -> list[Licence]:
        return list(self._no_derivatives)

    def use_restricted(self) -> list[Licence]:
        return list(self._use_restricted)

    def non_commercial(self) -> bool:
        return self._non_commercial

    def permits_commercial(self) -> bool | None:
        """True when every declared value allows commercial use in some option."""
        return self._permits_commercial

    def carries_use_restrictions(self) -> bool:
        return self._carries_use_restrictions

    def keeps_share_alike(self, parent: Licence) -> bool:
        return any(share_alike_compatible(parent, res) for res in self.known)

    def is_share_alike(self) -> bool:
        return bool(self._share_alike)

    def requires_notice(self) -> list[Licence]:
        return [e for e in self.entries if e.requires.notice]

    def llama(self) -> list[str]:
        return [e.id for e in self.entries if e.id in LLAMA_TERMS]


def view(values: Iterable[str], licence_name: str | None = None) -> LicenceView:
    """Resolve declared values; `other`/`unknown` defer to `license_name` when that is known.

    Fine-tunes of Llama commonly write `license: other` with `license_name: llama3`; the name then
    says which terms apply, and the knowledge base knows them.
    """
    raw = tuple(str(v).strip() for v in values if v is not None and str(v).strip())
    if (licence_name is None or type(licence_name) is str) and (
        sum(map(len, raw)) + len(licence_name or "") <= _CACHED_LEN
    ):
        # The same few licences come card after card, parent after parent.
        return _cached_view(raw, licence_name)
    return _view(raw, licence_name)


_CACHED_LEN = 400  # longer values are rare: not worth keeping


@lru_cache(maxsize=1024)
def _cached_view(raw: tuple[str, ...], licence_name: str | None) -> LicenceView:
    return _view(raw, licence_name)


def _view(raw: tuple[str, ...], licence_name: str | None) -> LicenceView:
    resolutions = [resolve(v) for v in raw]
    placeholder_only = all(
        r.licences and all(e.id in PLACEHOLDERS for e in r.licences) for r in resolutions
    )
    if licence_name and (placeholder_only or not resolutions):
        # A `license_name` is a short id (`llama3`), not an SPDX expression: look it up in the
        # knowledge base only, so an unknown name never costs building the SPDX parser.
        kb = knowledge_base()
        name = str(licence_name).strip()
        known = name if name in kb else kb.hub_id_ci(name) or kb.id_for_name(name)
        named = resolve(known) if known else None
        if named and named.licences and not all(e.id in PLACEHOLDERS for e in named.licences):
            resolutions.append(named)
    return LicenceView(raw, tuple(resolutions))


def describe_obligations(lic: LicenceView, notice_file: bool | None) -> list[str]:
    """Plain-language list of what the licence passes down to a derivative, for the tree."""
    out: list[str] = []
    entries = lic.entries
    if any(e.requires.text for e in entries):
        out.append("ship a copy of the licence")
    if any(e.requires.attribution for e in entries):
        out.append("keep attribution and notices")
    for entry in lic.share_alike():
        accepted = ", ".join(entry.share_alike_compatible or (entry.id,))
        out.append(f"share-alike: adaptations only under {accepted}")
    if lic.use_restricted():
        out.append("pass the use restrictions on to every user, in an enforceable licence")
    if lic.non_commercial():
        out.append("no commercial use")
    if lic.no_derivatives():
        out.append("no sharing of adapted material")
    for llama_id in lic.llama():
        phrase, prefix = LLAMA_TERMS[llama_id]
        if phrase:
            out.append(f'display "{phrase}"; name derived models beginning "{prefix}"')
    if lic.requires_notice():
        out.append("ship a NOTICE text file with the licence's attribution sentence")
    if notice_file:
        out.append("keep the attribution notices of the parent's NOTICE file (Apache-2.0 §4(d))")
    if any(e.id == "bigcode-openrail-m" for e in entries):
        out.append("document the changes in the card (BigCode OpenRAIL-M ¶5.2(b))")
    return out
