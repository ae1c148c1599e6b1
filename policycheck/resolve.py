"""Effective permissions: the one definition (documented in docs/resolution.md).

The effective permissions of application A in environment E are the union, over
every grant G of A, of the permissions G delivers, where G counts only if

1. A is assigned to E (the export names a client of A in E);
2. G is approved;
3. G applies to E or to an environment that E inherits from, directly or
   transitively (a grant without `environments` applies everywhere A is assigned);
4. G is a permission, or G is a permission set that is available in E: mapped to
   E or to an environment E inherits from, or included (transitively) by a set
   mapped there.

A permission set delivers its own permissions and those of every set it
includes, transitively. Inheritance and inclusion are walked breadth-first with
a visited set, so cycles end the walk (and are reported by their own rule); the
path recorded for each permission is a shortest one.

Deliverable permissions (`Resolver.deliverable`) are what can reach a token: the
effective permissions, less those the gateway does not let into this client's
tokens in E (the application's `delivery` allow-list, when it has one), and less
those that travel in OAuth scopes (the catalogue's `scopes` of a permission) of
which the application requests none in E (when the export states the request).

`Resolver.effective` is that definition. `Resolver.blocked` says, for a
permission that is not effective, which grants would have delivered it and the
hop where each one stops (pending, revoked, other environment, set not mapped,
application not assigned).
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import NamedTuple

from .model import AllOf, Expression, Grant, Model, PermissionRef, PermissionSet, Status
from .records import Record

_set = object.__setattr__

Path = tuple[str, ...]


class Derivation(Record):
    """How one permission reached an application in an environment."""

    _fields = ("permission", "grant", "environment_path", "sets", "set_environment_path")

    permission: str
    grant: Grant
    environment_path: Path
    """E -> ... -> the environment whose grant it is (just (E,) when the grant applies to E)."""
    sets: Path
    """The granted set -> included set -> ... -> the set that lists the permission; () if direct."""
    set_environment_path: Path | None
    """E -> ... -> the environment the granted set is mapped to; None for a direct grant."""

    def __init__(
        self,
        permission: str,
        grant: Grant,
        environment_path: Path,
        sets: Path,
        set_environment_path: Path | None,
    ) -> None:
        _set(self, "permission", permission)
        _set(self, "grant", grant)
        _set(self, "environment_path", environment_path)
        _set(self, "sets", sets)
        _set(self, "set_environment_path", set_environment_path)


class Contribution(NamedTuple):
    """One grant that counts in the environment (a tuple: built for every grant, so it must be cheap)."""

    grant: Grant
    environment_path: Path
    set_environment_path: Path | None
    delivers: Mapping[str, Path]


class Resolution(Record):
    _fields = ("application", "environment", "permissions", "contributions")
    application: str
    environment: str
    permissions: frozenset[str]
    contributions: tuple[Contribution, ...]

    def __init__(
        self,
        application: str,
        environment: str,
        permissions: frozenset[str],
        contributions: tuple[Contribution, ...],
    ) -> None:
        _set(self, "application", application)
        _set(self, "environment", environment)
        _set(self, "permissions", permissions)
        _set(self, "contributions", contributions)

    def derivations(self, permission: str) -> tuple[Derivation, ...]:
        return tuple(
            Derivation(permission, c.grant, c.environment_path, c.delivers[permission], c.set_environment_path)
            for c in self.contributions
            if permission in c.delivers
        )


class Filter(enum.Enum):
    """Why an effective permission does not reach the token."""

    DELIVERY = "delivery"
    SCOPE_REQUEST = "scope-request"


class Block(enum.Enum):
    NOT_ASSIGNED = "not-assigned"
    PENDING = "pending"
    REVOKED = "revoked"
    OTHER_ENVIRONMENT = "other-environment"
    SET_NOT_MAPPED = "set-not-mapped"
    DEFINITION = "definition"
    """The set is in force, but this environment defines it without the permission (another one has it)."""


class Blocked(NamedTuple):
    """A grant that would deliver `permission` in the environment, and why it does not."""

    permission: str
    grant: Grant | None
    reasons: tuple[Block, ...]
    sets: Path
    environments: tuple[str, ...]
    """OTHER_ENVIRONMENT: where the grant applies. SET_NOT_MAPPED: where the set is available.
    DEFINITION: the environments whose definition of the set delivers the permission."""


class Resolver:
    """Effective permissions over one model, with the walks cached."""

    def __init__(self, model: Model):
        self.model = model
        self._chains: dict[str, dict[str, Path]] = {}
        self._closures: dict[tuple[str, str | None], dict[str, Path]] = {}
        self._set_closures: dict[tuple[str, str | None], dict[str, Path]] = {}
        self._available: dict[str, dict[str, Path]] = {}
        self._empty: frozenset[str] = frozenset()
        self._effective: dict[tuple[str, str], Resolution] = {}
        self._grant_paths: dict[tuple[tuple[str, ...], str], Path | None] = {}
        self._direct: dict[int, dict[str, Path]] = {}  # by id(grant): the model outlives the resolver
        self._mapped_in: dict[str, tuple[str, ...]] = {}
        self._scoped = {n: frozenset(p.scopes) for n, p in model.permissions.items() if p.scopes}
        self._deliverable: dict[tuple[str, str], tuple[frozenset[str], dict[str, Filter]]] = {}

    # --- walks -------------------------------------------------------------

    def chain(self, environment: str) -> dict[str, Path]:
        """E and every environment it inherits from, each with a shortest path from E (E first)."""
        found = self._chains.get(environment)
        if found is None:
            envs = self.model.environments
            found = _walk(environment, lambda e: envs[e].inherits if e in envs else ())
            self._chains[environment] = found
        return found

    def definition(self, name: str, environment: str | None = None) -> PermissionSet | None:
        """The set as `environment` defines it: its own definition, else the nearest inherited one, else the shared."""
        if environment is not None and self.model.scoped_sets:
            for env in self.chain(environment):
                found = self.model.scoped_sets.get(env, {}).get(name)
                if found is not None:
                    return found
        return self.model.permission_sets.get(name)

    def _includes(self, environment: str | None) -> Callable[[str], Iterable[str]]:
        def includes(name: str) -> Iterable[str]:
            found = self.definition(name, environment)
            return found.includes if found is not None else ()

        return includes

    def set_closure(self, name: str, environment: str | None = None) -> dict[str, Path]:
        """Set name -> path from `name`, for `name` and every set it includes (as `environment` defines them)."""
        key = (name, environment)
        found = self._set_closures.get(key)
        if found is None:
            found = self._set_closures[key] = _walk(name, self._includes(environment))
        return found

    def closure(self, name: str, environment: str | None = None) -> dict[str, Path]:
        """Permission -> the set path that delivers it, for permission set `name` (in `environment`)."""
        key = (name, environment)
        found = self._closures.get(key)
        if found is None:
            found = {}
            for set_name, path in self.set_closure(name, environment).items():
                definition = self.definition(set_name, environment)
                for permission in definition.permissions if definition is not None else ():
                    found.setdefault(permission, path)
            self._closures[key] = found
        return found

    def available_sets(self, environment: str) -> dict[str, Path]:
        """Set name -> environment path to where it is mapped, for every set usable in E.

        One walk per environment of the chain, each over the sets not reached yet: linear in the sets.
        """
        found = self._available.get(environment)
        if found is None:
            envs = self.model.environments
            includes = self._includes(environment)
            found = {}
            for env, env_path in self.chain(environment).items():
                queue = deque(m for m in (envs[env].permission_sets if env in envs else ()) if m not in found)
                for m in queue:
                    found.setdefault(m, env_path)
                while queue:
                    for nxt in includes(queue.popleft()):
                        if nxt not in found:
                            found[nxt] = env_path
                            queue.append(nxt)
            self._available[environment] = found
        return found

    def delivers(self, grant: Grant, environment: str | None = None) -> Mapping[str, Path]:
        if grant.permission_set is not None:
            return self.closure(grant.permission_set, environment)
        found = self._direct.get(id(grant))
        if found is None:
            assert grant.permission is not None
            found = self._direct[id(grant)] = {grant.permission: ()}
        return found

    def grant_path(self, grant: Grant, environment: str) -> Path | None:
        """Environment path through which `grant` applies to E, or None."""
        if grant.environments is None:
            return (environment,)
        key = (grant.environments, environment)
        if key not in self._grant_paths:
            self._grant_paths[key] = next(
                (path for env, path in self.chain(environment).items() if env in grant.environments), None
            )
        return self._grant_paths[key]

    # --- the definition ----------------------------------------------------

    def effective(self, application: str, environment: str) -> Resolution:
        """The definition above; computed once per (application, environment)."""
        key = (application, environment)
        found = self._effective.get(key)
        if found is None:
            found = self._effective[key] = self._resolve(application, environment)
        return found

    def _resolve(self, application: str, environment: str) -> Resolution:
        app = self.model.applications.get(application)
        if app is None or not app.assigned_to(environment):
            return Resolution(application, environment, self._empty, ())
        contributions = []
        permissions: set[str] = set()
        for grant in app.grants:
            if grant.status is not Status.APPROVED:
                continue
            env_path = self.grant_path(grant, environment)
            if env_path is None:
                continue
            set_path = None
            if grant.permission_set is not None:
                set_path = self.available_sets(environment).get(grant.permission_set)
                if set_path is None:
                    continue
            delivers = self.delivers(grant, environment)
            contributions.append(Contribution(grant, env_path, set_path, delivers))
            permissions.update(delivers)
        return Resolution(application, environment, frozenset(permissions), tuple(contributions))

    def deliverable(self, application: str, environment: str) -> tuple[frozenset[str], dict[str, Filter]]:
        """Effective permissions that can reach a token, and why each of the others cannot."""
        key = (application, environment)
        found = self._deliverable.get(key)
        if found is None:
            found = self._deliverable[key] = self._filter(application, environment)
        return found

    def _filter(self, application: str, environment: str) -> tuple[frozenset[str], dict[str, Filter]]:
        effective = self.effective(application, environment).permissions
        app = self.model.applications.get(application)
        if app is None or not effective:
            return effective, {}
        allowed = app.allowed(environment)
        requested = app.requested_scopes(environment)
        filtered: dict[str, Filter] = {}
        if allowed is not None:
            filtered.update((name, Filter.DELIVERY) for name in effective.difference(allowed))
        if requested is not None and self._scoped:
            for name in effective.intersection(self._scoped).difference(filtered):
                if self._scoped[name].isdisjoint(requested):
                    filtered[name] = Filter.SCOPE_REQUEST
        return (effective - filtered.keys() if filtered else effective), filtered

    def blocked(self, application: str, environment: str, permission: str) -> list[Blocked]:
        """Every grant of the application that would deliver `permission` but does not in E."""
        app = self.model.applications.get(application)
        if app is None:
            return []
        if not app.assigned_to(environment):
            return [Blocked(permission, None, (Block.NOT_ASSIGNED,), (), tuple(sorted(app.clients)))]
        out = []
        here = {
            (g.permission, g.permission_set)
            for g in app.grants
            if g.status is Status.APPROVED and self.grant_path(g, environment) is not None
        }
        for grant in app.grants:
            delivers = self.delivers(grant, environment)
            if permission not in delivers:
                differs = self._defined_elsewhere(grant, environment, permission)
                if differs is not None:
                    out.append(differs)
                continue
            reasons: list[Block] = []
            environments: tuple[str, ...] = ()
            if grant.status is Status.PENDING:
                reasons.append(Block.PENDING)
            elif grant.status is Status.REVOKED:
                reasons.append(Block.REVOKED)
            if self.grant_path(grant, environment) is None:
                if grant.per_environment and (grant.permission, grant.permission_set) in here and not reasons:
                    continue  # another realm's copy of a grant that this realm has too: not a blocker here
                reasons.append(Block.OTHER_ENVIRONMENT)
                environments = grant.environments or ()
            if grant.permission_set is not None and grant.permission_set not in self.available_sets(environment):
                reasons.append(Block.SET_NOT_MAPPED)
                environments = self.mapped_in(grant.permission_set)
            if reasons:
                out.append(Blocked(permission, grant, tuple(reasons), delivers[permission], environments))
        return out

    def _defined_elsewhere(self, grant: Grant, environment: str, permission: str) -> Blocked | None:
        """A grant in force in E whose set, as other environments define it, would deliver the permission."""
        name = grant.permission_set
        if (
            name is None
            or not self.model.scoped_sets
            or grant.status is not Status.APPROVED
            or self.grant_path(grant, environment) is None
            or name not in self.available_sets(environment)
        ):
            return None
        others = [e for e, sets in sorted(self.model.scoped_sets.items()) if name in sets and e != environment]
        where = [e for e in others if permission in self.closure(name, e)]
        if not where:
            return None
        return Blocked(permission, grant, (Block.DEFINITION,), self.closure(name, where[0])[permission], tuple(where))

    def mapped_in(self, set_name: str) -> tuple[str, ...]:
        """Environments of the export that map the set themselves (or a set that includes it)."""
        if set_name not in self._mapped_in:
            self._mapped_in[set_name] = tuple(
                name
                for name, env in sorted(self.model.environments.items())
                if any(set_name in self.set_closure(mapped, name) for mapped in env.permission_sets)
            )
        return self._mapped_in[set_name]


def _walk(start: str, next_of: Callable[[str], Iterable[str]]) -> dict[str, Path]:
    """Breadth-first from `start`; each node once, with a shortest path. Cycles end the walk."""
    paths: dict[str, Path] = {start: (start,)}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in next_of(node):
            if nxt not in paths:
                paths[nxt] = (*paths[node], nxt)
                queue.append(nxt)
    return paths


def missing(expression: Expression | None, have: frozenset[str] | set[str]) -> list[str]:
    """Permissions to add so that `expression` holds; for any_of, the smallest alternative."""
    if expression is None:
        return []
    if isinstance(expression, PermissionRef):
        return [] if expression.name in have else [expression.name]
    if isinstance(expression, AllOf):
        out: list[str] = []
        for item in expression.items:
            out.extend(p for p in missing(item, have) if p not in out)
        return out
    options = [missing(item, have) for item in expression.items]
    return min(options, key=len) if all(options) else []


def satisfied(expression: Expression | None, have: frozenset[str] | set[str]) -> bool:
    """Whether `have` meets the expression (compiled once per expression: the hot path)."""
    if expression is None:
        return True
    check = expression.__dict__.get("_check")
    if check is None:
        check = _compile(expression)
        object.__setattr__(expression, "_check", check)
    result: bool = check(have)
    return result


def _compile(expression: Expression) -> Callable[[frozenset[str] | set[str]], bool]:
    if isinstance(expression, PermissionRef):
        name = expression.name
        return lambda have: name in have
    direct = frozenset(i.name for i in expression.items if isinstance(i, PermissionRef))
    if isinstance(expression, AllOf) and expression.flat is not None:
        flat = expression.flat
        return lambda have: flat <= have
    others = [_compile(i) for i in expression.items if not isinstance(i, PermissionRef)]
    if isinstance(expression, AllOf):
        return lambda have: direct <= have and all(c(have) for c in others)
    return lambda have: not direct.isdisjoint(have) or any(c(have) for c in others)


def names(expression: Expression | None) -> frozenset[str]:
    """Every permission an expression mentions (computed once per expression)."""
    if expression is None:
        return frozenset()
    found: frozenset[str] | None = expression.__dict__.get("_names")
    if found is None:
        if isinstance(expression, PermissionRef):
            found = frozenset((expression.name,))
        else:
            found = frozenset().union(*(names(i) for i in expression.items))
        object.__setattr__(expression, "_names", found)
    return found


def cycles(graph: Mapping[str, Sequence[str]]) -> list[Path]:
    """Each cycle of a name graph once, as a path that starts and ends at its smallest node."""
    seen: set[frozenset[str]] = set()
    found: list[Path] = []
    done: set[str] = set()
    for root in sorted(graph):
        if root in done:
            continue
        stack: list[tuple[str, Iterator[str]]] = [(root, iter(graph.get(root, ())))]
        on_stack = {root: 0}
        path = [root]
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                path.pop()
                del on_stack[node]
                done.add(node)
                continue
            if nxt in on_stack:
                loop = path[on_stack[nxt] :]
                key = frozenset(loop)
                if key not in seen:
                    seen.add(key)
                    i = loop.index(min(loop))
                    rotated = loop[i:] + loop[:i]
                    found.append((*rotated, rotated[0]))
            elif nxt not in done and nxt in graph:
                on_stack[nxt] = len(path)
                path.append(nxt)
                stack.append((nxt, iter(graph.get(nxt, ()))))
    return found
