"""What one repository says about the commons: its licence class and the commons indicators.

An audit asks, of every repository, the five questions of the project (README, issue 6): does it
declare a licence that is what it says, does it keep its parents' terms, does it pass on use
restrictions, does it report its emissions, does it have a code of conduct. Each answer is read
from the facts and from which rules fired, never recomputed, so an audit says exactly what
`commonslint .` says about each repository. The definitions live here, in one place, and the
summary repeats them (`INDICATORS`) so that a reader of the numbers knows what was counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# Rules whose firing means the declared licence is not "what it says": unknown id, `other`
# without name or link, a broken link, a licence file that says otherwise, a placeholder.
LICENCE_UNCLEAR = frozenset({"CL102", "CL103", "CL104", "CL106", "CL107"})
# Obligations inherited from parents, from the lineage rule pack: share-alike (CC BY-SA 4.0
# §3(b)), non-commercial (CC BY-NC 4.0 §2(a)(1)), no-derivatives (CC BY-ND 4.0 §2(a)(1)(B)),
# community terms (Llama community licences §1.b.i), NOTICE files (Apache-2.0 §4(d)). CL205
# (share-alike training data) is left out: whether such terms bind a model is unsettled law, a
# question for review rather than a term shown broken.
PARENT_TERMS_NOT_KEPT = frozenset({"CL109", "CL201", "CL203", "CL204", "CL207"})
# Use restrictions not passed on: a RAIL (or Gemma/Llama) parent's restrictions dropped, or the
# repository's own RAIL licence file without its Attachment A.
RESTRICTIONS_NOT_PASSED = frozenset({"CL202", "CL301"})
OBLIGATION_CODES = PARENT_TERMS_NOT_KEPT | RESTRICTIONS_NOT_PASSED

INDICATORS: dict[str, str] = {
    "licence_declared": "the card's metadata declares a `license` (CL101 does not fire)",
    "licence_clear": (
        "a licence is declared and is what it says: none of "
        + ", ".join(sorted(LICENCE_UNCLEAR))
        + " fires"
    ),
    "parent_terms_kept": (
        "of repositories naming a parent (`base_model` or `datasets`) whose licence is known: "
        "none of " + ", ".join(sorted(PARENT_TERMS_NOT_KEPT)) + " fires"
    ),
    "restrictions_passed": (
        "of repositories under a use-restricted licence or with a finding about one: none of "
        + ", ".join(sorted(RESTRICTIONS_NOT_PASSED))
        + " fires"
    ),
    "emissions_reported": "`co2_eq_emissions` is given and its value is a usable number",
    "code_of_conduct": (
        "a CODE_OF_CONDUCT file at the root, docs/ or .github/ that is filled in (not asked of "
        "a card read alone from a JSON Lines or Parquet file: its other files are unknown)"
    ),
}

# The licence landscape groups a repository by its most restrictive declared licence, in this
# order (a card declaring both MIT and CC-BY-NC is, to a user, non-commercial).
LICENCE_CLASSES: tuple[tuple[str, str], ...] = (
    ("no card", "no README.md, or one that cannot be read"),
    ("no metadata", "the card has no front matter the Hub reads (missing, invalid, not a mapping)"),
    ("none declared", "the metadata has no `license`"),
    ("not recognised", "the value is neither a Hub licence id nor a valid SPDX expression"),
    ("RAIL / use-restricted", "a Responsible AI licence or another licence with use restrictions"),
    ("non-commercial", "non-commercial or research-only terms"),
    ("no-derivatives", "no derivatives may be shared"),
    ("share-alike", "derivatives must keep the licence (CC-BY-SA, GPL, ...)"),
    ("weak copyleft", "file- or library-level copyleft (LGPL, MPL, EPL, ...)"),
    ("custom", "a model licence of its own (Llama, Gemma, ...)"),
    ("other", "`license: other`: terms named by `license_name`/`license_link`"),
    ("placeholder", "`unknown`, or a family id that names no single text (`openrail`, `cc`, ...)"),
    ("permissive", "permissive (Apache-2.0, MIT, BSD, ...)"),
    ("public domain", "public-domain dedications (CC0, Unlicense, ...)"),
)
_CLASS_ORDER: tuple[tuple[str, frozenset[str]], ...] = (
    ("RAIL / use-restricted", frozenset({"rail", "use-restricted"})),
    ("non-commercial", frozenset({"non-commercial", "research-only"})),
    ("no-derivatives", frozenset({"no-derivatives"})),
    ("share-alike", frozenset({"share-alike"})),
    ("weak copyleft", frozenset({"weak-copyleft"})),
    ("custom", frozenset({"custom"})),
)


def licence_class(facts: dict[str, Any]) -> str:
    """The licence landscape's label for one repository (see LICENCE_CLASSES)."""
    card = facts.get("card", {})
    if not card.get("readable"):
        return "no card"
    if not card.get("ok"):
        return "no metadata"
    licence = facts.get("licence", {})
    if not licence.get("declared"):
        return "none declared"
    entries = licence.get("entries") or []
    if not entries or licence.get("unknown"):
        return "not recognised"
    classes = {c for e in entries for c in e.get("classes", ())}
    ids = {e.get("id") for e in entries}
    for label, wanted in _CLASS_ORDER:
        if classes & wanted:
            return label
    if "other" in ids:
        return "other"
    if "placeholder" in classes or "family" in classes:
        return "placeholder"
    if "permissive" in classes:
        return "permissive"
    if "public-domain" in classes:
        return "public domain"
    return "placeholder"


def parents(facts: dict[str, Any]) -> tuple[int, int]:
    """(parents named, parents whose licence is known), from the lineage facts when the
    lineage pack is there, else from `base_model`/`datasets` (then none is known)."""
    lineage = facts.get("lineage")
    if isinstance(lineage, dict) and isinstance(lineage.get("parents"), list):
        named = lineage["parents"]
        known = [p for p in named if (p.get("licence") or {}).get("known")]
        return len(named), len(known)
    meta = facts.get("card", {}).get("meta") or {}
    count = 0
    for key in ("base_model", "datasets"):
        value = meta.get(key)
        if isinstance(value, str) and value:
            count += 1
        elif isinstance(value, list):
            count += sum(1 for v in value if isinstance(v, str) and v)
    return count, 0


INDICATOR_RULES: dict[str, frozenset[str]] = {
    "licence_declared": frozenset({"CL101"}),
    "licence_clear": LICENCE_UNCLEAR,
    "parent_terms_kept": PARENT_TERMS_NOT_KEPT,
    "restrictions_passed": RESTRICTIONS_NOT_PASSED,
    "emissions_reported": frozenset({"CL501", "CL502"}),
    "code_of_conduct": frozenset({"CL401", "CL402"}),
}
# Indicators read from findings alone: without any of their rules running they measure nothing.
_BY_FINDINGS = ("parent_terms_kept", "restrictions_passed")


def indicators(
    facts: dict[str, Any], codes: Iterable[str], active: frozenset[str] | None = None
) -> dict[str, bool | None]:
    """The commons indicators of one repository; None where a question does not apply, or
    cannot be answered because none of its rules ran (`active`: the codes that ran)."""
    fired = set(codes)
    licence = facts.get("licence", {})
    emissions = facts.get("emissions", {})
    coc = facts.get("governance", {}).get("code_of_conduct") or {}
    declared = bool(licence.get("declared"))
    restricted = bool(licence.get("use_restrictions") or licence.get("rail"))
    answers: dict[str, bool | None] = {
        "licence_declared": declared,
        "licence_clear": declared and not (fired & LICENCE_UNCLEAR),
        "parent_terms_kept": (
            not (fired & PARENT_TERMS_NOT_KEPT)
            if parents(facts)[1] or fired & PARENT_TERMS_NOT_KEPT
            else None
        ),
        "restrictions_passed": (
            not (fired & RESTRICTIONS_NOT_PASSED)
            if restricted or fired & RESTRICTIONS_NOT_PASSED
            else None
        ),
        "emissions_reported": bool(emissions.get("present")) and not emissions.get("problem"),
        # A card read from a corpus file says nothing about the repository's other files.
        "code_of_conduct": None
        if facts.get("repo", {}).get("card_only")
        else bool(coc.get("path")) and coc.get("status") == "ok",
    }
    if active is not None:
        for name in _BY_FINDINGS:
            if not INDICATOR_RULES[name] & active:
                answers[name] = None
    return answers
