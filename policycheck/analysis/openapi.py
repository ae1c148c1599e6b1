"""The policies against the OpenAPI documents the configuration names: which operations match, which do not.

A policy operation and a spec operation match when their method and path template are the
same (parameter names aside: `/orders/{id}` is `/orders/{orderId}`). A document with
`api: NAME` covers the policy operations with that api; the documents without one cover
the others together. Computed once per run (PC501, PC502, PC503 and coverage read it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from ..model import AllOf, AnyOf, Expression, Model, Operation, PermissionRef, Spec, SpecOperation, minimal

_PARAM = re.compile(r"\{[^}/]*\}")
MAX_ALTERNATIVES = 4096


def key(method: str, path: str) -> tuple[str, str]:
    return method.upper(), _PARAM.sub("{}", path).rstrip("/") or "/"


class Missing(NamedTuple):
    """A policy operation that the documents covering it do not have; `renamed`: the likely new one."""

    operation: Operation
    specs: tuple[Spec, ...]
    renamed: SpecOperation | None


class SpecCheck(NamedTuple):
    matched: tuple[tuple[SpecOperation, Operation], ...]
    uncovered: tuple[tuple[Spec, SpecOperation], ...]
    """Spec operations that no policy operation matches (and that are not a rename of one)."""
    missing: tuple[Missing, ...]
    spec_operations: int


def spec_check(model: Model) -> SpecCheck:
    matched: list[tuple[SpecOperation, Operation]] = []
    uncovered: list[tuple[Spec, SpecOperation]] = []
    missing: list[Missing] = []
    claimed = {s.api for s in model.specs if s.api is not None}
    groups: dict[str | None, list[Spec]] = {}
    for spec in model.specs:
        groups.setdefault(spec.api, []).append(spec)
    for api, specs in groups.items():
        ops = [o for o in model.operations.values() if (o.api == api if api is not None else o.api not in claimed)]
        by_key = {key(o.method, o.path): o for o in ops}
        spec_ops = [(s, so) for s in specs for so in s.operations]
        seen: set[tuple[str, str]] = set()
        left: list[tuple[Spec, SpecOperation]] = []
        for spec, so in spec_ops:
            k = key(so.method, so.path)
            policy_op = by_key.get(k)
            if policy_op is None:
                left.append((spec, so))
            else:
                seen.add(k)
                matched.append((so, policy_op))
        renames: set[int] = set()
        for op in sorted(ops, key=lambda o: o.id):
            if key(op.method, op.path) in seen:
                continue
            renamed = _renamed(op, left, renames)
            missing.append(Missing(op, tuple(specs), renamed))
        uncovered += [(s, so) for s, so in left if id(so) not in renames]
    return SpecCheck(tuple(matched), tuple(uncovered), tuple(missing), sum(len(s.operations) for s in model.specs))


def _renamed(op: Operation, left: list[tuple[Spec, SpecOperation]], taken: set[int]) -> SpecOperation | None:
    """The unmatched spec operation this one likely became: the same id, else the same method and a close path."""
    free = [so for _, so in left if id(so) not in taken]
    same_id = [so for so in free if op.id in (so.id, so.operation_id)]
    if same_id:
        taken.add(id(same_id[0]))
        return same_id[0]
    candidates = {key(so.method, so.path)[1]: so for so in free if so.method == op.method}
    if not candidates:
        return None
    import difflib  # only to name a likely rename: 2-3 ms of every start otherwise

    close = difflib.get_close_matches(key(op.method, op.path)[1], list(candidates), n=1, cutoff=0.7)
    if close:
        taken.add(id(candidates[close[0]]))
        return candidates[close[0]]
    return None


def policy_scope_sets(model: Model, op: Operation) -> frozenset[frozenset[str]] | None:
    """The policy operation's base requirement over scopes, as the spec states requirements; None: too large."""
    requirement = op.requirement
    options = _dnf(requirement.permissions, model) if requirement.permissions is not None else {frozenset()}
    if options is None:
        return None
    extra = frozenset(requirement.scopes)
    return minimal({o | extra for o in options})


def _dnf(expr: Expression, model: Model) -> set[frozenset[str]] | None:
    if isinstance(expr, PermissionRef):
        permission = model.permissions.get(expr.name)
        scopes = permission.scopes if permission is not None else ()
        return {frozenset([s]) for s in scopes} if scopes else {frozenset()}
    parts = [_dnf(i, model) for i in expr.items]
    if any(p is None for p in parts):
        return None
    if isinstance(expr, AnyOf):
        return {o for p in parts if p is not None for o in p}
    assert isinstance(expr, AllOf)
    out: set[frozenset[str]] = {frozenset()}
    for p in parts:
        assert p is not None
        out = {a | b for a in out for b in p}
        if len(out) > MAX_ALTERNATIVES:
            return None
    return out


def describe(alternatives: Iterable[frozenset[str]]) -> str:
    """'a and b, or c'; 'no scope' for the empty requirement."""
    ordered = sorted((sorted(a) for a in alternatives), key=lambda a: (len(a), a))
    if not ordered or ordered == [[]]:
        return "no scope"
    return ", or ".join(" and ".join(a) if a else "no scope" for a in ordered)
