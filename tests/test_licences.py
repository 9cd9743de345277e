"""Tests for the licence knowledge base and resolver (commonslint.licences)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from license_expression import Licensing, get_spdx_licensing

from commonslint.licences import (
    CLASSES,
    STATUSES,
    Licence,
    Resolution,
    carries_use_restrictions,
    knowledge_base,
    permits_commercial,
    resolve,
    resolve_all,
    share_alike_compatible,
)

REPO = Path(__file__).parents[1]
SHARED = REPO.parent / "shared"
DOMAIN = SHARED / "DOMAIN.md"
CARDS = SHARED / "corpus" / "cards"

needs_shared = pytest.mark.skipif(not DOMAIN.is_file(), reason="../shared not present")


def _domain_table() -> list[tuple[str, str, str]]:
    """(Hub id, SPDX cell, ScanCode cell) for each row of DOMAIN.md §1.1."""
    text = DOMAIN.read_text(encoding="utf-8")
    start = text.index("### 1.1 Full table")
    end = text.index("### 1.2", start)
    rows = []
    for line in text[start:end].splitlines():
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rows.append((cells[0].strip("`"), cells[2], cells[3]))
    return rows


def _first_token(cell: str) -> str | None:
    token = cell.split()[0].strip("*`") if cell else ""
    return None if not token or token.startswith(("—", "(")) else token


@pytest.fixture(scope="module")
def spdx_licensing():
    return get_spdx_licensing()


# ------------------------------------------------------------ the knowledge base


@needs_shared
def test_every_hub_id_of_domain_table_is_in_the_kb_in_order():
    table_ids = [row[0] for row in _domain_table()]
    assert len(table_ids) == 83
    assert list(knowledge_base().ids) == table_ids
    for licence_id in table_ids:
        assert knowledge_base()[licence_id].on_hub


@needs_shared
def test_spdx_and_scancode_ids_agree_with_domain_table():
    kb = knowledge_base()
    for licence_id, spdx_cell, scancode_cell in _domain_table():
        entry = kb[licence_id]
        spdx = _first_token(spdx_cell)
        if spdx is not None:
            assert entry.spdx == spdx, licence_id
        else:
            assert entry.spdx is None or entry.spdx.startswith("LicenseRef-"), licence_id
        scancode = _first_token(scancode_cell)
        if licence_id == "unknown":
            # §1.4 item 8: the ScanCode `unknown` key is not the Hub placeholder.
            assert entry.scancode is None
        else:
            assert entry.scancode == scancode, licence_id


def test_off_hub_entries_required_by_the_brief():
    kb = knowledge_base()
    for licence_id in (
        "llama",
        "deepseek-license",
        "stability-ai-community",
        "tii-falcon-llm",
        "openrail-m",
    ):
        entry = kb[licence_id]
        assert not entry.on_hub
        assert entry.suggest in kb.ids
        assert licence_id not in kb.ids


def test_every_entry_is_complete():
    kb = knowledge_base()
    assert len(kb) == len(kb.all()) >= 88
    for entry in kb:
        assert entry.name, entry.id
        assert entry.classes and entry.classes <= CLASSES, entry.id
        assert entry.sources and all(isinstance(s, str) and s for s in entry.sources), entry.id
        if entry.is_share_alike:
            assert entry.share_alike_compatible, entry.id
        else:
            assert not entry.share_alike_compatible, entry.id
        if entry.is_family:
            assert entry.family_members, entry.id
        if entry.is_placeholder:
            assert entry.spdx is None and entry.scancode is None
        else:
            assert entry.spdx, entry.id
        if (entry.notes or "").startswith("UNVERIFIED, text not read"):
            # A licence known by name only must not claim more freedom than we know of.
            assert entry.commercial is not True, entry.id
            assert not entry.is_permissive or entry.commercial is None, entry.id


def test_every_spdx_value_is_valid(spdx_licensing):
    syntax_only = Licensing()
    known = {str(s.key).lower() for s in spdx_licensing.known_symbols.values()}
    for entry in knowledge_base():
        for key in filter(None, (entry.spdx, *entry.spdx_variants)):
            syntax_only.parse(key, strict=True)  # raises on invalid characters such as "+"
            if key.startswith("LicenseRef-commonslint-"):
                assert re.fullmatch(r"LicenseRef-commonslint-[A-Za-z0-9.\-]+", key), key
            else:
                assert key.lower() in known, f"{entry.id}: {key} unknown to license-expression"
                assert str(spdx_licensing.parse(key)) == key, f"{entry.id}: {key} not canonical"
        if entry.scancode:
            ref = f"LicenseRef-scancode-{entry.scancode}"
            assert ref.lower() in known or entry.spdx.lower() in known, entry.id


def test_family_members_and_compatible_ids_exist(spdx_licensing):
    kb = knowledge_base()
    for entry in kb:
        for ref in (*entry.family_members, *entry.share_alike_compatible):
            if ref not in kb:
                assert not spdx_licensing.unknown_license_keys(spdx_licensing.parse(ref)), ref
    assert set(kb["bsd"].family_members) == {"bsd-2-clause", "bsd-3-clause", "bsd-3-clause-clear"}
    assert {
        "bigscience-openrail-m",
        "creativeml-openrail-m",
        "bigscience-bloom-rail-1.0",
        "bigcode-openrail-m",
        "openrail++",
    } <= set(kb["openrail"].family_members)
    for family in ("openrail", "bsd", "cc", "gpl", "lgpl", "gfdl"):
        assert kb[family].is_family


def test_groupings_of_domain_1_2():
    kb = knowledge_base()
    rail = [
        "openrail",
        "bigscience-openrail-m",
        "creativeml-openrail-m",
        "bigscience-bloom-rail-1.0",
        "bigcode-openrail-m",
        "openrail++",
    ]
    assert all("rail" in kb[i].classes and kb[i].is_rail for i in rail)
    assert all(
        kb[i].is_rail
        for i in ("gemma", "llama2", "llama3", "llama3.1", "llama3.2", "llama3.3", "llama4")
    )
    share_alike = [
        "cc-by-sa-3.0",
        "cc-by-sa-4.0",
        "cc-by-nc-sa-2.0",
        "cc-by-nc-sa-3.0",
        "cc-by-nc-sa-4.0",
        "gpl",
        "gpl-2.0",
        "gpl-3.0",
        "agpl-3.0",
        "gfdl",
        "osl-3.0",
        "odbl",
        "cdla-sharing-1.0",
        "eupl-1.1",
        "eupl-1.2",
    ]
    assert {e.id for e in kb if e.is_share_alike} == set(share_alike)
    nc = [
        "cc-by-nc-2.0",
        "cc-by-nc-3.0",
        "cc-by-nc-4.0",
        "cc-by-nc-sa-2.0",
        "cc-by-nc-sa-3.0",
        "cc-by-nc-sa-4.0",
        "cc-by-nc-nd-3.0",
        "cc-by-nc-nd-4.0",
        "fair-noncommercial-research-license",
        "deepfloyd-if-license",
        "apple-amlr",
        "intel-research",
        "h-research",
    ]
    assert {e.id for e in kb if e.on_hub and e.is_non_commercial} == set(nc)
    assert all(kb[i].commercial is False for i in nc)
    assert {e.id for e in kb if e.is_no_derivatives} == {
        "cc-by-nd-4.0",
        "cc-by-nc-nd-3.0",
        "cc-by-nc-nd-4.0",
    }
    for research in ("deepfloyd-if-license", "apple-amlr", "intel-research", "h-research"):
        assert {"research-only", "non-commercial"} <= kb[research].classes
        assert "UNVERIFIED" in (kb[research].notes or "")
    assert {e.id for e in kb if e.is_placeholder} == {"unknown", "other"}


def test_obligations_cited_in_rules():
    kb = knowledge_base()
    # CL105: text must travel (Apache §4(a), RAIL ¶4(b), Llama §1.b.i, Gemma §3.1, other).
    for i in ("apache-2.0", "openrail++", "bigcode-openrail-m", "llama3.1", "gemma", "other"):
        assert kb[i].requires.text, i
    # CL109: a NOTICE file the licence itself requires (Llama §1.b.iii, Gemma §3.1(4)).
    assert {e.id for e in kb if e.on_hub and e.requires.notice} == {
        "llama2",
        "llama3",
        "llama3.1",
        "llama3.2",
        "llama3.3",
        "llama4",
        "gemma",
    }
    assert not kb["apache-2.0"].requires.notice
    assert not kb["cc-by-4.0"].requires.text  # a URI is enough (§3(a)(1)(C))
    assert not kb["cc0-1.0"].requires.attribution


def test_permissive_property():
    kb = knowledge_base()
    assert kb["mit"].is_permissive and kb["cc0-1.0"].is_permissive and kb["bsd"].is_permissive
    assert not kb["cc-by-sa-4.0"].is_permissive
    assert not kb["openrail"].is_permissive
    assert not kb["cc"].is_permissive


def test_knowledge_base_is_cached():
    assert knowledge_base() is knowledge_base()


# ------------------------------------------------------------ resolving


def test_exact_hub_ids_resolve_as_hub_ids():
    for licence_id in knowledge_base().ids:
        res = resolve(licence_id)
        assert res.status == "hub-id", licence_id
        assert res.licences == (knowledge_base()[licence_id],)
        assert res.options == (frozenset({licence_id}),)
        assert res.canonical is None and res.suggestion is None


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("Apache-2.0", "apache-2.0"),
        ("MIT", "mit"),
        ("CC-BY-SA-4.0", "cc-by-sa-4.0"),
        ("GPL-3.0-only", "gpl-3.0"),
        ("GPL-3.0", "gpl-3.0"),
        ("AGPL-3.0-only", "agpl-3.0"),
        ("LGPL-2.1-only", "lgpl-2.1"),
        ("BSL-1.0", "bsl-1.0"),
        ("ODbL-1.0", "odbl"),
        ("PDDL-1.0", "pddl"),
        ("CC0-1.0", "cc0-1.0"),
        ("Unknown", "unknown"),
        ("LicenseRef-scancode-llama-2-license-2023", "llama2"),
        ("LicenseRef-commonslint-openrail-pp", "openrail++"),
    ],
)
def test_non_canonical(raw: str, canonical: str):
    res = resolve(raw)
    assert res.status == "non-canonical"
    assert res.canonical == canonical
    assert [lic.id for lic in res.licences] == [canonical]


def test_empty_values():
    assert resolve("").status == "empty"
    assert resolve("   ").status == "empty"
    assert resolve_all(None)[0].status == "empty"


# ---- DOMAIN §1.4 traps, one test each


def test_trap1_bsl_is_boost_not_business_source():
    res = resolve("bsl-1.0")
    assert res.status == "hub-id"
    entry = res.licences[0]
    assert "Boost" in entry.name and entry.scancode == "boost-1.0" and entry.is_permissive
    # The ScanCode key bsl-1.0 (Business Source License) is not our bsl-1.0.
    biz = resolve("LicenseRef-scancode-bsl-1.0")
    assert biz.status == "spdx-expression" and biz.licences == ()
    assert biz.unknown_members == ("LicenseRef-scancode-bsl-1.0",)
    assert resolve("bsl-1.0 OR mit").licences[0].id == "bsl-1.0"


def test_trap2_gpl_is_the_family_not_gpl_1_or_later():
    assert resolve("gpl").licences[0].is_family
    res = resolve("gpl OR mit")
    assert res.status == "spdx-expression"
    assert [lic.id for lic in res.licences] == ["gpl", "mit"]
    assert "GPL-1.0-or-later" not in res.unknown_members
    assert resolve("GPL-1.0-or-later").licences == ()


def test_trap3_or_later_is_not_rewritten_to_a_hub_id():
    res = resolve("GPL-3.0-or-later")
    assert res.status == "spdx-expression" and res.canonical is None
    assert [lic.id for lic in res.licences] == ["gpl-3.0"]  # same facts
    assert resolve("GPL-2.0+").licences[0].id == "gpl-2.0"


def test_trap4_openrail_pp_is_not_spdx():
    res = resolve("openrail++")
    assert res.status == "hub-id" and res.licences[0].is_rail
    assert "+" not in res.licences[0].spdx
    assert resolve("LicenseRef-openrail++").status in {"unknown", "invalid-expression"}
    assert resolve("openrail++ AND mit").options == (frozenset({"openrail++", "mit"}),)


def test_trap5_bigscience_open_rail_m2_is_openrail_pp():
    res = resolve("LicenseRef-scancode-bigscience-open-rail-m2")
    assert [lic.id for lic in res.licences] == ["openrail++"]


def test_trap6_llama_license_2023_is_llama_1_not_llama_3():
    res = resolve("LicenseRef-scancode-llama-license-2023")
    assert [lic.id for lic in res.licences] == ["llama"]
    assert res.licences[0].is_non_commercial
    assert knowledge_base()["llama3"].scancode is None
    llama1 = resolve("llama")
    assert llama1.status == "unknown" and llama1.suggestion == "other"
    assert permits_commercial(llama1) is False


def test_trap7_llama_4_aup_key_is_not_the_licence():
    assert resolve("LicenseRef-scancode-llama-4-license-2025").licences == ()
    assert resolve("LicenseRef-scancode-llama-4-cla-2025").licences[0].id == "llama4"


def test_trap8_unknown_is_never_a_scancode_key():
    assert resolve("unknown").licences[0].is_placeholder
    res = resolve("LicenseRef-scancode-unknown")
    assert all(lic.id != "unknown" for lic in res.licences)
    assert resolve("mit OR unknown").status == "invalid-expression"
    assert resolve("unknown AND apache-2.0").status == "invalid-expression"


def test_trap9_model_licences_have_no_spdx_list_id():
    kb = knowledge_base()
    for entry in kb:
        if entry.is_rail or entry.id.startswith(("llama", "gemma", "openmdw", "grok")):
            assert entry.spdx.startswith("LicenseRef-"), entry.id


def test_falcon_and_openrail_m_are_not_hub_ids():
    falcon = resolve("tii-falcon-llm")
    assert falcon.status == "unknown" and falcon.licences[0].id == "tii-falcon-llm"
    assert falcon.suggestion == "other"
    rail_m = resolve("openrail-m")
    assert rail_m.status == "unknown" and rail_m.suggestion == "openrail"
    assert carries_use_restrictions(rail_m)


# ---- expressions


def test_expressions_and_options():
    res = resolve("mit OR apache-2.0")
    assert res.status == "spdx-expression"
    assert res.options == (frozenset({"mit"}), frozenset({"apache-2.0"}))
    res = resolve("Apache-2.0 AND (MIT OR BSD-3-Clause)")
    assert set(res.options) == {
        frozenset({"apache-2.0", "mit"}),
        frozenset({"apache-2.0", "bsd-3-clause"}),
    }
    res = resolve("LicenseRef-foo AND MIT")
    assert res.status == "spdx-expression"
    assert res.unknown_members == ("LicenseRef-foo",)
    assert res.options == (frozenset({"LicenseRef-foo", "mit"}),)
    res = resolve("GPL-2.0-only WITH Classpath-exception-2.0")
    assert res.options == (frozenset({"gpl-2.0"}),)
    assert resolve("BSD-4-Clause").unknown_members == ("BSD-4-Clause",)


@pytest.mark.parametrize(
    "raw",
    [
        "mit AND (",
        "MIT OR",
        "mit OR foo",
        "MIT WITH Apache-2.0",
        "((MIT)",
        "apache license 2.0 or mit",
    ],
)
def test_invalid_expressions(raw: str):
    res = resolve(raw)
    assert res.status == "invalid-expression"
    assert res.error
    assert res.licences == () and res.options == ()


@pytest.mark.parametrize(
    ("raw", "suggestion"),
    [
        ("apache 2.0", "apache-2.0"),
        ("Apache License 2.0", "apache-2.0"),
        ("Apache License, Version 2.0", "apache-2.0"),
        ("cc-by-nc-4", "cc-by-nc-4.0"),
        ("llama-2", "llama2"),
        ("Llama 2", "llama2"),
        ("openrail-m", "openrail"),
        ("open-rail-m", "openrail"),
        ("cc-by-sa", "cc-by-sa-4.0"),
        ("CC BY-SA 4.0", "cc-by-sa-4.0"),
        ("gpl3", "gpl-3.0"),
        ("GPLv3", "gpl-3.0"),
        ("creativeml-openrail", "creativeml-openrail-m"),
        ("MIT License", "mit"),
        ("bigscience-openrail", "bigscience-openrail-m"),
        ("cc-by-nc-sa-4", "cc-by-nc-sa-4.0"),
        ("apache-2", "apache-2.0"),
    ],
)
def test_suggestions(raw: str, suggestion: str):
    res = resolve(raw)
    assert res.status == "unknown"
    assert res.suggestion == suggestion


def test_no_silly_suggestions():
    assert resolve("{license}").suggestion is None
    assert resolve("mit OR unknown").suggestion is None


def test_resolve_all():
    assert [r.status for r in resolve_all(["apache-2.0", "MIT", None])] == [
        "hub-id",
        "non-canonical",
        "empty",
    ]
    assert resolve_all("mit")[0].status == "hub-id"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_resolve_never_raises(value: str):
    res = resolve(value)
    assert isinstance(res, Resolution)
    assert res.status in STATUSES
    assert res.raw == value


def test_hub_id_does_not_build_licensing():
    code = (
        "import sys\n"
        "from commonslint.licences import resolve\n"
        "assert resolve('apache-2.0').status == 'hub-id'\n"
        "assert resolve('CC-BY-SA-4.0').status == 'non-canonical'\n"
        "assert resolve('openrail++').status == 'hub-id'\n"
        "assert 'license_expression' not in sys.modules\n"
        "assert resolve('mit OR apache-2.0').status == 'spdx-expression'\n"
        "assert 'license_expression' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


# ------------------------------------------------------------ helpers


def test_permits_commercial():
    assert permits_commercial(resolve("apache-2.0")) is True
    assert permits_commercial(resolve("cc-by-nc-4.0")) is False
    assert permits_commercial(resolve("cc-by-nc-4.0 OR mit")) is True
    assert permits_commercial(resolve("cc-by-nc-4.0 AND mit")) is False
    assert permits_commercial(resolve("deepfloyd-if-license")) is False
    assert permits_commercial(resolve("llama3.1")) is True
    assert permits_commercial(resolve("unknown")) is None
    assert permits_commercial(resolve("cc")) is None
    assert permits_commercial(resolve("LicenseRef-foo")) is None
    assert permits_commercial(resolve("no such licence")) is None


def test_carries_use_restrictions():
    assert carries_use_restrictions(resolve("creativeml-openrail-m"))
    assert carries_use_restrictions(resolve("gemma"))
    assert carries_use_restrictions(resolve("llama3"))
    assert carries_use_restrictions(resolve("openrail++ AND mit"))
    assert not carries_use_restrictions(resolve("openrail++ OR mit"))
    assert not carries_use_restrictions(resolve("apache-2.0"))
    assert not carries_use_restrictions(resolve("no such licence"))


def _kb(licence_id: str) -> Licence:
    return knowledge_base()[licence_id]


@pytest.mark.parametrize(
    ("parent", "child", "ok"),
    [
        ("cc-by-sa-3.0", "cc-by-sa-4.0", True),
        ("cc-by-sa-3.0", "cc-by-sa-3.0", True),
        ("cc-by-sa-4.0", "cc-by-sa-4.0", True),
        ("cc-by-sa-4.0", "CC-BY-SA-4.0", True),
        ("cc-by-sa-4.0", "gpl-3.0", True),  # one-way, CC 2015-10-08
        ("cc-by-sa-4.0", "GPL-3.0-or-later", True),
        ("gpl-3.0", "cc-by-sa-4.0", False),
        ("cc-by-sa-4.0", "apache-2.0", False),
        ("cc-by-sa-4.0", "cc-by-sa-3.0", False),
        ("cc-by-sa-4.0", "gpl-2.0", False),
        ("cc-by-sa-4.0", "cc-by-sa-4.0 OR mit", False),
        ("cc-by-sa-4.0", "cc-by-sa-4.0 AND mit", True),
        ("cc-by-sa-4.0", "openrail", False),
        ("cc-by-sa-4.0", "unknown", False),
        ("cc-by-sa-4.0", "no such licence", False),
        ("cc-by-nc-sa-3.0", "cc-by-nc-sa-4.0", True),
        ("cc-by-nc-sa-4.0", "cc-by-sa-4.0", False),
        ("gpl-2.0", "gpl-3.0", False),
        ("apache-2.0", "mit", True),  # nothing to keep
    ],
)
def test_share_alike_compatible(parent: str, child: str, ok: bool):
    assert share_alike_compatible(_kb(parent), resolve(child)) is ok


# ------------------------------------------------------------ the real corpus

_LICENSE_LINE = re.compile(r"^license:[ \t]*(.*)$", re.MULTILINE)
_LIST_ITEM = re.compile(r"^\s*-\s+(.*)$")


def _declared(card: str) -> list[str]:
    """The `license:` value(s) of a card's front matter, by regex (no card parser yet)."""
    if not card.startswith("---"):
        return []
    end = card.find("\n---", 3)
    front = card[: end if end != -1 else len(card)]
    match = _LICENSE_LINE.search(front)
    if not match:
        return []
    value = re.sub(r"\s+#.*$", "", match.group(1)).strip().strip("\"'")
    if value:
        return [value]
    items = []
    for line in front[match.end() :].splitlines()[1:]:
        item = _LIST_ITEM.match(line)
        if not item:
            break
        items.append(item.group(1).strip().strip("\"'"))
    return items or [""]


@pytest.mark.skipif(not CARDS.is_dir(), reason="../shared/corpus not present")
def test_resolving_the_real_cards_does_not_raise():
    kb = knowledge_base()
    seen = 0
    for readme in sorted(CARDS.glob("*/README.md")):
        card = readme.read_text(encoding="utf-8", errors="replace").lstrip("\ufeff")
        values = _declared(card)
        for res in resolve_all(values):
            seen += 1
            assert res.status in STATUSES
            if res.raw in kb.ids:
                assert res.status == "hub-id", (readme, res.raw)
    assert seen > 150
