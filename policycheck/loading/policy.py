"""Policy documents (kind: Policy, already schema-valid) -> model values."""

from __future__ import annotations

from collections.abc import Iterator, Set
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..errors import InputError
from ..model import (
    AllOf,
    Allowance,
    AnyOf,
    Binding,
    Expression,
    Operation,
    Origin,
    Override,
    Permission,
    PermissionRef,
    PolicyEnvironment,
    Reference,
    ReferenceSource,
    Requirement,
)
from .source import Document


@dataclass
class PolicyPart:
    permissions: list[Permission] = field(default_factory=list)
    operations: list[Operation] = field(default_factory=list)
    environments: list[PolicyEnvironment] = field(default_factory=list)
    bindings: list[Binding] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    uses: list[ReferenceSource] = field(default_factory=list)
    """References listed only on demand (the bindings')."""


def read_policy(doc: Document) -> PolicyPart:
    return _PolicyReader(doc).read()


class _PolicyReader:
    def __init__(self, doc: Document):
        self.doc = doc
        self.part = PolicyPart()

    def origin(self, *keys: str | int) -> Origin:
        return Origin(self.doc, keys)

    def ref(self, kind: str, name: str, where: str, *keys: str | int) -> None:
        self.part.references.append(Reference(kind, name, self.origin(*keys), where))

    def read(self) -> PolicyPart:
        data = self.doc.data
        for i, p in enumerate(data.get("permissions", ())):
            self.part.permissions.append(
                Permission(
                    p["name"],
                    p.get("description"),
                    tuple(p.get("claims", ())),
                    tuple(p.get("scopes", ())),
                    self.origin("permissions", i),
                )
            )
        for i, op in enumerate(data.get("operations", ())):
            self.part.operations.append(self.operation(op, i))
        for i, env in enumerate(data.get("environments", ())):
            self.part.environments.append(self.environment(env, i))
        doc = self.doc
        self.part.bindings = [
            Binding(
                b["application"],
                tuple(b["environments"]),
                tuple(b.get("operations", ())),
                Origin(doc, ("bindings", i)),
                tuple(b.get("must_not_call", ())),
            )
            for i, b in enumerate(data.get("bindings", ()))
        ]
        self.part.uses.append(BindingUses(tuple(self.part.bindings)))
        return self.part

    def operation(self, op: dict[str, Any], i: int) -> Operation:
        keys: tuple[str | int, ...] = ("operations", i)
        method, _, path = op["request"].partition(" ")
        overrides = {}
        for env, o in op.get("environments", {}).items():
            self.ref("environment", env, "operation", *keys, "environments", env)
            req = self.requirement(o, (*keys, "environments", env))
            overrides[env] = Override(req, bool(o.get("replace", False)))
        return Operation(
            op["id"],
            method,
            path,
            op.get("api"),
            self.requirement(op["requires"], (*keys, "requires")),
            overrides,
            self.origin(*keys),
        )

    def requirement(self, data: dict[str, Any], keys: tuple[str | int, ...]) -> Requirement:
        expr = None
        if "permissions" in data:
            expr = self.expression(data["permissions"], (*keys, "permissions"))
        return Requirement(expr, tuple(data.get("scopes", ())), tuple(data.get("claims", ())))

    def expression(self, data: Any, keys: tuple[str | int, ...]) -> Expression:
        if isinstance(data, str):
            self.ref("permission", data, "requirement", *keys)
            return PermissionRef(data)
        if isinstance(data, list):
            return AllOf(tuple(self.expression(x, (*keys, j)) for j, x in enumerate(data)))
        if "all_of" in data:
            items = data["all_of"]
            return AllOf(tuple(self.expression(x, (*keys, "all_of", j)) for j, x in enumerate(items)))
        items = data["any_of"]
        return AnyOf(tuple(self.expression(x, (*keys, "any_of", j)) for j, x in enumerate(items)))

    def environment(self, env: dict[str, Any], i: int) -> PolicyEnvironment:
        keys: tuple[str | int, ...] = ("environments", i)
        for field_name in ("inherits", "parity"):
            for j, name in enumerate(env.get(field_name, ())):
                self.ref("environment", name, f"environment {env['name']!r}", *keys, field_name, j)
        allowances = []
        for j, a in enumerate(env.get("allowed_differences", ())):
            akeys = (*keys, "allowed_differences", j)
            self.ref("permission", a["permission"], "allowed difference", *akeys, "permission")
            if "application" in a:
                self.ref("application", a["application"], "allowed difference", *akeys, "application")
            allowances.append(
                Allowance(
                    a["permission"],
                    a.get("application"),
                    a["reason"],
                    a["owner"],
                    self.date(a.get("expires"), (*akeys, "expires")),
                    self.origin(*akeys),
                )
            )
        return PolicyEnvironment(
            env["name"],
            tuple(env.get("inherits", ())),
            tuple(env.get("parity", ())),
            tuple(allowances),
            self.origin(*keys),
        )

    def date(self, text: str | None, keys: tuple[str | int, ...]) -> date | None:
        if text is None:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            line, column = self.doc.locate(keys)
            raise InputError(self.doc.path, "expected a real date (YYYY-MM-DD)", line, column) from None


class BindingUses:
    """The names the bindings use: applications, environments, operations."""

    def __init__(self, bindings: tuple[Binding, ...]):
        self.bindings = bindings
        self._names: dict[str, set[str]] | None = None

    def names(self, kind: str) -> Set[str]:
        if self._names is None:
            bindings = self.bindings
            self._names = {
                "application": {b.application for b in bindings},
                "environment": {e for b in bindings for e in b.environments},
                "operation": {o for b in bindings for o in (*b.operations, *b.must_not_call)},
            }
        return self._names.get(kind, set())

    def references(self) -> Iterator[Reference]:
        for b in self.bindings:
            doc, keys = b.source.document, b.source.keys
            yield Reference("application", b.application, Origin(doc, (*keys, "application")), "binding")
            for j, e in enumerate(b.environments):
                yield Reference("environment", e, Origin(doc, (*keys, "environments", j)), "binding")
            for field_name, names in (("operations", b.operations), ("must_not_call", b.must_not_call)):
                for j, o in enumerate(names):
                    yield Reference("operation", o, Origin(doc, (*keys, field_name, j)), "binding")
