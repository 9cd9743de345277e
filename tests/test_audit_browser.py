"""The audit's HTML report in a real headless browser (Debian's Chromium).

Chromium loads the page from a file, with networking off, and must log nothing to its console
(no script error, no refused load); the test then reads the page as the browser left it
(`--dump-dom`): the charts are there, the table shows its first page, and a filter given in the
address (the page's script honours `#?code=...`) leaves exactly the matching repositories. A
screenshot is saved. Skipped, saying why, where Chromium is not installed (`.ci/run` installs it).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser")) if p is not None), None
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed (Debian: apt-get install chromium); "
    "the browser check of the HTML report needs it",
)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--enable-logging=stderr",
    "--v=0",
)
CARDS = [
    "---\nlicense: apache-2.0\nco2_eq_emissions: 10\n---\n# M\n",
    "---\nlanguage: en\n---\n# M\n",
    "# No metadata\n",
    "---\nlicense: creativeml-openrail-m\n---\n# M\n",
    "---\nlicense: Apache-2.0\n---\n# M\n",
]


def _browser(tmp_path: Path, url: str, *extra: str) -> tuple[str, list[str]]:
    """Run Chromium on a page; its DOM (or other output) and the console lines it logged."""
    done = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *extra, url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, console


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    from tests.conftest import run_cli

    root = tmp_path_factory.mktemp("report")
    lines = [
        json.dumps({"source_path": f"owner{i}/model-{i}", "group": f"g{i % 4}", "card": c})
        for i, c in enumerate(CARDS[i % len(CARDS)] for i in range(260))
    ]
    source = root / "cards.jsonl"
    source.write_text("\n".join([*lines, "not json"]) + "\n", encoding="utf-8")
    done = run_cli("audit", str(source), "-o", str(root / "out"), "--jobs", "1", "--title", "T")
    assert done.returncode == 0, done.stderr
    records = [json.loads(x) for x in (root / "out" / "findings.jsonl").read_text().splitlines()]
    return root / "out" / "report.html", [r for r in records if "error" not in r]


def _rows(dom: str) -> list[str]:
    body = dom.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<tr class="repo".*?</tr>', body, re.S)


def test_report_loads_with_charts_and_table(tmp_path: Path, report) -> None:  # type: ignore[no-untyped-def]
    page, records = report
    dom, console = _browser(tmp_path, page.as_uri(), "--dump-dom")
    assert console == []
    assert 'data-ready="true"' in dom  # the script ran to its end
    assert re.search(r'<pre id="script-errors"[^>]*hidden', dom)
    for chart in ("indicators-chart", "landscape-chart", "problems-chart"):
        assert f'id="{chart}"' in dom and "<rect" in dom.split(f'id="{chart}"', 1)[1][:4000]
    assert len(_rows(dom)) == 100  # the first page
    assert f"{len(records)} of {len(records)} repositories match" in dom
    assert "page 1 of 3" in dom


def test_filter_and_sort_from_the_address(tmp_path: Path, report) -> None:  # type: ignore[no-untyped-def]
    page, records = report
    wanted = [r["id"] for r in records if any(f["code"] == "CL108" for f in r["findings"])]
    assert 0 < len(wanted) < len(records)
    dom, console = _browser(tmp_path, page.as_uri() + "#?code=CL108&sort=0", "--dump-dom")
    assert console == []
    rows = _rows(dom)
    assert f"{len(wanted)} of {len(records)} repositories match" in dom
    shown = [re.search(r'<td class="id">(.*?)</td>', row).group(1) for row in rows]
    assert shown == sorted(wanted)[:100]
    assert all('href="#rule-CL108"' in row for row in rows)
    # A second filter narrows further: a licence class and a text search together.
    dom, _ = _browser(tmp_path, page.as_uri() + "#?class=permissive&q=model-10", "--dump-dom")
    expected = [
        r["id"] for r in records if r["licence"]["class"] == "permissive" and "model-10" in r["id"]
    ]
    assert f"{len(expected)} of {len(records)} repositories match" in dom
    assert len(_rows(dom)) == len(expected)


def test_rule_documentation_opens_from_a_link(tmp_path: Path, report) -> None:  # type: ignore[no-untyped-def]
    page, _ = report
    dom, console = _browser(tmp_path, page.as_uri() + "#rule-CL101", "--dump-dom")
    assert console == []
    assert re.search(r'<details id="rule-CL101"[^>]*open', dom)


def test_screenshot(tmp_path: Path, report) -> None:  # type: ignore[no-untyped-def]
    page, _ = report
    shot = tmp_path / "report.png"
    _, console = _browser(
        tmp_path, page.as_uri(), f"--screenshot={shot}", "--window-size=1280,2000"
    )
    assert console == []
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000
