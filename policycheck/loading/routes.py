"""Gateway routes (Kong) matched to the policy's operations: what the gateway itself requires.

A route serves an operation of the policies in its environment when the route's name is the
operation's id (verbatim), or else when the route matches the operation's `METHOD /path`
as the gateway would: a method it lists (none: any), a path that is a prefix of the
operation's path (a `~` path: a regular expression matched from the start), the route
with the highest `regex_priority` among regex paths first, then the longest prefix.

The route's own checks (an `acl` allow list, OpenID Connect's required scopes) are added
to the operation's requirement in that environment: the policy's requirement and the
gateway's must both be met. What no permission can satisfy (the route terminates every
request, an ACL deny list, a consumer group the check does not count) is the operation's
`Gate` there, for the rules that say so. An operation bound in an environment whose
gateway configuration has no route for it is closed there: the gateway answers 404.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from ..model import AllOf, Expression, Gate, Operation, Origin, Override, Requirement
from ..records import replace


class Route(NamedTuple):
    name: str
    environment: str
    methods: tuple[str, ...]
    """Upper case; empty: any method."""
    paths: tuple[str, ...]
    """Prefixes, or `~` regular expressions; empty: any path."""
    regex_priority: int
    requirement: Requirement | None
    """What the route's own checks need (None: nothing, a public route or authentication only)."""
    gate: Gate
    vendor: str
    file: str


def _concrete(path: str) -> str:
    """A request path for an operation's path template: `{id}` becomes a sample segment."""
    return re.sub(r"\{[^{}/]*\}", "1", path)


def _rank(route: Route, method: str, path: str) -> tuple[int, int, int] | None:
    """How well `route` matches (higher wins), or None when it does not."""
    if route.methods and method.upper() not in route.methods:
        return None
    if not route.paths:
        return (0, 0, len(route.methods))
    best: tuple[int, int, int] | None = None
    concrete = _concrete(path)
    for p in route.paths:
        if p.startswith("~"):
            try:
                hit = re.match(p[1:], concrete) is not None
            except re.error:
                hit = False
            rank = (2, route.regex_priority, len(route.methods)) if hit else None
        else:
            rank = (1, len(p), len(route.methods)) if concrete.startswith(p) else None
        if rank is not None and (best is None or rank > best):
            best = rank
    return best


def _merge(override: Override | None, extra: Requirement) -> Override:
    if override is None:
        return Override(extra, replace=False)
    base = override.requirement
    permissions: Expression | None
    if base.permissions is None or extra.permissions is None:
        permissions = base.permissions or extra.permissions
    else:
        permissions = AllOf((base.permissions, extra.permissions))
    merged = Requirement(
        permissions,
        tuple(dict.fromkeys(base.scopes + extra.scopes)),
        tuple(dict.fromkeys(base.claims + extra.claims)),
    )
    return Override(merged, override.replace)


class Attached(NamedTuple):
    operations: dict[str, Operation]
    gates: dict[tuple[str, str], Gate]
    counts: list[tuple[str, str, str, int]]


def attach(operations: Mapping[str, Operation], routes: Iterable[Route], where: Mapping[str, Origin]) -> Attached:
    """The operations with each environment's gateway requirement added, and the gates.

    `where`: per environment with routes, the origin a "no route serves it" gate points at.
    """
    by_env: dict[str, list[Route]] = {}
    for r in routes:
        by_env.setdefault(r.environment, []).append(r)
    out = dict(operations)
    gates: dict[tuple[str, str], Gate] = {}
    matched: dict[tuple[str, str], int] = {}
    for env, env_routes in sorted(by_env.items()):
        named = {r.name: r for r in reversed(env_routes)}  # the first of a name wins
        for op_id, op in operations.items():
            route: Route | None = named.get(op_id)
            if route is None:
                ranked = [(rank, -i, r) for i, r in enumerate(env_routes) if (rank := _rank(r, op.method, op.path))]
                route = max(ranked, key=lambda t: (t[0], t[1]))[2] if ranked else None
            if route is None:
                gates[op_id, env] = Gate(
                    "",
                    env,
                    where[env],
                    closed=f"no route of the gateway configuration in {env} serves {op.method} {op.path} "
                    "(the gateway answers 404)",
                    closed_at=where[env],
                )
                continue
            matched[route.vendor, route.file] = matched.get((route.vendor, route.file), 0) + 1
            gates[op_id, env] = route.gate
            if route.requirement is not None:
                current = out[op_id]
                overrides = dict(current.overrides)
                overrides[env] = _merge(overrides.get(env), route.requirement)
                out[op_id] = replace(current, overrides=overrides)
    files = dict.fromkeys((r.vendor, r.file) for rs in by_env.values() for r in rs)
    counts = [(vendor, file, "operations served", matched.get((vendor, file), 0)) for vendor, file in files]
    return Attached(out, gates, counts)
