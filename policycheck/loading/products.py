"""Apigee API products matched to the policy's operations: which calls a product lets a key make.

A product covers an operation when one of its operations (`operationGroup.operationConfigs[]
.operations[]`: a resource path and its methods, none: every method) or one of its
`apiResources` (a resource path, every method) matches the operation's method and path,
and it lists every OAuth scope the operation requires. An operation config without
operations covers its whole proxy (`/**`); a product with neither operation groups nor
`apiResources` covers every call, as in Apigee.

Resource paths are relative to the proxy's base path, which the export does not hold, so
the operation's path is matched after any number of its leading segments (the base path):
`/journalEntries` covers `/gl/v1/journalEntries`. A pattern's `/**` at the end matches one
or more segments (any depth), `*` (a whole segment) matches exactly one, `/` and `/**` alone
match every path; other segments match as written (case-sensitive), and a `{parameter}` of
the operation's path only matches `*` or `**`. A trailing `/` is ignored.

The operations of an environment that some product there does not cover get a `Gate`: a
caller that holds none of the products that do cover it is refused (PC114).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from ..model import Gate, Operation, Origin


class Covered(NamedTuple):
    resource: str
    methods: tuple[str, ...]
    """Upper case; empty: every method."""
    proxy: str | None


class Product(NamedTuple):
    name: str
    environments: tuple[str, ...]
    covers: tuple[Covered, ...] | None
    """None: every call (no operation groups, no apiResources)."""
    scopes: tuple[str, ...]
    source: Origin

    def fix(self, operation: Operation, environment: str) -> str:
        """What makes the product cover the operation: its resource path and method, else the scopes."""
        return _fix(self, operation, environment)

    def describe(self) -> str:
        scopes = f" (scopes {', '.join(self.scopes)})" if self.scopes else ""
        if self.covers is None:
            return "every call" + scopes
        parts = []
        for c in self.covers:
            methods = " ".join(c.methods) if c.methods else "any method"
            proxy = f" of proxy {c.proxy}" if c.proxy else ""
            parts.append(f"{methods} {c.resource}{proxy}")
        return (", ".join(parts) or "nothing") + scopes


def _segments(path: str) -> list[str]:
    return [s for s in path.split("?", 1)[0].strip().split("/") if s]


def _match(pattern: list[str], path: list[str]) -> bool:
    if not pattern:
        return not path
    head = pattern[0]
    if head == "**":
        if len(pattern) == 1:
            return bool(path)
        return any(_match(pattern[1:], path[i:]) for i in range(1, len(path) + 1))
    if not path:
        return False
    segment = path[0]
    if head == "*":
        return _match(pattern[1:], path[1:])
    if segment.startswith("{") and segment.endswith("}"):
        return False  # a parameter: any value, which a literal segment does not cover
    return head == segment and _match(pattern[1:], path[1:])


def path_covered(resource: str, path: str) -> bool:
    """Whether the resource path (relative to an unknown proxy base path) matches the operation's path."""
    pattern = _segments(resource)
    if not pattern or pattern == ["**"]:
        return True
    segments = _segments(path)
    return any(_match(pattern, segments[start:]) for start in range(len(segments) + 1))


def suggestion(resources: Iterable[str], path: str) -> str:
    """The operation's path as a resource path: below the base path that the product's own resources show
    (their first literal segment found in the operation's path), parameters as `*`; else the whole path."""
    segments = _segments(path)
    start = 0
    for resource in resources:
        literal = next((s for s in _segments(resource) if s not in ("*", "**")), None)
        if literal is not None and literal in segments:
            start = segments.index(literal)
            break
    tail = ["*" if s.startswith("{") and s.endswith("}") else s for s in segments[start:]]
    return "/" + "/".join(tail)


def _path_and_method(product: Product, operation: Operation) -> bool:
    if product.covers is None:
        return True
    method = operation.method.upper()
    return any(
        (not c.methods or method in c.methods) and path_covered(c.resource, operation.path) for c in product.covers
    )


def _unlisted(product: Product, operation: Operation, environment: str) -> tuple[str, ...]:
    """The scopes the operation requires there that the product does not list."""
    return tuple(s for s in operation.requirement_in(environment).scopes if s not in product.scopes)


def covers(product: Product, operation: Operation, environment: str) -> bool:
    return not _unlisted(product, operation, environment) and _path_and_method(product, operation)


def _fix(product: Product, operation: Operation, environment: str) -> str:
    """What makes the product cover the operation: its resource path and method, else the scopes."""
    if not _path_and_method(product, operation):
        resource = suggestion((c.resource for c in product.covers or ()), operation.path)
        return f"add resource {resource} with method {operation.method} to API product '{product.name}'"
    return f"add scope {', '.join(_unlisted(product, operation, environment))} to API product '{product.name}'"


def _literal(resource: str) -> str | None:
    """The first segment of a resource path that must appear as written in a path it covers."""
    return next((s for s in _segments(resource) if s not in ("*", "**")), None)


def coverage_gates(operations: Mapping[str, Operation], products: Iterable[Product]) -> dict[tuple[str, str], Gate]:
    """(operation, environment) -> the gate of the operations that some product of the environment does not cover.

    A product is matched against an operation only when its resource paths can match at all: every
    literal segment a path pattern starts from must be a segment of the operation's path (an index).
    """
    listed = list(products)
    by_env: dict[str, list[int]] = {}
    for i, p in enumerate(listed):
        for env in p.environments:
            by_env.setdefault(env, []).append(i)
    index: dict[str, set[int]] = {}
    always: set[int] = set()
    for i, p in enumerate(listed):
        for c in p.covers if p.covers is not None else (Covered("/**", (), None),):
            literal = _literal(c.resource)
            if literal is None:
                always.add(i)
            else:
                index.setdefault(literal, set()).add(i)
    shared = {env: tuple(listed[i] for i in members) for env, members in by_env.items()}
    gates: dict[tuple[str, str], Gate] = {}
    for op_id, op in operations.items():
        candidates = set(always)
        for segment in _segments(op.path):
            candidates.update(index.get(segment, ()))
        matched = {i for i in candidates if _path_and_method(listed[i], op)}
        for env, members in sorted(by_env.items()):
            covering = [i for i in members if i in matched and not _unlisted(listed[i], op, env)]
            if len(covering) == len(members):
                continue
            gates[op_id, env] = Gate(
                "",
                env,
                listed[members[0]].source,
                covered_by=frozenset(listed[i].name for i in covering),
                products=shared[env],
            )
    return gates
