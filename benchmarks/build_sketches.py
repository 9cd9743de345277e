"""Generate rules/licence_sketches.json: bottom-k samples of hashed 5-word shingles.

The project ships no licence text: this script reads reference texts from places that already hold
them and writes only CRC-32 hashes of word 5-grams (a sample of at most K per text), with the
source of each. Run by hand from the repository root:

    pip install licensedcode-data==32.1.0   # ScanCode's licence texts (only needed here)
    python benchmarks/build_sketches.py                     # both files
    python benchmarks/build_sketches.py --signatures-only   # after editing the YAML only

Sources, in order of preference per id (a missing source is skipped with a note):
* ScanCode licence data (pip package `licensedcode-data`,
  `licensedcode/data/licenses/*.LICENSE`),
* Debian `/usr/share/common-licenses/*`,
* the development test corpus (`SHARED` below, not shipped with commonslint): `licenses/*.txt`
  and licence files beside the cards in `cards/` (only for texts neither of the above has: RAIL
  variants, Llama 3.x, Gemma, DeepSeek, Stability). These are cited by their public origin
  (repository, path, commit) from the corpus's MANIFEST.tsv, never by their path in the corpus,
  which users of commonslint do not have.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from commonslint.detect.reference import compile_signatures  # noqa: E402
from commonslint.detect.text import bottom_k, shingle_hashes, words  # noqa: E402

SHARED = ROOT.parent / "shared" / "corpus"
DEBIAN = Path("/usr/share/common-licenses")
K = 256

# id -> list of (source kind, name); the first that exists is used.
SOURCES: dict[str, list[tuple[str, str]]] = {
    "apache-2.0": [("scancode", "apache-2.0"), ("debian", "Apache-2.0")],
    "mit": [("scancode", "mit")],
    "bsd-2-clause": [("scancode", "bsd-simplified")],
    "bsd-3-clause": [("scancode", "bsd-new"), ("debian", "BSD")],
    "isc": [("scancode", "isc")],
    "zlib": [("scancode", "zlib")],
    "bsl-1.0": [("scancode", "boost-1.0")],
    "gpl-2.0": [("debian", "GPL-2"), ("scancode", "gpl-2.0")],
    "gpl-3.0": [("debian", "GPL-3"), ("scancode", "gpl-3.0")],
    "lgpl-2.1": [("debian", "LGPL-2.1"), ("scancode", "lgpl-2.1")],
    "lgpl-3.0": [("debian", "LGPL-3"), ("scancode", "lgpl-3.0")],
    "agpl-3.0": [("scancode", "agpl-3.0")],
    "mpl-2.0": [("debian", "MPL-2.0"), ("scancode", "mpl-2.0")],
    "artistic-2.0": [("scancode", "artistic-2.0")],
    "cc0-1.0": [("scancode", "cc0-1.0"), ("debian", "CC0-1.0")],
    "cc-by-4.0": [("scancode", "cc-by-4.0")],
    "cc-by-sa-4.0": [("scancode", "cc-by-sa-4.0")],
    "cc-by-nc-4.0": [("scancode", "cc-by-nc-4.0")],
    "cc-by-nc-sa-4.0": [("scancode", "cc-by-nc-sa-4.0")],
    "cc-by-nd-4.0": [("scancode", "cc-by-nd-4.0")],
    "cc-by-nc-nd-4.0": [("scancode", "cc-by-nc-nd-4.0")],
    "odc-by": [("scancode", "odc-by-1.0")],
    "odbl": [("scancode", "odbl-1.0")],
    "pddl": [("scancode", "pddl-1.0")],
    "cdla-permissive-1.0": [("scancode", "cdla-permissive-1.0")],
    "cdla-permissive-2.0": [("scancode", "cdla-permissive-2.0")],
    "cdla-sharing-1.0": [("scancode", "cdla-sharing-1.0")],
    "unlicense": [("scancode", "unlicense")],
    "wtfpl": [("scancode", "wtfpl-2.0")],
    "bigscience-bloom-rail-1.0": [
        ("scancode", "bigscience-rail-1.0"),
        ("corpus", "licenses/bigscience-bloom-rail-1.0__bloom-revolt-bot.txt"),
    ],
    "bigscience-openrail-m": [("scancode", "bigscience-open-rail-m")],
    "bigcode-openrail-m": [("scancode", "bigcode-open-rail-m-v1")],
    "creativeml-openrail-m": [
        ("scancode", "stable-diffusion-2022-08-22"),
        ("corpus", "licenses/creativeml-openrail-m__CompVis-stable-diffusion.txt"),
    ],
    "openrail++": [
        ("corpus", "licenses/creativeml-openrail-pp-m__Stability-AI-stablediffusion.txt")
    ],
    "openrail++@sdxl": [
        (
            "corpus",
            "licenses/creativeml-openrail-pp-m__sdxl-1.0__Stability-AI-generative-models.txt",
        )
    ],
    "openrail-m": [("corpus", "licenses/openrail-m__Clay-foundation-model.txt")],
    "deepseek-license": [("corpus", "licenses/deepseek-license__deepseek-ai-DeepSeek-V3.txt")],
    "deepfloyd-if-license": [("corpus", "licenses/deepfloyd-if-license__deep-floyd-IF.txt")],
    "llama": [("scancode", "llama-license-2023")],
    "llama2": [
        ("scancode", "llama-2-license-2023"),
        ("corpus", "licenses/llama2-community-license__meta-llama-llama.txt"),
    ],
    "llama3": [("corpus", "licenses/llama3-community-license__meta-llama-llama3.txt")],
    "llama3.1": [("corpus", "licenses/llama3.1-community-license__meta-llama-llama-models.txt")],
    "llama3.2": [("corpus", "licenses/llama3.2-community-license__meta-llama-llama-models.txt")],
    "llama3.3": [("corpus", "licenses/llama3.3-community-license__meta-llama-llama-models.txt")],
    "llama4": [("corpus", "licenses/llama4-community-license__meta-llama-llama-models.txt")],
    "llama2-aup": [("corpus", "licenses/llama2-acceptable-use-policy__meta-llama-llama.txt")],
    "llama3-aup": [("corpus", "licenses/llama3-acceptable-use-policy__meta-llama-llama3.txt")],
    "llama3.1-aup": [("corpus", "cards/260-llama-models-llama3_1/USE_POLICY.md")],
    "llama3.2-aup": [("corpus", "cards/261-llama-models-llama3_2/USE_POLICY.md")],
    "llama3.3-aup": [("corpus", "cards/263-llama-models-llama3_3/USE_POLICY.md")],
    "llama4-aup": [("corpus", "cards/264-llama-models-llama4/USE_POLICY.md")],
    "gemma": [("corpus", "licenses/gemma-terms-of-use__llamachat.txt")],
    "sdxl-0.9-research": [
        ("corpus", "licenses/sdxl-0.9-research-license__Stability-AI-generative-models.txt")
    ],
    "sd-turbo-license": [
        ("corpus", "licenses/sd-turbo-license__Stability-AI-generative-models.txt")
    ],
    "stable-video-diffusion-license": [
        ("corpus", "licenses/stable-video-diffusion-license__Stability-AI-generative-models.txt")
    ],
}


def _scancode_dir() -> Path | None:
    spec = importlib.util.find_spec("licensedcode")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "licenses"


def _corpus_origin(name: str) -> str:
    """The public origin of a corpus file, as MANIFEST.tsv records it: repository, path, commit."""
    with (SHARED / "MANIFEST.tsv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["path"] == name:
                commit = f" (commit {row['commit'][:8]})" if row["commit"] else ""
                return f"{row['source_repo']} {row['source_path']}{commit}"
    raise SystemExit(f"{name} is not in {SHARED / 'MANIFEST.tsv'}: its public origin is unknown")


def _read(kind: str, name: str) -> tuple[str, str] | None:
    """(text, citation) or None when the source is not on this machine."""
    if kind == "scancode":
        base = _scancode_dir()
        path = base / f"{name}.LICENSE" if base else None
        if path is None or not path.is_file():
            return None
        raw = path.read_text(encoding="utf-8")
        # ScanCode .LICENSE files carry YAML front matter; the licence text follows it.
        if raw.startswith("---"):
            raw = raw.split("\n---", 2)[-1]
        return raw, f"pip licensedcode-data 32.1.0: licensedcode/data/licenses/{name}.LICENSE"
    if kind == "debian":
        path = DEBIAN / name
        if not path.is_file():
            return None
        return path.read_text(
            encoding="utf-8"
        ), f"Debian base-files /usr/share/common-licenses/{name}"
    path = SHARED / name
    if not path.is_file():
        return None
    return path.read_text(encoding="utf-8"), _corpus_origin(name)


def build() -> dict:
    refs = []
    for ident, options in SOURCES.items():
        for kind, name in options:
            got = _read(kind, name)
            if got is None:
                continue
            text, cite = got
            tokens = words(text)
            hashes = shingle_hashes(tokens)
            sample = bottom_k(hashes, K)
            # tau: every reference hash below it is in the sample (2**32 = sample is complete).
            tau = sample[-1] + 1 if len(hashes) > K else 2**32
            refs.append(
                {
                    "id": ident.split("@")[0],
                    "variant": ident,
                    "source": cite,
                    "words": len(tokens),
                    "tau": tau,
                    "sample": sample,
                }
            )
            break
        else:
            print(f"skipped {ident}: no source on this machine", file=sys.stderr)
    return {
        "about": (
            f"Bottom-k samples (k={K}) of CRC-32 hashes of lower-cased 5-word shingles of "
            "reference licence texts; no text is stored. Generated by benchmarks/build_sketches.py;"
            " each entry names the file it was computed from."
        ),
        "shingle": 5,
        "k": K,
        "references": refs,
    }


def write_signatures() -> None:
    """Compile rules/licence_signatures.yaml to the JSON the detector loads (no sources needed)."""
    src = ROOT / "rules" / "licence_signatures.yaml"
    data = compile_signatures(src.read_text(encoding="utf-8"))
    out = ROOT / "rules" / "licence_signatures.json"
    out.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    write_signatures()
    if "--signatures-only" in sys.argv:
        sys.exit(0)
    out = ROOT / "rules" / "licence_sketches.json"
    data = build()
    # One reference per line keeps diffs reviewable and the file small.
    lines = [
        json.dumps({k: v for k, v in data.items() if k != "references"})[:-1] + ', "references": ['
    ]
    lines.append(",\n".join(json.dumps(r, separators=(",", ":")) for r in data["references"]))
    lines.append("]}")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}: {len(data['references'])} references")
