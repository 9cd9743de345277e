"""Compare licence-text identification approaches on accuracy and speed.

Run by hand from the repository root (results go in benchmarks/licence-detection.md):

    PYTHONPATH=. python benchmarks/bench_detect.py            # approaches available here
    pip install pyaskalono                                     # to include askalono (optional)

Approaches:
  hybrid    commonslint.detect.identify (shingles + titles/markers/parts): the chosen one
  shingles  hashed-shingle similarity alone (best harmonic mean of coverage and purity)
  titles    distinctive titles alone (a known title in the first 80 words)
  askalono  pyaskalono (Rust askalono with the SPDX licence list), if installed

Data sets:
  corpus    the development test corpus (not shipped; as in build_sketches.py): `licenses/*.txt`
            and the licence-like files beside the cards
  edited    copies made from the corpus: RAIL without Attachment A, Markdown, MIT with extra
            copyright lines, Apache appendix only
  dist-info licence files in *.dist-info folders of the Python installations on this machine,
            labelled by their metadata (License-Expression, License, or License classifiers)

Precision = right / (right + wrong) over "sure" answers; recall = right / all files. A "not sure"
answer costs recall only; a wrong sure answer costs precision.
"""

from __future__ import annotations

import email
import hashlib
import re
import site
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from test_detect import (  # noqa: E402
    BESIDE_CARDS,
    CARDS,
    LICENSES,
    _expected_for_licence_file,
    _markdown,
    _rail_without_attachment_a,
)

from commonslint.detect import identify  # noqa: E402
from commonslint.detect.identify import HEAD_WORDS, _similarity  # noqa: E402
from commonslint.detect.reference import load  # noqa: E402
from commonslint.detect.text import shingle_hashes, words  # noqa: E402

Answer = tuple[str | None, bool]  # (id, sure)

# ---- approaches ------------------------------------------------------------------------------


def hybrid(text: str, name: str) -> Answer:
    got = identify(text, name)
    return got.licence, got.sure


def shingles(text: str, name: str) -> Answer:
    tokens = words(text)
    hashes = shingle_hashes(tokens)
    ordered = sorted(hashes)
    sims = sorted(
        ((_similarity(e, hashes, ordered)[0], e.id) for e in load().entries if e.sketches),
        reverse=True,
    )
    (best, ident), (second, _) = sims[0], sims[1]
    if best < 0.5:
        return None, False
    return ident, best >= 0.8 and best - second >= 0.1


def titles(text: str, name: str) -> Answer:
    head = " " + " ".join(words(text)[:HEAD_WORDS]) + " "
    # Longest title first, so "attribution sharealike 4.0 international" beats its prefix.
    found = sorted(
        ((t, e.id) for e in load().entries for t in e.titles if t in head),
        key=lambda x: -len(x[0]),
    )
    return (found[0][1], True) if found else (None, False)


SPDX_TO_HUB = {
    "Apache-2.0": "apache-2.0",
    "MIT": "mit",
    "BSD-2-Clause": "bsd-2-clause",
    "BSD-3-Clause": "bsd-3-clause",
    "ISC": "isc",
    "GPL-2.0-only": "gpl-2.0",
    "GPL-2.0": "gpl-2.0",
    "GPL-3.0-only": "gpl-3.0",
    "GPL-3.0": "gpl-3.0",
    "LGPL-2.1-only": "lgpl-2.1",
    "LGPL-2.1": "lgpl-2.1",
    "LGPL-3.0-only": "lgpl-3.0",
    "LGPL-3.0": "lgpl-3.0",
    "AGPL-3.0-only": "agpl-3.0",
    "MPL-2.0": "mpl-2.0",
    "CC0-1.0": "cc0-1.0",
    "CC-BY-4.0": "cc-by-4.0",
    "CC-BY-SA-4.0": "cc-by-sa-4.0",
    "CC-BY-NC-4.0": "cc-by-nc-4.0",
    "Unlicense": "unlicense",
    "PSF-2.0": "psf-2.0",
    "Python-2.0": "psf-2.0",
    "Zlib": "zlib",
}


def askalono_answer(text: str, name: str) -> Answer:
    import askalono  # type: ignore[import-not-found]

    try:
        got = askalono.identify(text)
    except Exception:
        return None, False
    ident = SPDX_TO_HUB.get(got.name, got.name.lower())
    return ident, got.score >= 0.8  # askalono's own default confidence threshold


APPROACHES: dict[str, Callable[[str, str], Answer]] = {
    "hybrid": hybrid,
    "shingles": shingles,
    "titles": titles,
    "askalono": askalono_answer,
}

# ---- data --------------------------------------------------------------------------------------

Case = tuple[str, str, str, frozenset[str | None]]  # (label, file name, text, accepted ids)


def corpus_cases() -> list[Case]:
    cases = [
        (p.name, p.name, p.read_text("utf-8"), frozenset({_expected_for_licence_file(p)}))
        for p in sorted(LICENSES.glob("*.txt"))
    ]
    for rel, expected in sorted(BESIDE_CARDS.items()):
        path = CARDS / rel
        cases.append((rel, path.name, path.read_text("utf-8"), frozenset({expected})))
    return cases


def edited_cases() -> list[Case]:
    cases = []
    for p in sorted(LICENSES.glob("*.txt")):
        text, expected = p.read_text("utf-8"), frozenset({_expected_for_licence_file(p)})
        if len(text) > 500:
            cases.append((f"markdown:{p.name}", "LICENSE.md", _markdown(text), expected))
        if "Attachment A" in text:
            cut = _rail_without_attachment_a(text)
            cases.append((f"no-attachment-a:{p.name}", "LICENSE", cut, expected))
        if p.name.startswith("apache") and "APPENDIX" in text:
            appendix = text[text.index("APPENDIX") :]
            cases.append((f"appendix-only:{p.name}", "LICENSE", appendix, expected))
        if p.name.startswith("mit"):
            extra = "Copyright (c) 2031 Somebody Else\n" + text
            cases.append((f"copyright-added:{p.name}", "LICENSE", extra, expected))
    return cases


# Metadata wording -> accepted ids (a set where the metadata is vaguer than the text).
_WORDING = [
    (r"^(mit|mit licen[cs]e|the mit licen[cs]e)$", {"mit"}),
    (r"^(apache[- ]?2(\.0)?|apache licen[cs]e,? (version )?2\.0|asl 2(\.0)?)$", {"apache-2.0"}),
    (r"^bsd[- ]?2[- ]clause$", {"bsd-2-clause"}),
    (
        r"^(bsd[- ]?3[- ]clause|bsd 3-clause license|new bsd|modified bsd license)$",
        {"bsd-3-clause"},
    ),
    (r"^(bsd|bsd license)$", {"bsd-2-clause", "bsd-3-clause"}),
    (r"^isc( license)?$", {"isc"}),
    (r"^mpl[- ]2\.0$", {"mpl-2.0"}),
    (r"^psf-2\.0$", {"psf-2.0"}),
]
_CLASSIFIER = {
    "MIT License": {"mit"},
    "Apache Software License": {"apache-2.0"},
    "BSD License": {"bsd-2-clause", "bsd-3-clause"},
    "ISC License (ISCL)": {"isc"},
    "Mozilla Public License 2.0 (MPL 2.0)": {"mpl-2.0"},
}
# A file-name suffix naming one part of a compound expression ("LICENSE.APACHE").
_SUFFIX = {"APACHE": "apache-2.0", "APACHE2": "apache-2.0", "MIT": "mit", "BSD": None}


def _accepted(meta: email.message.Message) -> set[str] | None:
    expr = (meta.get("License-Expression") or "").strip()
    if expr:
        for pattern, ids in _WORDING:
            if re.match(pattern, expr.lower()):
                return set(ids)
        return None
    lic = (meta.get("License") or "").strip()
    if lic and "\n" not in lic:
        for pattern, ids in _WORDING:
            if re.match(pattern, lic.lower()):
                return set(ids)
    classifiers = [
        c.split("::")[-1].strip()
        for c in meta.get_all("Classifier") or []
        if (c.startswith("License ::") and "OSI Approved" in c) or c.startswith("License :: Other")
    ]
    classifiers = [c for c in classifiers if c != "OSI Approved"]
    if len(classifiers) == 1 and classifiers[0] in _CLASSIFIER:
        return set(_CLASSIFIER[classifiers[0]])
    return None


def dist_info_cases() -> list[Case]:
    # This interpreter's package folders, and Debian's, wherever they are on this machine.
    roots = {p for p in sys.path if p.endswith("-packages")}
    roots |= set(site.getsitepackages())
    roots |= {"/usr/lib/python3/dist-packages"}
    seen: set[str] = set()
    cases = []
    for root in sorted(roots):
        for dist in sorted(Path(root).glob("*.dist-info")):
            meta_path = dist / "METADATA"
            if not meta_path.is_file():
                continue
            meta = email.message_from_string(meta_path.read_text("utf-8", errors="replace"))
            whole = _accepted(meta)
            expr = meta.get("License-Expression") or meta.get("License") or ""
            for f in sorted(dist.rglob("*")):
                upper = f.name.upper()
                if not f.is_file() or not upper.startswith(("LICENSE", "LICENCE", "COPYING")):
                    continue
                if "/licenses/" in str(f.relative_to(dist)).replace(f.name, "")[1:] and (
                    f.parent.name != "licenses"
                ):
                    continue  # vendored third-party licences deeper in the tree
                accepted = whole
                suffix = re.split(r"[.-]", upper, maxsplit=1)[1:] or [""]
                if suffix[0] in _SUFFIX and (" OR " in expr or " AND " in expr):
                    part = _SUFFIX[suffix[0]]
                    accepted = {part} if part else {"bsd-2-clause", "bsd-3-clause"}
                if not accepted:
                    continue
                text = f.read_text("utf-8", errors="replace")
                digest = hashlib.sha1(text.encode()).hexdigest()
                if digest in seen:
                    continue
                seen.add(digest)
                label = f"{dist.name}/{f.relative_to(dist)}"
                cases.append((label, f.name, text, frozenset(accepted)))
    return cases


# ---- measuring ---------------------------------------------------------------------------------


def evaluate(approach: Callable[[str, str], Answer], cases: list[Case]) -> dict:
    right = wrong = unsure = 0
    errors = []
    start = time.perf_counter()
    for label, name, text, accepted in cases:
        ident, sure = approach(text, name)
        if not sure:
            # "Not sure" is right for files whose expected id is None.
            if None in accepted:
                right += 1
            else:
                unsure += 1
            continue
        if ident in accepted:
            right += 1
        else:
            wrong += 1
            errors.append(f"{label}: said {ident}, metadata says {sorted(map(str, accepted))}")
    elapsed = time.perf_counter() - start
    n = len(cases)
    return {
        "n": n,
        "right": right,
        "wrong": wrong,
        "unsure": unsure,
        "precision": right / (right + wrong) if right + wrong else 1.0,
        "recall": right / n if n else 0.0,
        "ms_per_file": 1000 * elapsed / n if n else 0.0,
        "errors": errors,
    }


def import_ms(statement: str) -> float:
    """Fresh-interpreter time to import and make the first call (loads reference data)."""
    code = "import time; t=time.perf_counter(); " + statement + "; print(time.perf_counter()-t)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return 1000 * float(out.stdout.strip())


def main() -> None:
    available = dict(APPROACHES)
    try:
        import askalono  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        del available["askalono"]
    sets = {"corpus": corpus_cases(), "edited": edited_cases(), "dist-info": dist_info_cases()}
    print(
        "| approach | data | files | right | wrong (sure) | not sure | precision | recall |"
        " ms/file |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    all_errors = []
    for name, fn in available.items():
        fn("warm up", "LICENSE")  # load reference data outside the timed loop
        for set_name, cases in sets.items():
            r = evaluate(fn, cases)
            print(
                f"| {name} | {set_name} | {r['n']} | {r['right']} | {r['wrong']} | {r['unsure']}"
                f" | {r['precision']:.3f} | {r['recall']:.3f} | {r['ms_per_file']:.2f} |"
            )
            all_errors += [f"{name}/{set_name}: {e}" for e in r["errors"]]
    print()
    first = "from commonslint.detect import identify; identify('MIT License x y z')"
    print(
        f"hybrid: import + first call (reference data load), fresh process: "
        f"{import_ms(first):.1f} ms"
    )
    if "askalono" in available:
        first = "import askalono; askalono.identify('MIT License x y z')"
        print(f"askalono: import + first call, fresh process: {import_ms(first):.1f} ms")
    print("\nwrong sure answers:")
    for e in all_errors:
        print(" ", e)


if __name__ == "__main__":
    main()
