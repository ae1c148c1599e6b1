"""Effective and deliverable permissions as bitmasks, each distinct grant resolved once per environment.

A grant is what it grants (a permission or a set), its status and where it applies: an
organisation of 100,000 applications holds a few thousand distinct ones. Resolving one
in an environment gives what it delivers there and whether it is in force; an
application's effective permissions are the OR of its grants in force. This is the
definition of docs/resolution.md over interned ids; `resolve.Resolver` is the same
definition over names with provenance, and the property tests hold the two equal.
"""

from __future__ import annotations

from typing import NamedTuple

from ..model import Application, Grant, Model, Status
from ..resolve import Block, Blocked, Resolver
from .interning import Names
from .sets import Sets

GrantKey = tuple[str | None, str | None, int, "tuple[str, ...] | None"]


class GrantIn(NamedTuple):
    """One distinct grant in one environment."""

    delivers: int
    """What the grant's permission or set delivers as this environment defines it (in force or not)."""
    applies: bool
    """Its environments include E or one E inherits from."""
    available: bool
    """A permission, or a set usable in E."""
    in_force: bool


class Grants:
    def __init__(self, model: Model, bits: Names, sets: Sets, resolver: Resolver):
        self.model = model
        self.bits = bits
        self.sets = sets
        self.resolver = resolver
        self._ids: dict[GrantKey, int] = {}
        """Each distinct grant (what, status, where) by number."""
        self._of_app: dict[str, tuple[int, ...]] = {}
        self._grants: dict[tuple[int, str], GrantIn] = {}
        self._in_force: dict[str, dict[int, int]] = {}
        """Environment -> grant number -> what it delivers there when in force, else 0."""
        self._allowed: dict[tuple[str, ...], int] = {}
        self._blocked_pair: tuple[str, str] | None = None
        self._blocked: dict[str, tuple[Blocked, ...]] = {}
        self._last: tuple[tuple[str, str], tuple[list[GrantIn], set[tuple[str | None, str | None]]]] | None = None
        """The grants of the last (application, environment) asked about: failures come in runs of one pair."""
        self._scope_filtered: dict[tuple[str, ...], int] = {}
        self._scoped = [(bits.bit(n), frozenset(p.scopes)) for n, p in sorted(model.permissions.items()) if p.scopes]

    @property
    def distinct(self) -> int:
        """How many distinct (grant, environment) pairs were resolved."""
        return len(self._grants)

    def ids(self, app: Application) -> tuple[int, ...]:
        """The numbers of an application's grants, in its order."""
        found = self._of_app.get(app.id)
        if found is None:
            ids = self._ids
            numbers = []
            for g in app.grants:
                key = (g[0], g[1], id(g[2]), g[3])  # a status by identity: an enum member hashes in Python
                n = ids.get(key)
                if n is None:
                    n = ids[key] = len(ids)
                numbers.append(n)
            found = self._of_app[app.id] = tuple(numbers)
        return found

    def grant_in(self, g: Grant, environment: str) -> GrantIn:
        key = (g[0], g[1], id(g[2]), g[3])
        n = self._ids.get(key)
        if n is None:
            n = self._ids[key] = len(self._ids)
        found = self._grants.get((n, environment))
        if found is None:
            found = self._grants[n, environment] = self._resolve(g, environment)
        return found

    def _resolve(self, g: Grant, environment: str) -> GrantIn:
        applies = g.environments is None or any(e in g.environments for e in self.sets.chain(environment))
        if g.permission_set is not None:
            delivers = self.sets.view(environment).closure(g.permission_set)
            available = self.sets.is_available(g.permission_set, environment)
        else:
            assert g.permission is not None
            delivers, available = 1 << self.bits.bit(g.permission), True
        return GrantIn(delivers, applies, available, g.status is Status.APPROVED and applies and available)

    def effective_mask(self, app: Application, environment: str) -> int:
        """The OR of what the application's grants in force deliver there (the hot path: numbers only)."""
        return self.in_force(app, environment)[0]

    def in_force(self, app: Application, environment: str) -> tuple[int, tuple[int, ...]]:
        """The effective mask and the contributions to it, in one pass over the grants' numbers.

        The contributions are flat, (index, delivers, index, delivers, ...): one tuple for
        the pair, not one per grant (held for every pair with unneeded permissions)."""
        if environment not in app.clients:
            return 0, ()
        table = self._in_force.get(environment)
        if table is None:
            table = self._in_force[environment] = {}
        mask = 0
        contributions: list[int] = []
        for i, n in enumerate(self.ids(app)):
            m = table.get(n)
            if m is None:
                r = self.grant_in(app.grants[i], environment)
                m = table[n] = r.delivers if r.in_force else 0
            if m:
                mask |= m
                contributions += (i, m)
        return mask, tuple(contributions)

    def deliverable(self, app: Application, environment: str, effective: int) -> int:
        """What of `effective` can reach a token: the allow-list, and the scopes the client requests."""
        if not effective:
            return effective
        allowed = app.allowed(environment)
        if allowed is not None:
            mask = self._allowed.get(allowed)
            if mask is None:
                mask = self._allowed[allowed] = self.bits.mask(allowed)
            effective &= mask
        requested = app.requested_scopes(environment)
        if requested is not None and self._scoped:
            drop = self._scope_filtered.get(requested)
            if drop is None:
                drop = 0
                for bit, scopes in self._scoped:
                    if scopes.isdisjoint(requested):
                        drop |= 1 << bit
                self._scope_filtered[requested] = drop
            effective &= ~drop
        return effective

    def _resolved(self, app: Application, environment: str) -> tuple[list[GrantIn], set[tuple[str | None, str | None]]]:
        """Each grant of the application resolved in `environment`, and what it is granted there (approved)."""
        key = (app.id, environment)
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        resolved = [self.grant_in(g, environment) for g in app.grants]
        here = {
            (g.permission, g.permission_set)
            for g, r in zip(app.grants, resolved, strict=True)
            if g.status is Status.APPROVED and r.applies
        }
        self._last = (key, (resolved, here))
        return resolved, here

    def blocked(self, app: Application, environment: str, permission: str) -> tuple[Blocked, ...]:
        """`Resolver.blocked` over the resolved grants; provenance paths only where a set's definition differs.

        The failing calls of one (application, environment) come together and mostly lack the same
        permissions: the answers for the last pair asked about are kept.
        """
        pair = (app.id, environment)
        if self._blocked_pair != pair:
            self._blocked_pair, self._blocked = pair, {}
        found = self._blocked.get(permission)
        if found is None:
            found = self._blocked[permission] = tuple(self._find_blocked(app, environment, permission))
        return found

    def _find_blocked(self, app: Application, environment: str, permission: str) -> list[Blocked]:
        if environment not in app.clients:
            return [Blocked(permission, None, (Block.NOT_ASSIGNED,), (), tuple(sorted(app.clients)))]
        bit = 1 << self.bits.bit(permission)
        resolved, here = self._resolved(app, environment)
        out: list[Blocked] = []
        for g, r in zip(app.grants, resolved, strict=True):
            if not r.delivers & bit:
                if r.in_force and g.permission_set is not None and self.model.scoped_sets:
                    out.extend(b for b in self.resolver.blocked(app.id, environment, permission) if b.grant is g)
                continue
            reasons: list[Block] = []
            environments: tuple[str, ...] = ()
            if g.status is Status.PENDING:
                reasons.append(Block.PENDING)
            elif g.status is Status.REVOKED:
                reasons.append(Block.REVOKED)
            if not r.applies:
                if g.per_environment and (g.permission, g.permission_set) in here and not reasons:
                    continue  # another realm's copy of a grant that this realm has too
                reasons.append(Block.OTHER_ENVIRONMENT)
                environments = g.environments or ()
            if not r.available:
                assert g.permission_set is not None
                reasons.append(Block.SET_NOT_MAPPED)
                environments = self.resolver.mapped_in(g.permission_set)
            if reasons:
                sets = self.resolver.delivers(g, environment)[permission] if g.permission_set is not None else ()
                out.append(Blocked(permission, g, tuple(reasons), sets, environments))
        return out
