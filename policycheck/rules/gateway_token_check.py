"""PC112 gateway-token-check: the gateway's own token check on an operation disagrees with the policy.

What it means: Azure API Management validates tokens itself (`validate-jwt`,
`validate-azure-ad-token` with `<required-claims>`), in policy files at four scopes
that inherit through `<base/>`: operation -> API -> product -> global. A policy file
whose `<inbound>` leaves out `<base/>` cuts off every check above it. Two findings:

- the policy says the operation needs permissions, scopes or claims, but no token
  check is in force on it at the gateway (in an environment, through a product):
  anyone with a subscription key gets in. The message names the policy file whose
  missing `<base/>` dropped the inherited check, when that is the cause;
- the gateway demands claim values (`match="all"`: each of them; `match="any"`: one)
  that the policy's requirement does not name (its scopes, claims, and the claims
  of its permissions): callers the policy admits are refused with 401.

Failing example: `apis/orders-api/policy.xml` has `validate-jwt` requiring `scp`
`orders.write`; `operations/cancel-order/policy.xml` has no `<base/>`; the policy
says `orders.cancel` needs `orders.write`.

Passing example: the operation's policy starts its `<inbound>` with `<base />`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Finding, Severity
from ..model import GatewayOperation, Model, Operation, Origin, Requirement, TokenCheck
from ..resolve import names

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC112"
NAME = "gateway-token-check"
DEFAULT_SEVERITY = Severity.ERROR


def _norm(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", "/" + path.strip("/"))


def matches(op: Operation, g: GatewayOperation) -> bool:
    if op.method.upper() != g.method:
        return False
    here = _norm(op.path)
    return here == _norm(g.path) or (bool(g.api_path) and here == _norm(f"{g.api_path}/{g.path.lstrip('/')}"))


def _expected(model: Model, requirement: Requirement) -> set[str]:
    values = set(requirement.scopes) | set(requirement.claims)
    for name in names(requirement.permissions):
        permission = model.permissions.get(name)
        if permission is not None:
            values |= set(permission.claims) | set(permission.scopes)
    return values


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    model = analysis.model
    if not model.gateway_operations:
        return
    for op in model.operations.values():
        for g in model.gateway_operations:
            if matches(op, g):
                yield from _compare(model, ctx, op, g)


def _compare(model: Model, ctx: RuleContext, op: Operation, g: GatewayOperation) -> Iterator[Finding]:
    requirement = op.requirement_in(g.environment)
    demands = requirement.permissions is not None or bool(requirement.scopes or requirement.claims)
    expected = _expected(model, requirement)
    call = f"{g.method} {g.path} of API '{g.api}'"
    open_routes: dict[object, tuple[Origin | None, list[str]]] = {}
    extra_claims: dict[object, tuple[TokenCheck, tuple[str, ...], list[str]]] = {}
    for product, checks, dropped_by in g.routes:
        via = f"product '{product}'" if product else "an API subscription"
        if not checks:
            if demands:
                key = dropped_by.location() if dropped_by else None
                open_routes.setdefault(key, (dropped_by, []))[1].append(via)
            continue
        for c in checks:
            if not c.claim or not expected:
                continue
            extra = tuple(v for v in c.values if v not in expected)
            shown = c.values if c.match == "any" and len(extra) == len(c.values) else extra
            if shown and (c.match != "any" or len(extra) == len(c.values)):
                extra_claims.setdefault((c.source.location(), c.claim, shown), (c, shown, []))[2].append(via)
    for c, shown, vias in extra_claims.values():
        values = ", ".join(repr(v) for v in shown)
        yield ctx.finding(
            c.source,
            env=g.environment,
            op=op.id,
            subject=f"claim:{g.api}:{c.claim}:{','.join(shown)}",
            message=f"in {g.environment}, the gateway requires claim '{c.claim}' "
            f"{'to be one of' if c.match == 'any' else 'to hold'} {values} on {call} (through "
            f"{', '.join(vias)}), which {op.id}'s requirement does not name: callers it admits get 401",
            fix=f"add {values} to {op.id}'s requirement (or to its permissions' claims), or remove it from "
            "the validate-jwt required-claims",
        )
    for dropped_by, vias in open_routes.values():
        why = (
            f": {dropped_by.document.path} has no <base /> in <inbound>, so the token checks of the scopes "
            "above it do not apply"
            if dropped_by
            else ": no validate-jwt or validate-azure-ad-token is in force at any scope"
        )
        yield ctx.finding(
            dropped_by or g.source,
            env=g.environment,
            op=op.id,
            subject=f"open:{g.api}:{g.method} {g.path}",
            message=f"in {g.environment}, the gateway validates no token on {call} (through "
            f"{', '.join(vias)}), while {op.id} requires authorization{why}",
            fix="add <base /> to that <inbound>, or a validate-jwt with the required claims"
            if dropped_by
            else "add a validate-jwt with the required claims at the API or operation scope",
        )
