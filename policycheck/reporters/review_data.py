"""The shape of the review data that the Markdown review and the HTML page both show: the
statuses and what they mean, environment order, parity rows and what changed, so that
the two always say the same."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from ..findings import ALLOWED, BLOCKED, FILTERED, GAP, MISSING, PENDING, Cell, Change, Holding, Result

STATUSES = (BLOCKED, MISSING, GAP, PENDING, FILTERED, ALLOWED)
"""Worst first."""
MEANING = {
    ALLOWED: "the call is allowed",
    BLOCKED: "the gateway refuses it whatever is granted",
    MISSING: "no grant delivers what it needs",
    PENDING: "a pending approval would allow it",
    FILTERED: "granted, but it never reaches the token",
    GAP: "granted, but not in this environment",
}
SYMBOL = {ALLOWED: "✓", MISSING: "✗", PENDING: "◔", FILTERED: "▽", GAP: "⊘", BLOCKED: "⛔"}
CHANGED = {"lost": "lost: allowed before", "gained": "gained: new access"}
UNVERIFIED = "at least one token was decoded without checking its signature; its claims prove nothing."

Moved = Mapping[tuple[str, str, str], str]


def environments(cells: Sequence[Cell]) -> list[str]:
    """Environments in the order the bindings name them."""
    return list(dict.fromkeys(c.environment for c in cells))


def unevaluated(result: Result) -> list[tuple[str, str, str]]:
    """Bound (application, environment, operation) that the matrix leaves out: the name is not defined."""
    if not result.matrix:
        return []
    bound = {(c.application, c.environment, c.operation) for c in result.matrix}
    return [case for case in result.checked.cases() if case not in bound]


def moved(changes: Iterable[Change] | None) -> dict[tuple[str, str, str], str]:
    """(application, environment, operation) -> "lost" or "gained", from a diff."""
    return {
        (c.application, c.environment, op): kind
        for c in changes or ()
        for kind, ops in (("lost", c.lost), ("gained", c.gained))
        for op in ops
    }


@dataclass(frozen=True)
class ParityRow:
    permission: str
    held: tuple[bool, ...]
    """Per environment, in the order of the application's holdings."""
    broken: tuple[str, ...]
    """'prod ≠ test' for every parity partner that lacks what the other holds."""

    @property
    def differs(self) -> bool:
        return not all(self.held)


def parity(result: Result) -> Iterator[tuple[str, list[Holding], list[ParityRow]]]:
    """Per application: its holdings (environments in binding order) and one row per permission."""
    rank = {env: i for i, env in enumerate(environments(result.matrix))}
    by_app: dict[str, list[Holding]] = {}
    for h in result.holdings:
        by_app.setdefault(h.application, []).append(h)
    for app, held in by_app.items():
        held.sort(key=lambda h: (rank.get(h.environment, len(rank)), h.environment))
        sets = {h.environment: set(h.permissions) for h in held}
        rows = []
        for p in sorted({p for h in held for p in h.permissions}):
            having = {env for env, perms in sets.items() if p in perms}
            broken = sorted(
                f"{h.environment} ≠ {o}"
                for h in held
                if h.environment in having
                for o in h.parity
                if o in sets and o not in having
            )
            rows.append(ParityRow(p, tuple(h.environment in having for h in held), tuple(broken)))
        yield app, held, rows


def change_rows(c: Change) -> list[tuple[str, str, str, str]]:
    """(kind, what happens, the operation or permission, why) for one application in one environment."""
    rows = [("lost", "loses operation", op, "allowed before, not after") for op in c.lost]
    rows += [("gained", "gains operation", op, "new access") for op in c.gained]
    rows += [("lost", "loses permission", p, why) for p, why in c.removed]
    rows += [("gained", "gains permission", p, "") for p in c.added]
    return rows
