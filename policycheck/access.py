"""What a reviewer looks at: the access matrix, and what a restructuring changes.

`matrix` gives, for every bound (application, environment, operation), whether the
call is allowed, and if not why: `missing` (no grant delivers it), `pending` (a
pending approval would), `filtered` (granted, but it never reaches the token) or
`gap` (granted, but not in this environment). `changes` compares the matrix and
the effective permissions of two models of the same policies (an export before
and after a change), with the chain that changed for every permission removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .model import Model
from .resolve import Block, Derivation, Resolver, missing, satisfied

if TYPE_CHECKING:
    from .engine import RuleContext

ALLOWED, MISSING, PENDING, FILTERED, GAP = "allowed", "missing", "pending", "filtered", "gap"


@dataclass(frozen=True)
class Cell:
    application: str
    environment: str
    operation: str
    status: str
    missing: tuple[str, ...]
    """The permissions that are not effective (or not deliverable, when filtered)."""


@dataclass(frozen=True)
class Holding:
    """The effective permissions of a bound application in an environment (parity side by side)."""

    application: str
    environment: str
    permissions: tuple[str, ...]
    parity: tuple[str, ...]
    """The environment's parity partners."""


def holdings(model: Model, resolver: Resolver) -> tuple[Holding, ...]:
    partners: dict[str, set[str]] = {}
    for env in model.policy_environments.values():
        for other in env.parity:
            partners.setdefault(env.name, set()).add(other)
            partners.setdefault(other, set()).add(env.name)
    pairs = sorted(
        {(b.application, e) for b in model.bindings for e in b.environments if b.application in model.applications}
    )
    return tuple(
        Holding(a, e, tuple(sorted(resolver.effective(a, e).permissions)), tuple(sorted(partners.get(e, ()))))
        for a, e in pairs
    )


@dataclass(frozen=True)
class Change:
    """One application in one environment, before and after."""

    application: str
    environment: str
    lost: tuple[str, ...]
    """Bound operations allowed before and not after."""
    gained: tuple[str, ...]
    removed: tuple[tuple[str, str], ...]
    """(permission, the chain that changed) for every effective permission that is gone."""
    added: tuple[str, ...]


def matrix(model: Model, resolver: Resolver) -> tuple[Cell, ...]:
    cells = []
    for binding in model.bindings:
        app = binding.application
        if app not in model.applications:
            continue
        for env in binding.environments:
            have = resolver.effective(app, env).permissions
            deliverable, _ = resolver.deliverable(app, env)
            for op_id in binding.operations:
                op = model.operations.get(op_id)
                if op is None:
                    continue
                need = op.requirement_in(env).permissions
                if satisfied(need, deliverable):
                    cells.append(Cell(app, env, op_id, ALLOWED, ()))
                    continue
                if satisfied(need, have):
                    cells.append(Cell(app, env, op_id, FILTERED, tuple(missing(need, deliverable))))
                    continue
                lacking = tuple(missing(need, have))
                status = _worst(resolver, app, env, lacking)
                cells.append(Cell(app, env, op_id, status, lacking))
    return tuple(dict.fromkeys(cells))


RANK = {PENDING: 0, GAP: 1, MISSING: 2}


def _worst(resolver: Resolver, app: str, env: str, lacking: tuple[str, ...]) -> str:
    """The hardest of the missing permissions to get: none delivers it, then a gap, then only an approval."""
    worst = PENDING
    for permission in lacking:
        blocked = [b for b in resolver.blocked(app, env, permission) if Block.REVOKED not in b.reasons]
        if not blocked:
            status = MISSING
        elif any(b.reasons == (Block.PENDING,) for b in blocked):
            status = PENDING
        else:
            status = GAP
        worst = max(worst, status, key=RANK.__getitem__)
    return worst


def changes(
    before: Model, after: Model, new: Resolver | None = None, after_cells: tuple[Cell, ...] | None = None
) -> tuple[Change, ...]:
    """Per (application, environment) bound in the policies: what a new export changes.

    `new` and `after_cells` are the run's own resolver and matrix of `after`, when it has them.
    """
    old = Resolver(before)
    new = new or Resolver(after)
    old_cells = {(c.application, c.environment, c.operation): c.status for c in matrix(before, old)}
    new_cells = {
        (c.application, c.environment, c.operation): c.status
        for c in (after_cells if after_cells is not None else matrix(after, new))
    }
    ops_of: dict[tuple[str, str], set[str]] = {}
    for a, e, o in (*old_cells, *new_cells):
        ops_of.setdefault((a, e), set()).add(o)
    out = []
    for (app, env), op_set in sorted(ops_of.items()):
        ops = sorted(op_set)
        lost = tuple(
            o for o in ops if old_cells.get((app, env, o)) == ALLOWED and new_cells.get((app, env, o)) != ALLOWED
        )
        gained = tuple(
            o for o in ops if old_cells.get((app, env, o)) != ALLOWED and new_cells.get((app, env, o)) == ALLOWED
        )
        was = old.effective(app, env)
        now = new.effective(app, env).permissions
        removed = tuple((p, why_gone(was.derivations(p), after, new, app, env)) for p in sorted(was.permissions - now))
        added = tuple(sorted(now - was.permissions))
        if lost or gained or removed or added:
            out.append(Change(app, env, lost, gained, removed, added))
    return tuple(out)


def shared_changes(model: Model, ctx: RuleContext) -> tuple[Change, ...]:
    """changes() for the rules of one run: its resolver, and the matrix the report will show too."""
    assert ctx.before is not None
    cells = ctx.shared("matrix", lambda: matrix(model, ctx.resolver))
    return changes(ctx.before, model, ctx.resolver, cells)


def why_gone(derivations: tuple[Derivation, ...], after: Model, resolver: Resolver, app: str, env: str) -> str:
    """The first hop of the old chain that the new export breaks."""
    if app not in after.applications:
        return f"{app} is not in the new export"
    if not after.applications[app].assigned_to(env):
        return f"{app} is no longer assigned to {env}"
    for d in derivations:
        grant = next(
            (
                g
                for g in after.applications[app].grants
                if (g.permission, g.permission_set) == (d.grant.permission, d.grant.permission_set)
            ),
            None,
        )
        if grant is None:
            return f"the grant of {d.grant.target} was removed"
        if grant.status.value != "approved":
            return f"the grant of {d.grant.target} is now {grant.status.value}"
        if resolver.grant_path(grant, env) is None:
            return f"the grant of {d.grant.target} no longer applies to {env}"
        for parent, child in zip(d.environment_path, d.environment_path[1:], strict=False):
            if child not in resolver.chain(parent):
                return f"{parent} no longer inherits {child}"
        for parent, child in zip(d.sets, d.sets[1:], strict=False):
            found = after.permission_sets.get(parent)
            if found is None:
                return f"permission set '{parent}' was removed"
            if child not in found.includes:
                return f"permission set '{parent}' no longer includes '{child}'"
        if d.sets:
            last = after.permission_sets.get(d.sets[-1])
            if last is not None and d.permission not in last.permissions:
                return f"permission set '{d.sets[-1]}' no longer lists it"
            if d.set_environment_path and grant.permission_set not in resolver.available_sets(env):
                mapped = d.set_environment_path[-1]
                if len(d.set_environment_path) > 1 and mapped not in resolver.chain(env):
                    return f"{env} no longer inherits {mapped}, where permission set '{d.sets[0]}' is mapped"
                return f"permission set '{d.sets[0]}' is no longer mapped to {mapped}"
    return "it no longer reaches the application"
