"""Effective and deliverable permissions as bitmasks, resolved once per distinct grant signature.

Applications with the same grants (what, status, where) have the same effective
permissions in an environment: an organisation of 100,000 applications has a few
thousand signatures. This is the definition of docs/resolution.md over interned ids;
`resolve.Resolver` is the same definition over names with provenance, used for the
few cells that fail, and the property tests hold the two equal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from ..model import Application, Grant, Model, Status
from ..resolve import Block, Blocked, Resolver
from .interning import Names
from .sets import Sets

Signature = tuple[tuple[str | None, str | None, Status, tuple[str, ...] | None], ...]


class Effective(NamedTuple):
    mask: int
    contributions: tuple[tuple[int, int], ...]
    """(index of the grant in the application's grants, what it delivers) for every grant in force."""


NONE = Effective(0, ())


class Grants:
    def __init__(self, model: Model, bits: Names, sets: Sets, resolver: Resolver):
        self.model = model
        self.bits = bits
        self.sets = sets
        self.resolver = resolver
        self._signature: dict[str, int] = {}
        self._signatures: dict[Signature, int] = {}
        self._representative: list[Application] = []
        self._effective: dict[tuple[int, str], Effective] = {}
        self._blocked: dict[tuple[int, str, str], tuple[tuple[int | None, Blocked], ...]] = {}
        self._allowed: dict[tuple[str, ...], int] = {}
        self._scope_filtered: dict[tuple[str, ...], int] = {}
        self._scoped = [(bits.bit(n), frozenset(p.scopes)) for n, p in sorted(model.permissions.items()) if p.scopes]

    def signature(self, app: Application) -> int:
        found = self._signature.get(app.id)
        if found is None:
            key: Signature = tuple((g.permission, g.permission_set, g.status, g.environments) for g in app.grants)
            found = self._signatures.get(key)
            if found is None:
                found = self._signatures[key] = len(self._representative)
                self._representative.append(app)
            self._signature[app.id] = found
        return found

    @property
    def distinct(self) -> int:
        """How many distinct grant signatures the applications have."""
        return len(self._representative)

    def effective(self, app: Application, environment: str) -> Effective:
        if environment not in app.clients:
            return NONE
        key = (self.signature(app), environment)
        found = self._effective.get(key)
        if found is None:
            found = self._effective[key] = self._resolve(app.grants, environment)
        return found

    def _resolve(self, grants: Sequence[Grant], environment: str) -> Effective:
        chain = self.sets.chain(environment)
        view = self.sets.view(environment)
        mask = 0
        contributions = []
        for i, g in enumerate(grants):
            if g.status is not Status.APPROVED:
                continue
            if g.environments is not None and not any(e in g.environments for e in chain):
                continue
            if g.permission_set is not None:
                if not self.sets.is_available(g.permission_set, environment):
                    continue
                delivers = view.closure(g.permission_set)
            else:
                assert g.permission is not None
                delivers = 1 << self.bits.bit(g.permission)
            mask |= delivers
            contributions.append((i, delivers))
        return Effective(mask, tuple(contributions))

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

    def blocked(self, app: Application, environment: str, permission: str) -> list[Blocked]:
        """`Resolver.blocked`, computed once per signature and re-pointed at this application's grants."""
        if environment not in app.clients:
            return [Blocked(permission, None, (Block.NOT_ASSIGNED,), (), tuple(sorted(app.clients)))]
        sig = self.signature(app)
        key = (sig, environment, permission)
        found = self._blocked.get(key)
        if found is None:
            rep = self._representative[sig]
            position = {id(g): i for i, g in enumerate(rep.grants)}
            found = tuple(
                (None if b.grant is None else position[id(b.grant)], b)
                for b in self.resolver.blocked(rep.id, environment, permission)
            )
            self._blocked[key] = found
        return [b if i is None else b._replace(grant=app.grants[i]) for i, b in found]
