"""Tool configuration: `.policycheck.yaml`, or `[tool.policycheck]` in pyproject.toml.

Found in the working directory or the nearest parent that has one. Paths in it
are relative to the file. Command-line options override it.

    paths: [policies/, exports/]      # what `policycheck check` reads without PATHS
    waivers: [policies/waivers.yaml]  # the only files waivers are read from
    fail-on: warning                  # error | warning | note
    select: [PC101, pending-approval] # only these rules
    ignore: [PC105]                   # not these
    severity: {PC104: warning}        # per-rule severity
    max-file-size: 67108864           # bytes
    environments: {exports/prod/: prod, erp-tst: test}   # folder or realm/tenant -> environment
    applications: {ACME_PRD~gl-sync: gl-sync}            # client id or name -> application
    environment-suffixes: {_PRD: prod, _TST: test}       # name suffix -> environment
    openapi: [api/openapi.yaml, {path: ledger.json, api: ledger}]  # cross-checked on every run
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .errors import InputError, line_column
from .findings import Severity
from .records import NEW as _NEW
from .records import Record

_set = object.__setattr__

CONFIG_FILE = ".policycheck.yaml"
KEYS = (
    "paths",
    "waivers",
    "fail-on",
    "select",
    "ignore",
    "severity",
    "max-file-size",
    "environments",
    "applications",
    "environment-suffixes",
    "openapi",
)


class Config(Record):
    _fields = (
        "source",
        "paths",
        "waivers",
        "fail_on",
        "select",
        "ignore",
        "severity",
        "max_file_size",
        "environments",
        "applications",
        "environment_suffixes",
        "openapi",
    )
    source: str | None = None
    paths: tuple[str, ...] = ()
    waivers: tuple[str, ...] = ()
    fail_on: Severity | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity]
    max_file_size: int | None = None
    environments: Mapping[str, str]
    applications: Mapping[str, str]
    environment_suffixes: Mapping[str, str] | None = None
    openapi: tuple[tuple[str, str | None], ...] = ()
    """(path, api) of each OpenAPI document to cross-check; api None: it covers every policy operation."""

    def __init__(
        self,
        source: str | None = None,
        paths: tuple[str, ...] = (),
        waivers: tuple[str, ...] = (),
        fail_on: Severity | None = None,
        select: tuple[str, ...] = (),
        ignore: tuple[str, ...] = (),
        severity: Mapping[str, Severity] = _NEW,
        max_file_size: int | None = None,
        environments: Mapping[str, str] = _NEW,
        applications: Mapping[str, str] = _NEW,
        environment_suffixes: Mapping[str, str] | None = None,
        openapi: tuple[tuple[str, str | None], ...] = (),
    ) -> None:
        _set(self, "source", source)
        _set(self, "paths", paths)
        _set(self, "waivers", waivers)
        _set(self, "fail_on", fail_on)
        _set(self, "select", select)
        _set(self, "ignore", ignore)
        _set(self, "severity", {} if severity is _NEW else severity)
        _set(self, "max_file_size", max_file_size)
        _set(self, "environments", {} if environments is _NEW else environments)
        _set(self, "applications", {} if applications is _NEW else applications)
        _set(self, "environment_suffixes", environment_suffixes)
        _set(self, "openapi", openapi)


def find(start: str = ".") -> str | None:
    here = os.path.abspath(start)
    while True:
        for name in (CONFIG_FILE, "pyproject.toml"):
            candidate = os.path.join(here, name)
            if os.path.isfile(candidate) and (name == CONFIG_FILE or _has_tool_table(candidate)):
                return candidate
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def _has_tool_table(path: str) -> bool:
    """Cheaply, without parsing TOML: a line that opens the table (or tries to: its TOML error is then said)."""
    with open(path, "rb") as f:
        return re.search(rb"^\s*\[tool\.policycheck\b", f.read(), re.M) is not None


class _Where(Record):
    """The configuration file as shown, and where a setting is in it (line and column, when known)."""

    _fields = ("shown", "locate")

    shown: str
    locate: Callable[[Sequence[str | int]], tuple[int, int] | None]

    def __init__(
        self,
        shown: str,
        locate: Callable[[Sequence[str | int]], tuple[int, int] | None],
    ) -> None:
        _set(self, "shown", shown)
        _set(self, "locate", locate)

    def error(self, keys: Sequence[str | int], message: str) -> InputError:
        return InputError(self.shown, message, *(self.locate(keys) or (None, None)))


def load(path: str) -> Config:
    from .loading.inputs import display_path

    shown = display_path(path)
    if path.endswith(".toml"):
        text = _toml_text(path, shown)
        data = _toml(text, shown).get("tool", {}).get("policycheck", {})
        where = _Where(shown, lambda keys: _toml_position(text, keys))
    else:
        from .loading.limits import Limits
        from .loading.source import load as load_source
        from .loading.source import read_bytes

        doc = load_source(shown, read_bytes(path, Limits()), Limits())
        data = doc.data
        where = _Where(shown, lambda keys: doc.locate(list(keys)))
    if not isinstance(data, dict):
        raise where.error((), "expected a mapping of policycheck settings")
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise where.error((unknown[0],), f"unknown setting {unknown[0]!r} (expected one of {', '.join(KEYS)})")
    base = os.path.dirname(path)
    _check_settings(data, base, where)
    return Config(
        source=shown,
        paths=tuple(os.path.normpath(os.path.join(base, p)) for p in _strings(data, "paths", where)),
        waivers=tuple(os.path.normpath(os.path.join(base, p)) for p in _strings(data, "waivers", where)),
        fail_on=_severity(data.get("fail-on"), where, ("fail-on",)),
        select=_strings(data, "select", where),
        ignore=_strings(data, "ignore", where),
        severity={
            k: _severity(v, where, ("severity", k)) or Severity.ERROR
            for k, v in _mapping(data, "severity", where).items()
        },
        max_file_size=_int(data.get("max-file-size"), where),
        environments={(_folder(base, k) if "/" in k else k): v for k, v in _names(data, "environments", where).items()},
        applications=_names(data, "applications", where),
        environment_suffixes=_names(data, "environment-suffixes", where) if "environment-suffixes" in data else None,
        openapi=_openapi(data, base, where),
    )


def _check_settings(data: dict[str, Any], base: str, where: _Where) -> None:
    """What can be wrong in a setting's value, said at the setting (file:line:column), not later without it."""
    for key in ("paths", "waivers"):
        for i, name in enumerate(_strings(data, key, where)):
            if not os.path.exists(os.path.join(base, name)):
                raise where.error((key, i), f"{key}: {name!r}: no such file or directory")
    rules: list[tuple[tuple[str, str | int], str]] = [
        (("select", i), n) for i, n in enumerate(_strings(data, "select", where))
    ]
    rules += [(("ignore", i), n) for i, n in enumerate(_strings(data, "ignore", where))]
    rules += [(("severity", n), n) for n in _mapping(data, "severity", where)]
    if rules:
        from .rules import REGISTRY  # only when rules are named: the cold start of a plain run stays small

        by_name = {r.NAME for r in REGISTRY.values()}
        for keys, name in rules:
            if name.upper() not in REGISTRY and name not in by_name:
                raise where.error(keys, f"{keys[0]}: unknown rule {name!r} (see 'policycheck rules')")


def _openapi(data: dict[str, Any], base: str, where: _Where) -> tuple[tuple[str, str | None], ...]:
    value = data.get("openapi", [])
    if isinstance(value, (str, dict)):
        value = [value]
    expected = "openapi: expected a list of paths, or of {path: FILE, api: NAME}"
    if not isinstance(value, list):
        raise where.error(("openapi",), expected)
    found: list[tuple[str, str | None]] = []
    for item in value:
        if isinstance(item, str):
            path, api = item, None
        elif isinstance(item, dict) and isinstance(item.get("path"), str) and set(item) <= {"path", "api"}:
            path, api = item["path"], item.get("api")
            if api is not None and not isinstance(api, str):
                raise where.error(("openapi",), expected)
        else:
            raise where.error(("openapi",), expected)
        found.append((os.path.normpath(os.path.join(base, path)), api))
    return tuple(found)


def _folder(base: str, prefix: str) -> str:
    """A folder prefix relative to the configuration file, as inputs are shown (relative to the cwd)."""
    from .loading.inputs import display_path

    return display_path(os.path.join(base, prefix)).rstrip("/") + "/"


def _names(data: dict[str, Any], key: str, where: _Where) -> dict[str, str]:
    value = data.get(key, {})
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise where.error((key,), f"{key}: expected a mapping of names to names")
    return value


def _toml_text(path: str, shown: str) -> str:
    with open(path, "rb") as f:
        raw = f.read()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        from .loading.source import byte_position

        raise InputError(shown, "invalid TOML (not UTF-8 text)", *byte_position(raw, e.start)) from None


def _toml(text: str, shown: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        parsed: dict[str, Any] = tomllib.loads(text)
        return parsed
    except tomllib.TOMLDecodeError as e:
        at = re.search(r"at line (\d+), column (\d+)", str(e))  # the position is all we take from its text
        where = (int(at[1]), int(at[2])) if at else None
        if where is None and "end of document" in str(e):
            where = line_column(text, len(text))
        raise InputError(shown, "invalid TOML", *(where or (None, None))) from None


def _toml_position(text: str, keys: Sequence[str | int]) -> tuple[int, int] | None:
    """Line and column of a setting under [tool.policycheck] (or of its own table), found in the text."""
    if not keys:
        table = re.search(r"(?m)^[ \t]*\[tool\.policycheck\]", text)
        return line_column(text, table.end() - len("[tool.policycheck]")) if table else None
    key = re.escape(str(keys[0]))
    table = re.search(rf"(?m)^[ \t]*\[tool\.policycheck\.(?:{key}|\"{key}\")\]", text)
    if table:
        return line_column(text, table.start() + len(table.group()) - len(table.group().lstrip()))
    header = re.search(r"(?m)^[ \t]*\[tool\.policycheck\][ \t]*$", text)
    found = re.compile(rf"(?m)^[ \t]*(?:{key}|\"{key}\")[ \t]*=").search(text, header.end() if header else 0)
    if not found:
        return None
    return line_column(text, found.start() + len(found.group()) - len(found.group().lstrip()))


def _strings(data: dict[str, Any], key: str, where: _Where) -> tuple[str, ...]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise where.error((key,), f"{key}: expected a list of strings")
    return tuple(value)


def _mapping(data: dict[str, Any], key: str, where: _Where) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise where.error((key,), f"{key}: expected a mapping of rule to severity")
    return value


def _severity(value: Any, where: _Where, keys: tuple[str, ...]) -> Severity | None:
    if value is None:
        return None
    try:
        return Severity.parse(str(value))
    except ValueError:
        raise where.error(keys, f"{'.'.join(keys)}: expected error, warning or note") from None


def _int(value: Any, where: _Where) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise where.error(("max-file-size",), "max-file-size: expected a positive number of bytes")
    return value
