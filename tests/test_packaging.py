"""A wheel built from the repository carries `rules/` and works from a fresh virtual environment."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(out),
            "-q",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if build.returncode != 0 and "hatchling" in build.stderr:
        pytest.skip("hatchling is not installed (it is in the `test` extra)")
    assert build.returncode == 0, build.stderr
    return next(out.glob("commonslint-*.whl"))


def test_wheel_contains_rules(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for pack in ("card", "licence", "rail", "governance", "emissions", "text", "linter"):
        assert f"commonslint/rules/{pack}.yaml" in names
    assert "commonslint/rules/licences.yaml" in names
    assert not [n for n in names if n.startswith(("tests/", "examples/"))]


def test_wheel_works_in_a_fresh_venv(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    # The dependencies come from this interpreter's site-packages: the test checks the wheel,
    # not the package index.
    venv.EnvBuilder(system_site_packages=True, with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "-q", str(wheel)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        # From outside the checkout, so the import cannot come from the source tree.
        return subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, check=False)

    where = run(str(python), "-c", "import commonslint; print(commonslint.__file__)")
    assert str(env_dir) in where.stdout, where.stdout + where.stderr
    script = str(env_dir / "bin" / "commonslint")
    good = run(script, str(ROOT / "examples" / "good-model"))
    assert good.returncode == 0, good.stdout + good.stderr
    bad = run(script, str(ROOT / "examples" / "bad-model"))
    assert bad.returncode == 1 and "CL108" in bad.stdout
