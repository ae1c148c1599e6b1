"""Environment identity: one application under different client ids and names per environment.

Configuration gives an explicit alias map (`applications: {client id or name: application id}`)
and environment suffixes (`environment-suffixes: {_PRD: prod, _TST: test}`); without them a few
common suffixes are recognised. Placeholders such as `##ENV##` or `${ENV}` stay symbolic.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

from ...records import NEW as _NEW
from ...records import Record

_set = object.__setattr__

DEFAULT_SUFFIXES = {
    "_PRD": "prod",
    "_PROD": "prod",
    "-prod": "prod",
    "_TST": "test",
    "_TEST": "test",
    "-test": "test",
    "_DEV": "dev",
    "-dev": "dev",
    "_QA": "qa",
    "-qa": "qa",
}


class Identity(Record):
    _fields = ("aliases", "suffixes", "environments")
    aliases: Mapping[str, str]
    """Client id or name -> application id."""
    suffixes: Mapping[str, str]
    """Name suffix -> environment."""
    environments: Mapping[str, str]
    """Realm, tenant or folder (a path prefix) -> environment."""

    def __init__(
        self,
        aliases: Mapping[str, str] = _NEW,
        suffixes: Mapping[str, str] = _NEW,
        environments: Mapping[str, str] = _NEW,
    ) -> None:
        _set(self, "aliases", {} if aliases is _NEW else aliases)
        _set(self, "suffixes", dict(DEFAULT_SUFFIXES) if suffixes is _NEW else suffixes)
        _set(self, "environments", {} if environments is _NEW else environments)

    def application(self, name: str) -> str:
        if name in self.aliases:
            return self.aliases[name]
        base, _ = self.split(name)
        return self.aliases.get(base, base)

    @cached_property
    def _longest_first(self) -> tuple[str, ...]:
        return tuple(sorted(self.suffixes, key=len, reverse=True))

    def split(self, name: str) -> tuple[str, str | None]:
        """(name without its environment suffix, that environment)."""
        if not name.endswith(self._ends):
            return name, None
        for suffix in self._longest_first:
            if name.endswith(suffix) and len(name) > len(suffix):
                return name[: -len(suffix)], self.suffixes[suffix]
        return name, None

    @cached_property
    def _ends(self) -> tuple[str, ...]:
        """Every suffix, for one str.endswith (a realm export has thousands of client ids)."""
        return tuple(self.suffixes)

    def environment(self, name: str, path: str) -> str:
        """Environment of a realm or tenant `name` read from `path`: folder map, name map, suffix, name."""
        for prefix in sorted(self.environments, key=len, reverse=True):
            if "/" in prefix and path.startswith(prefix.rstrip("/") + "/"):
                return self.environments[prefix]
        if name in self.environments:
            return self.environments[name]
        return self.split(name)[1] or name
