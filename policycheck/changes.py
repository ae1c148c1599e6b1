"""What a new export changes: two analyses of the same policies compared (policycheck diff).

For every bound (application, environment): the operations allowed before and not
after (lost) or the other way round (gained), and the effective permissions removed,
each with the first hop of its old chain that the new export breaks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .findings import Change
from .model import Model
from .resolve import Derivation, Resolver

if TYPE_CHECKING:
    from .analysis import Analysis


def changes(before: Analysis, after: Analysis) -> tuple[Change, ...]:
    """Both analyses must share their interned names (`Analysis(after_model, bits=before.bits)`)."""
    assert before.bits is after.bits
    out = []
    for key in sorted(before.pairs.keys() | after.pairs.keys()):
        app, env = key
        ops = sorted(set(before.pairs.get(key, ())) | set(after.pairs.get(key, ())))
        was = [before.allows(app, env, o) for o in ops]
        now = [after.allows(app, env, o) for o in ops]
        lost = tuple(o for o, w, n in zip(ops, was, now, strict=True) if w and not n)
        gained = tuple(o for o, w, n in zip(ops, was, now, strict=True) if n and not w)
        had, has = before.effective_mask(app, env), after.effective_mask(app, env)
        if not (lost or gained or had != has):
            continue
        removed = tuple(
            (p, why_gone(before.resolver.effective(app, env).derivations(p), after.model, after.resolver, app, env))
            for p in before.bits.sorted(had & ~has)
        )
        added = before.bits.sorted(has & ~had)
        out.append(Change(app, env, lost, gained, removed, added))
    return tuple(out)


def why_gone(derivations: tuple[Derivation, ...], after: Model, resolver: Resolver, app: str, env: str) -> str:
    """The first hop of the old chain that the new export breaks."""
    if app not in after.applications:
        return f"{app} is not in the new export"
    if not after.applications[app].assigned_to(env):
        return f"{app} is no longer assigned to {env}"
    for d in derivations:
        same = [
            g
            for g in after.applications[app].grants
            if (g.permission, g.permission_set) == (d.grant.permission, d.grant.permission_set)
        ]
        # another realm's or tenant's copy of the grant is not this environment's grant
        grant = next((g for g in same if resolver.grant_path(g, env) is not None), None)
        if grant is None and d.grant.per_environment:
            return f"the grant of {d.grant.target} was removed in {env}"
        grant = grant or next(iter(same), None)
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
            found = resolver.definition(parent, env)
            if found is None:
                return f"permission set '{parent}' was removed"
            if child not in found.includes:
                return f"permission set '{parent}' no longer includes '{child}'"
        if d.sets:
            last = resolver.definition(d.sets[-1], env)
            if last is not None and d.permission not in last.permissions:
                return f"permission set '{d.sets[-1]}' no longer lists it"
            if d.set_environment_path and grant.permission_set not in resolver.available_sets(env):
                mapped = d.set_environment_path[-1]
                if len(d.set_environment_path) > 1 and mapped not in resolver.chain(env):
                    return f"{env} no longer inherits {mapped}, where permission set '{d.sets[0]}' is mapped"
                return f"permission set '{d.sets[0]}' is no longer mapped to {mapped}"
    return "it no longer reaches the application"
