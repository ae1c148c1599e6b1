"""Wording and grouping shared by the rules about bound calls (the analysis has evaluated them)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, NamedTuple

from ..findings import Affected
from ..model import Grant, Model, Origin, PermissionSet
from ..resolve import Block, Blocked

if TYPE_CHECKING:
    from ..analysis import Analysis

APP = "\x00app\x00"
"""Stands for the application in wording shared by a group, until the group's wording is known."""


def listing(items: Iterable[str]) -> str:
    quoted = [f"'{i}'" for i in items]
    if len(quoted) <= 2:
        return " and ".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


def some(items: Sequence[str], limit: int = 3) -> str:
    """A few names, then how many more: messages stay one line however large the cause."""
    shown = ", ".join(items[:limit])
    return shown if len(items) <= limit else f"{shown} and {len(items) - limit:,} more"


def who(cells: Sequence[Affected]) -> tuple[str, bool]:
    """The application (and True when it is only one) or 'N applications'."""
    apps = dict.fromkeys(map(_APPLICATION, cells))  # at C speed: a cause can break 100,000 applications
    if len(apps) == 1:
        return next(iter(apps)), True
    return f"{len(apps):,} applications", False


_APPLICATION = itemgetter(0)


class Stopping(NamedTuple):
    """A grant that stops failing calls in one environment, with what it would deliver and the calls it breaks."""

    grant: Grant
    environment: str
    permissions: list[str]
    cells: list[Affected]
    name: str
    """`who` of the cells: the application, or "N applications"."""
    single: bool
    ops: list[str]

    @property
    def op(self) -> str | None:
        """The operation, when every call it breaks is of one."""
        return self.ops[0] if len(self.ops) == 1 else None

    def needs(self) -> str:
        """ "<calls> need(s) <permissions> in <environment>", for the message."""
        calls = listing(self.ops) if self.single else some(self.ops)
        return f"{calls} need{'s' if len(self.ops) == 1 else ''} {listing(self.permissions)} in {self.environment}"


def stopping(
    analysis: Analysis, picks: Callable[[Blocked], bool], same: Callable[[Grant], Hashable] = id
) -> Iterator[Stopping]:
    """The grants of this environment (not another's) that stop failing calls, as `picks` chooses them.

    Grouped per environment and grant (`same`: one grant object, or its target), each
    permission and call once, in the order the failures come.
    """
    needed: dict[tuple[str, Hashable], tuple[Grant, dict[str, None], dict[Affected, None]]] = {}
    for f in analysis.failures:
        for permission, found in f.blocked:
            for b in found:
                g = b.grant
                if g is None or Block.OTHER_ENVIRONMENT in b.reasons or not picks(b):
                    continue
                _, perms, hit = needed.setdefault((f.environment, same(g)), (g, {}, {}))
                perms[permission] = None
                hit[(f.application, f.environment, f.operation)] = None
    for (env, _), (grant, perms, hits) in needed.items():
        cells = list(hits)
        name, single = who(cells)
        yield Stopping(grant, env, list(perms), cells, name, single, list(dict.fromkeys(c[2] for c in cells if c[2])))


def app_origin(model: Model, cells: Sequence[Affected]) -> Origin:
    """Where a cause points: the first application it breaks, in its own environment's file."""
    app, env, _ = cells[0]
    return model.applications[app].source_in(env)


def definition_gap(
    defined: PermissionSet | None, name: str, perms: Sequence[str], env: str, where: str
) -> tuple[str, str]:
    """(what differs, the fix) when `env`'s own definition of set `name` lacks what `where`'s delivers.

    A definition that delivers nothing, not even its own permission, where another environment's
    delivers it is switched off there (a disabled Entra app role): it is enabled, not extended.
    """
    title = defined.title if defined is not None else f"permission set '{name}'"
    if defined is not None and list(perms) == [name] and not defined.permissions:
        kind = defined.label.removeprefix("disabled ")
        return (
            f"{title} delivers nothing, where in {where} it delivers {listing(perms)}",
            f"enable {kind} '{name}' in {env} (its definition there: isEnabled true), as in {where}",
        )
    return (
        f"{title} does not include {listing(perms)}, which it includes in {where}",
        f"add {listing(perms)} to {title} in {env} (its definition there), as in {where}",
    )
