"""Time per card over the bulk corpus (25,109 Hub READMEs), single process, after imports.

    python benchmarks/bench_throughput.py [--every N] [--repeat 3] [--no-modelcard]

Measures, on the same cards in the same process:
- floor: the Hub's front-matter regex plus PyYAML's C `compose` alone;
- `huggingface_hub.ModelCard(text, ignore_metadata_errors=True)`: merely parsing the card;
- `Linter(Config()).lint(MemoryRepo({"README.md": card}, card_only=True))`: everything, every
  rule, on the card as `commonslint audit` lints a card from a corpus file (card-only: rules
  about files beside the card have nothing to look at); `--whole-repo` lints each card as a
  repository holding only README.md instead (more findings: no LICENSE, no code of conduct).
Targets (issue 7): lint within 3x the floor and at most a quarter of ModelCard. Both CPU time
(process_time, less sensitive to other load on a shared machine) and wall time are reported;
each figure is the best of `--repeat` passes.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import sys
import time
from collections.abc import Callable

from benchutil import BULK, ROOT

sys.path.insert(0, str(ROOT))

import yaml

from commonslint.card import REGEX_YAML_BLOCK
from commonslint.config import Config
from commonslint.lint import Linter
from commonslint.sources import MemoryRepo

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def floor(text: str) -> None:
    match = REGEX_YAML_BLOCK.search(text)
    if match:
        try:  # noqa: SIM105 - a bare try costs nothing in the measured loop
            yaml.compose(match.group(2), Loader=_LOADER)
        except yaml.YAMLError:
            pass


def timed(fn: Callable[[str], object], cards: list[str], repeat: int) -> tuple[float, float]:
    """Best (CPU, wall) microseconds a card over `repeat` passes."""
    best_cpu = best_wall = float("inf")
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        for card in cards:
            fn(card)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    return best_cpu / len(cards) * 1e6, best_wall / len(cards) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=1, help="take every Nth card")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-modelcard", action="store_true")
    parser.add_argument("--whole-repo", action="store_true", help="not card-only")
    args = parser.parse_args()

    with gzip.open(BULK, "rt", encoding="utf-8") as handle:
        cards = [json.loads(line)["card"] for line in handle][:: args.every]
    linter = Linter(Config())
    card_only = not args.whole_repo

    def lint(text: str) -> None:
        linter.lint(MemoryRepo({"README.md": text}, card_only=card_only), "README.md")

    measures: dict[str, Callable[[str], object]] = {"floor (regex + C compose)": floor}
    if not args.no_modelcard:
        from huggingface_hub import ModelCard

        logging.disable(logging.WARNING)  # ModelCard warns on every card without metadata

        def modelcard(text: str) -> None:
            try:  # noqa: SIM105
                ModelCard(text, ignore_metadata_errors=True)
            except Exception:  # a few cards fail even so; their time counts
                pass

        measures["huggingface_hub.ModelCard"] = modelcard
    measures["commonslint lint"] = lint
    for fn in measures.values():  # warm caches (rule code, regexes) on a few cards
        for card in cards[:50]:
            fn(card)
    results = {name: timed(fn, cards, args.repeat) for name, fn in measures.items()}
    print(f"{len(cards)} cards, best of {args.repeat} passes, single process")
    print(f"{'measure':30} {'CPU us/card':>12} {'wall us/card':>13}")
    for name, (cpu, wall) in results.items():
        print(f"{name:30} {cpu:12.1f} {wall:13.1f}")
    lint_cpu = results["commonslint lint"][0]
    print(f"\nlint / floor: {lint_cpu / results['floor (regex + C compose)'][0]:.2f} (target <= 3)")
    if "huggingface_hub.ModelCard" in results:
        ratio = lint_cpu / results["huggingface_hub.ModelCard"][0]
        print(f"lint / ModelCard: {ratio:.2f} (target <= 0.25)")


if __name__ == "__main__":
    main()
