"""Reference data for licence identification, loaded once per process on first use.

`rules/licence_signatures.yaml` is the edited source (titles, key phrases, parts, with sources);
`rules/licence_signatures.json` is it compiled (phrases normalised) because the pre-commit path
cannot afford a YAML parse of it (about 4 ms with the C loader, against 0.3 ms for JSON).
`rules/licence_sketches.json` holds hashed-shingle samples. Both JSON files are written by
benchmarks/build_sketches.py; tests/test_detect.py checks the compiled file is current.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import NamedTuple

from commonslint.detect.text import words


def rules_dir() -> Path:
    """`rules/` inside the installed package (the wheel maps it there), else the repo's own."""
    here = Path(__file__).resolve().parents[1]
    packaged = here / "rules"
    return packaged if packaged.is_dir() else here.parent / "rules"


def _phrase(text: str) -> str:
    # Padded with spaces so `in` matches whole words only.
    return " " + " ".join(words(text)) + " "


# NamedTuples, not dataclasses: a frozen dataclass costs ~1 ms to define at import, and this
# module sits on the pre-commit path.
class Sketch(NamedTuple):
    variant: str
    source: str
    tau: int  # every reference hash below tau is in `sample`
    sample: frozenset[int]


class Entry(NamedTuple):
    id: str
    kind: str
    family: str
    titles: tuple[str, ...]
    markers: tuple[str, ...]
    absent: tuple[str, ...]
    names: tuple[str, ...]
    parts: dict[str, tuple[str, ...]]
    require: tuple[str, ...]
    restrictions: str | None
    source: str
    sketches: tuple[Sketch, ...] = ()


class Reference(NamedTuple):
    entries: tuple[Entry, ...]
    notices: tuple[tuple[str, tuple[str, ...]], ...]
    coc_names: tuple[str, ...]
    coc_headings: tuple[str, ...]
    coc_versions: tuple[tuple[str, tuple[str, ...]], ...]


def _phrases(value: object, sets: dict[str, list[str]]) -> list[str]:
    if isinstance(value, str) and value.startswith("@"):
        value = sets[value[1:]]
    return [_phrase(p) for p in (value or [])]  # type: ignore[union-attr]


_PHRASE_FIELDS = ("titles", "markers", "absent", "names")


def compile_signatures(yaml_text: str) -> dict:
    """The YAML signatures with every phrase normalised and phrase sets expanded."""
    import yaml  # only the generator and the tests compile; the runtime never parses YAML

    data = yaml.safe_load(yaml_text)
    sets = data.get("phrase_sets", {})
    entries = []
    for e in data["entries"]:
        out = dict(e)
        for key in _PHRASE_FIELDS:
            out[key] = _phrases(e.get(key), sets)
        out["parts"] = {k: _phrases(v, sets) for k, v in (e.get("parts") or {}).items()}
        entries.append(out)
    coc = data["codes_of_conduct"]
    return {
        "about": "Compiled from licence_signatures.yaml by benchmarks/build_sketches.py.",
        "entries": entries,
        "notices": [
            {"id": n["id"], "phrases": _phrases(n["phrases"], sets), "source": n["source"]}
            for n in data["notices"]
        ],
        "codes_of_conduct": {
            "names": _phrases(coc["names"], sets),
            "headings": _phrases(coc["headings"], sets),
            "versions": {k: _phrases(v, sets) for k, v in coc["versions"].items()},
            "source": coc["source"],
        },
    }


@cache
def load() -> Reference:
    base = rules_dir()
    data = json.loads((base / "licence_signatures.json").read_text("utf-8"))
    sketch_data = json.loads((base / "licence_sketches.json").read_text("utf-8"))
    sketches: dict[str, list[Sketch]] = {}
    for ref in sketch_data["references"]:
        sketches.setdefault(ref["id"], []).append(
            Sketch(ref["variant"], ref["source"], ref["tau"], frozenset(ref["sample"]))
        )
    entries = tuple(
        Entry(
            id=e["id"],
            kind=e["kind"],
            family=e.get("family", e["id"]),
            titles=tuple(e["titles"]),
            markers=tuple(e["markers"]),
            absent=tuple(e["absent"]),
            names=tuple(e["names"]),
            parts={k: tuple(v) for k, v in e["parts"].items()},
            require=tuple(e.get("require", ())),
            restrictions=e.get("restrictions"),
            source=e["source"],
            sketches=tuple(sketches.get(e["id"], ())),
        )
        for e in data["entries"]
    )
    coc = data["codes_of_conduct"]
    return Reference(
        entries=entries,
        notices=tuple((n["id"], tuple(n["phrases"])) for n in data["notices"]),
        coc_names=tuple(coc["names"]),
        coc_headings=tuple(coc["headings"]),
        coc_versions=tuple((k, tuple(v)) for k, v in coc["versions"].items()),
    )
