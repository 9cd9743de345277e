"""One JSON object per finding, one per line: for `jq`, log shippers and streaming readers.

Each line is the finding as `--format json` writes it, so both formats share one schema.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from commonslint.report.json_format import finding_dict

if TYPE_CHECKING:
    from commonslint.lint import Result
    from commonslint.rulepacks import Rule


def render(results: Sequence[Result], rules: Sequence[Rule]) -> str:
    return "".join(
        json.dumps(finding_dict(r, f), ensure_ascii=False, sort_keys=True) + "\n"
        for r in results
        for f in r.findings
    )
