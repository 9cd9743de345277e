"""Lineage: the parents a model names (`base_model`, `datasets`), their licences, and the
obligations those licences pass down (DESIGN.md "Facts": `lineage`).

Modules: `declared` (what the card names), `records` (what a source says about a parent),
`lockfile` (`commonslint.lock`), `hfcache` (the local Hugging Face cache), `known` (the table of
well-known parents in `rules/known-lineage.yaml`), `resolve` (the order of sources, parents of
parents, cycles), `obligations` (licence compatibility, tested on its own), `facts` (what the
rules read) and `render` (the `commonslint lineage` tree). Nothing here imports
`huggingface_hub` unless the Hub is asked (`--online`, a Hub target, `lineage --lock`).
"""
