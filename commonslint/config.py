"""Configuration: `[tool.commonslint]` in `pyproject.toml`, or `commonslint.toml` (top level).

The nearest file wins, looking from the target's folder up to the filesystem root; in one folder
`commonslint.toml` wins over `pyproject.toml`, as `ruff.toml` does over `pyproject.toml` for ruff.
A `pyproject.toml` without a `[tool.commonslint]` table is passed over. Command-line options
override the file.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from commonslint.findings import Finding, Severity

_KEYS = {
    "select",
    "ignore",
    "extend-select",
    "per-file-ignores",
    "severity",
    "rule-packs",
    "fail-on",
    "kind",
    "max-file-size",
}


class ConfigError(Exception):
    """A configuration that cannot be used; exit 2."""


@dataclass
class Config:
    select: list[str] = field(default_factory=lambda: ["ALL"])
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    severity: dict[str, Severity] = field(default_factory=dict)
    rule_packs: list[Path] = field(default_factory=list)
    fail_on: Severity = Severity.ERROR
    kind: str | None = None
    max_file_size: int | None = None
    source: Path | None = None  # the file it came from

    def selects(self, code: str) -> bool:
        """ruff's rule: the most specific matching prefix wins; a tie goes to ignore."""
        best_select = max(
            (_specificity(p, code) for p in self.select + self.extend_select), default=-1
        )
        best_ignore = max((_specificity(p, code) for p in self.ignore), default=-1)
        return best_select >= 0 and best_select > best_ignore

    def ignored_for_path(self, finding: Finding) -> bool:
        for pattern, codes in self.per_file_ignores.items():
            if fnmatch.fnmatch(finding.location.path, pattern) and any(
                _specificity(code, finding.code) >= 0 for code in codes
            ):
                return True
        return False


def _specificity(prefix: str, code: str) -> int:
    prefix = prefix.strip().upper()
    if prefix == "ALL":
        return 0
    return len(prefix) if code.startswith(prefix) else -1


def find_config(start: Path) -> Path | None:
    folder = start.resolve()
    if folder.is_file():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        own = candidate / "commonslint.toml"
        if own.is_file():
            return own
        project = candidate / "pyproject.toml"
        if project.is_file():
            try:
                text = project.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue  # someone else's unreadable pyproject is not our configuration
            if "commonslint" not in text and "\\u" not in text.lower():
                # No `[tool.commonslint]` can be in it (a key can only be spelt otherwise with
                # a \u escape), so it need not be parsed: tomllib costs ~5 ms to import.
                continue
            import tomllib

            try:
                data = tomllib.loads(text)
            except tomllib.TOMLDecodeError:
                continue  # someone else's broken pyproject is not our configuration
            if "commonslint" in data.get("tool", {}):
                return project
    return None


def _codes(value: Any, key: str, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: `{key}` must be a list of rule codes or prefixes")
    return [v.strip().upper() for v in value]


def load_config(path: Path) -> Config:
    import tomllib  # only when there is a configuration file (issue 7)

    where = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{where}: cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{where}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML: {exc}") from None
    table = data.get("tool", {}).get("commonslint", {}) if path.name == "pyproject.toml" else data
    if path.name != "pyproject.toml" and "tool" in table and "commonslint" in table["tool"]:
        table = table["tool"]["commonslint"]
    return config_from_table(table, path)


def config_from_table(table: dict[str, Any], path: Path | None) -> Config:
    where = str(path) if path else "configuration"
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: the commonslint settings must be a table")
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown setting(s): {', '.join(unknown)}")
    config = Config(source=path)
    base = path.parent if path else Path.cwd()
    if "select" in table:
        config.select = _codes(table["select"], "select", where)
    config.ignore = _codes(table.get("ignore", []), "ignore", where)
    config.extend_select = _codes(table.get("extend-select", []), "extend-select", where)
    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise ConfigError(f"{where}: `per-file-ignores` must be a table of glob = [codes]")
    config.per_file_ignores = {
        str(glob): _codes(codes, f"per-file-ignores.{glob}", where)
        for glob, codes in per_file.items()
    }
    severity = table.get("severity", {})
    if not isinstance(severity, dict):
        raise ConfigError(f'{where}: `severity` must be a table of CODE = "error"|"warning"|"info"')
    for code, level in severity.items():
        try:
            config.severity[str(code).upper()] = Severity.parse(str(level))
        except ValueError as exc:
            raise ConfigError(f"{where}: severity.{code}: {exc}") from None
    packs = table.get("rule-packs", [])
    if not isinstance(packs, list) or not all(isinstance(p, str) for p in packs):
        raise ConfigError(f"{where}: `rule-packs` must be a list of paths")
    config.rule_packs = [(base / p) for p in packs]
    if "fail-on" in table:
        try:
            config.fail_on = Severity.parse(str(table["fail-on"]))
        except ValueError as exc:
            raise ConfigError(f"{where}: fail-on: {exc}") from None
    if "kind" in table:
        if table["kind"] not in ("model", "dataset"):
            raise ConfigError(f'{where}: `kind` must be "model" or "dataset"')
        config.kind = table["kind"]
    if "max-file-size" in table:
        size = table["max-file-size"]
        if not isinstance(size, int) or isinstance(size, bool) or size < 1024:
            raise ConfigError(f"{where}: `max-file-size` must be a number of bytes (at least 1024)")
        config.max_file_size = size
    return config
