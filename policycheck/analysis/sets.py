"""Permission sets and environments as bitmasks: closures, chains and what is available where.

An environment sees a set as its own definition says, else as the nearest environment
it inherits from defines it, else as the shared definition (docs/resolution.md). Each
distinct view (the environments of a chain that define sets of their own) is closed
once; a set's closure is one int of permission bits and one of set bits.
"""

from __future__ import annotations

from collections import deque

from ..model import Model, PermissionSet
from .closure import close
from .interning import Names


class View:
    """The sets as one chain of environments defines them, closed lazily, once per set."""

    def __init__(self, model: Model, scoped: tuple[str, ...], permissions: Names, sets: Names):
        self.model = model
        self.scoped = scoped
        self._permissions = permissions
        self._sets = sets
        self._own: dict[str, int] = {}
        self.delivers: dict[str, int] = {}
        """Set name -> every permission it delivers, transitively."""
        self.reaches: dict[str, int] = {}
        """Set name -> the bits of every set it includes, transitively, itself included."""

    def definition(self, name: str) -> PermissionSet | None:
        for env in self.scoped:
            found = self.model.scoped_sets[env].get(name)
            if found is not None:
                return found
        return self.model.permission_sets.get(name)

    def _includes(self, name: str) -> tuple[str, ...]:
        found = self.definition(name)
        return found.includes if found is not None else ()

    def _own_permissions(self, name: str) -> int:
        found = self.definition(name)
        return self._permissions.mask(found.permissions) if found is not None else 0

    def closure(self, name: str) -> int:
        found = self.delivers.get(name)
        if found is None:
            close((name,), self._includes, self._own_permissions, self.delivers)
            found = self.delivers[name]
        return found

    def reach(self, name: str) -> int:
        found = self.reaches.get(name)
        if found is None:
            close((name,), self._includes, lambda n: 1 << self._sets.bit(n), self.reaches)
            found = self.reaches[name]
        return found


class Sets:
    """Chains, views and available sets for every environment of one model."""

    def __init__(self, model: Model, permissions: Names):
        self.model = model
        self.permissions = permissions
        self.ids = Names()
        """Set names as bits."""
        self._chains: dict[str, tuple[str, ...]] = {}
        self._views: dict[tuple[str, ...], View] = {}
        self._available: dict[str, int] = {}

    def chain(self, environment: str) -> tuple[str, ...]:
        """E, then every environment it inherits from, breadth-first (cycles end the walk)."""
        found = self._chains.get(environment)
        if found is None:
            envs = self.model.environments
            seen = {environment: None}
            queue = deque([environment])
            while queue:
                env = queue.popleft()
                for parent in envs[env].inherits if env in envs else ():
                    if parent not in seen:
                        seen[parent] = None
                        queue.append(parent)
            found = self._chains[environment] = tuple(seen)
        return found

    def view(self, environment: str) -> View:
        scoped = tuple(e for e in self.chain(environment) if e in self.model.scoped_sets)
        found = self._views.get(scoped)
        if found is None:
            found = self._views[scoped] = View(self.model, scoped, self.permissions, self.ids)
        return found

    def available(self, environment: str) -> int:
        """The bits of every set usable in E: mapped to E or an ancestor, or included by one that is."""
        found = self._available.get(environment)
        if found is None:
            view = self.view(environment)
            envs = self.model.environments
            found = 0
            for env in self.chain(environment):
                for mapped in envs[env].permission_sets if env in envs else ():
                    found |= view.reach(mapped)
            self._available[environment] = found
        return found

    def is_available(self, name: str, environment: str) -> bool:
        mask = self.available(environment)
        bit = self.ids.index.get(name)
        return bit is not None and bool(mask >> bit & 1)
