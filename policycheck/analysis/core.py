"""The Analysis: what every rule, command and reporter reads, computed once per run.

Bound calls are evaluated once, over bitmasks; only the calls that fail take the slow
path (the missing permissions by name, the grants that would deliver them and where
each stops). Allowed calls are counted, not stored: the matrix is regenerated on demand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from ..findings import ALLOWED, BLOCKED, FILTERED, GAP, MISSING, PENDING, Cell, Change, Holding
from ..model import Application, Gate, Model
from ..resolve import Block, Blocked, Resolver
from .grants import Grants
from .interning import Names
from .openapi import SpecCheck, spec_check
from .requirements import Need, compile_need
from .sets import Sets

RANK = {PENDING: 0, GAP: 1, MISSING: 2}

_Compiled = tuple[dict[str, int], dict[str, "Callable[[int], bool]"], dict[str, int], dict[str, tuple[str, ...]]]


class Failure(NamedTuple):
    """A bound call that is refused, and why."""

    application: str
    environment: str
    operation: str
    status: str
    missing: tuple[str, ...]
    """Not effective (MISSING, PENDING, GAP) or not deliverable (FILTERED); none when BLOCKED by the gateway."""
    blocked: tuple[tuple[str, tuple[Blocked, ...]], ...]
    """Per missing permission: the grants that would deliver it and where each stops (empty: none would)."""


class Unneeded(NamedTuple):
    """Effective permissions of a bound (application, environment) that none of its bound calls needs."""

    application: str
    environment: str
    extra: int
    needed: int
    delivered: tuple[int, ...]
    """Flat (index of the grant in the application's grants, what it delivers there) of each grant in force."""

    def contributions(self) -> Iterator[tuple[int, int]]:
        """(index of the grant, what it delivers there) of each grant in force."""
        return zip(self.delivered[::2], self.delivered[1::2], strict=True)


class Analysis:
    def __init__(self, model: Model, before: Analysis | None = None):
        self.model = model
        self.before = before
        """The analysis of the old export (policycheck diff); it shares this one's interned names."""
        self.bits: Names = before.bits if before is not None else Names()
        self.resolver = Resolver(model)
        """The reference definition with provenance: for the cells that fail, and for explain."""
        self.sets = Sets(model, self.bits)
        self.grants = Grants(model, self.bits, self.sets, self.resolver)
        self._needs: dict[str, dict[str, Need]] = {}
        self.pairs = _bound_pairs(model)
        """(application, environment) -> the bound operations there, for applications in the export."""
        self.failures: list[Failure] = []
        self.unneeded: list[Unneeded] = []
        self.scope_gaps: list[tuple[str, str, str, tuple[str, ...]]] = []
        """(application, environment, operation, required scopes the application does not request)."""
        self.allowed = 0
        self._have: dict[tuple[str, str], int] = {}
        """(application, environment) -> effective mask, for the bound pairs `_evaluate` has resolved."""
        self._failed: dict[tuple[str, str, str], Failure] | None = None
        self._changes: tuple[Change, ...] | None = None
        self._spec_check: SpecCheck | None = None
        self._gated_calls: list[tuple[str, str, str, Gate]] | None = None
        self._evaluate()

    # --- evaluation ------------------------------------------------------------

    def need(self, operation: str, environment: str) -> Need:
        by_op = self._needs.setdefault(environment, {})
        found = by_op.get(operation)
        if found is None:
            requirement = self.model.operations[operation].requirement_in(environment)
            found = by_op[operation] = compile_need(requirement.permissions, self.bits, requirement.scopes)
        return found

    def _evaluate(self) -> None:
        apps = self.model.applications
        grants = self.grants
        gates = self.model.gates
        allowed = 0
        failures = self.failures
        compiled = {env: self._compiled(env) for env in {env for _, env in self.pairs}}
        gaps: dict[tuple[str, tuple[str, ...]], dict[str, tuple[str, ...]]] = {}
        """(environment, requested scopes) -> operation -> the required scopes not requested."""
        resolved = self._have
        for key, ops in self.pairs.items():
            app_id, env = key
            app = apps[app_id]
            have, contributions = grants.in_force(app, env)
            resolved[key] = have  # read again by PC104 (one int per pair: 33 MB at 100k, 0.2-0.5 s less)
            deliverable = grants.deliverable(app, env, have)
            flats, tests, mentions_of, scoped = compiled[env]
            lacking = ~deliverable
            try:
                failing = [op for op in ops if flats[op] & lacking]
            except KeyError:  # an any_of requirement among them
                failing = []
                for op in ops:
                    m = flats.get(op)
                    if (m & lacking) if m is not None else not tests[op](deliverable):
                        failing.append(op)
            gated = self._gated(app, env, ops, failing, have) if gates else {}
            allowed += len(ops) - len(failing)
            for op in failing:
                if op in gated:
                    allowed += not gated[op]
                    continue
                failures.append(self._failure(app, env, op, self.need(op, env), have, deliverable))
            for op, blocked in gated.items():
                if blocked:  # a route that refuses before any permission counts: blocked, whatever is held
                    failures.append(Failure(app_id, env, op, BLOCKED, (), ()))
                    allowed -= op not in failing
            if scoped and env in app.clients:
                requested = app.requested_scopes(env)
                if requested is not None:
                    short = gaps.get((env, requested))
                    if short is None:
                        asked = set(requested)
                        short = gaps[env, requested] = {
                            op: tuple(s for s in scopes if s not in asked)
                            for op, scopes in scoped.items()
                            if not asked.issuperset(scopes)
                        }
                    if short and not short.keys().isdisjoint(ops):
                        for op in ops:
                            absent = short.get(op)
                            if absent:
                                self.scope_gaps.append((app_id, env, op, absent))
            mentions = 0
            for op in ops:
                mentions |= mentions_of[op]
            if have & ~mentions:
                self.unneeded.append(Unneeded(app_id, env, have & ~mentions, mentions, contributions))
        self.allowed = allowed

    def _gated(self, app: Application, env: str, ops: Iterable[str], failing: list[str], have: int) -> dict[str, bool]:
        """The bound operations whose gate decides them: True refused (blocked), False let through as another
        consumer (Kong's `anonymous`, whose own holdings pass)."""
        gates = self.model.gates
        out: dict[str, bool] = {}
        held: frozenset[str] | None = None
        for op in ops:
            gate = gates.get((op, env))
            if gate is None:
                continue
            if gate.auth:
                refused, runs_as = gate.identify(app.credentials.get(env))
                if refused is not None:
                    out[op] = True
                    continue
                if runs_as is not None and runs_as != app.id:
                    out[op] = not self.passes_as(runs_as, env, op)
                    continue
            if op in failing:
                continue
            if held is None:
                held = frozenset(self.bits.of(have))
            if gate.refuses(held) is not None:
                out[op] = True
        return out

    def passes_as(self, application: str, environment: str, operation: str) -> bool:
        """Whether a call run as `application` (Kong's anonymous consumer) meets the requirement and the gate."""
        app = self.model.applications.get(application)
        if app is None:
            return False
        have = self.grants.effective_mask(app, environment)
        deliverable = self.grants.deliverable(app, environment, have)
        if not self.need(operation, environment).holds(deliverable):
            return False
        gate = self.model.gates.get((operation, environment))
        return gate is None or gate.refuses(frozenset(self.bits.of(have))) is None

    def _compiled(self, env: str) -> _Compiled:
        """Every operation's requirement in `env`: flat masks (of flat ones), tests (of others), mentions, scopes."""
        flats: dict[str, int] = {}
        tests: dict[str, Callable[[int], bool]] = {}
        mentions: dict[str, int] = {}
        scoped: dict[str, tuple[str, ...]] = {}
        for op in self.model.operations:
            need = self.need(op, env)
            if need.flat is not None:
                flats[op] = need.flat
            else:
                tests[op] = need.test
            mentions[op] = need.mentions
            if need.scopes:
                scoped[op] = need.scopes
        return flats, tests, mentions, scoped

    def _failure(self, app: Application, env: str, op: str, need: Need, have: int, deliverable: int) -> Failure:
        if need.holds(have):
            return Failure(app.id, env, op, FILTERED, need.missing(deliverable, self.bits), ())
        lacking = need.missing(have, self.bits)
        blocked = tuple((p, self.grants.blocked(app, env, p)) for p in lacking)
        worst = PENDING
        for _, found in blocked:
            live = [b for b in found if Block.REVOKED not in b.reasons]
            if not live:
                status = MISSING
            elif any(b.reasons == (Block.PENDING,) for b in live):
                status = PENDING
            else:
                status = GAP
            worst = max(worst, status, key=RANK.__getitem__)
        return Failure(app.id, env, op, worst, lacking, blocked)

    # --- reading ---------------------------------------------------------------

    def effective(self, application: str, environment: str) -> frozenset[str]:
        app = self.model.applications.get(application)
        if app is None:
            return frozenset()
        return frozenset(self.bits.of(self.grants.effective_mask(app, environment)))

    def effective_mask(self, application: str, environment: str) -> int:
        found = self._have.get((application, environment))
        if found is not None:  # a bound pair: resolved once, by the evaluation
            return found
        app = self.model.applications.get(application)
        return 0 if app is None else self.grants.effective_mask(app, environment)

    def deliverable(self, application: str, environment: str) -> frozenset[str]:
        app = self.model.applications.get(application)
        if app is None:
            return frozenset()
        have = self.grants.effective_mask(app, environment)
        return frozenset(self.bits.of(self.grants.deliverable(app, environment, have)))

    @property
    def gated_calls(self) -> list[tuple[str, str, str, Gate]]:
        """(application, environment, operation, gate) of each bound call a gateway route decides, by pair.

        Found once, for every gateway rule (PC107, PC108, PC113, PC114), rather than each rule
        walking all the bound calls; empty without gateway routes."""
        if self._gated_calls is None:
            gates = self.model.gates
            self._gated_calls = [
                (app, env, op, gate)
                for (app, env), ops in (self.pairs.items() if gates else ())
                for op in ops
                if (gate := gates.get((op, env))) is not None
            ]
        return self._gated_calls

    def failure(self, application: str, environment: str, operation: str) -> Failure | None:
        if self._failed is None:
            self._failed = {(f.application, f.environment, f.operation): f for f in self.failures}
        return self._failed.get((application, environment, operation))

    def allows(self, application: str, environment: str, operation: str) -> bool:
        ops = self.pairs.get((application, environment))
        return ops is not None and operation in ops and self.failure(application, environment, operation) is None

    def can_call(self, application: str, environment: str, operation: str) -> bool:
        """Whether the application can call the operation there, bound or not: assigned, holding it, delivered.

        As for bound calls, a scope the client does not request yet does not stop it: the client can ask for it.
        """
        return bool(self.callable(application, environment, (operation,)))

    def callable(self, application: str, environment: str, operations: Iterable[str]) -> list[str]:
        """The operations among `operations` that the application can call there (as `can_call`), in order.

        The evaluation of bound calls: the requirement held and delivered, and no gate of the
        gateway refusing it first (no route serves it, the route terminates, an acl deny).
        """
        app = self.model.applications.get(application)
        if app is None or not app.assigned_to(environment):
            return []
        have = self.grants.effective_mask(app, environment)
        deliverable = self.grants.deliverable(app, environment, have)
        known = [op for op in operations if op in self.model.operations]
        failing = [op for op in known if not self.need(op, environment).holds(deliverable)]
        gated = self._gated(app, environment, known, failing, have) if self.model.gates else {}
        # as the evaluation of bound calls decides: a gate's word first, then the requirement
        return [op for op in known if (not gated[op] if op in gated else op not in failing)]

    @property
    def spec_check(self) -> SpecCheck:
        """The policies against the configured OpenAPI documents, computed once."""
        if self._spec_check is None:
            self._spec_check = spec_check(self.model)
        return self._spec_check

    @property
    def cells(self) -> int:
        return self.allowed + len(self.failures)

    def matrix(self) -> Iterator[Cell]:
        """Every bound (application, environment, operation) and its status, in binding order."""
        for (app, env), ops in self.pairs.items():
            for op in ops:
                f = self.failure(app, env, op)
                yield Cell(app, env, op, ALLOWED, ()) if f is None else Cell(app, env, op, f.status, f.missing)

    def holdings(self) -> Iterator[Holding]:
        partners = self.partners()
        for app, env in sorted(self.pairs):
            names = self.bits.sorted(self.effective_mask(app, env))
            yield Holding(app, env, names, tuple(sorted(partners.get(env, ()))))

    def partners(self) -> dict[str, set[str]]:
        partners: dict[str, set[str]] = {}
        for env in self.model.policy_environments.values():
            for other in env.parity:
                partners.setdefault(env.name, set()).add(other)
                partners.setdefault(other, set()).add(env.name)
        return partners

    def chain(self, environment: str) -> tuple[str, ...]:
        return self.sets.chain(environment)

    def changes(self) -> tuple[Change, ...] | None:
        """What this export changes against `before`, computed once; None without a before."""
        if self.before is None:
            return None
        if self._changes is None:
            from ..changes import changes

            self._changes = changes(self.before, self)
        return self._changes


def _bound_pairs(model: Model) -> dict[tuple[str, str], tuple[str, ...]]:
    pairs: dict[tuple[str, str], tuple[str, ...]] = {}
    known = model.operations
    for binding in model.bindings:
        if binding.application not in model.applications or not binding.operations:
            continue  # unknown-reference and missing-application report it; must_not_call only: PC106
        ops = binding.operations
        if not all(map(known.__contains__, ops)):
            ops = tuple(filter(known.__contains__, ops))
        if len(set(ops)) != len(ops):
            ops = tuple(dict.fromkeys(ops))
        for env in binding.environments:
            key = (binding.application, env)
            found = pairs.get(key)
            pairs[key] = ops if found is None else tuple(dict.fromkeys(found + ops))
    return pairs
