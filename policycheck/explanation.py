"""Why an application can or cannot call an operation in an environment, step by step.

Built from the same definitions as the rules (Resolver.effective, .blocked,
.deliverable): the requirement tree with every leaf satisfied or not, where each
satisfied one came from (grant -> set -> included set; environment -> inherited
environment) or the hop where a missing one stops, what a token carries when one
is given, the likely HTTP status, and the fix as numbered steps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .errors import UsageError
from .escaping import json_text, log_line, terminal
from .model import AllOf, Expression, Gate, Model, Operation, PermissionRef, Token
from .resolve import Block, Blocked, Derivation, Filter, Resolver, names, satisfied
from .rules.bound import definition_gap
from .templates import matches


@dataclass(frozen=True)
class Leaf:
    permission: str
    satisfied: bool
    sources: tuple[str, ...]
    """How it arrives: one line per derivation."""
    blocked: tuple[str, ...]
    """Where each grant that would deliver it stops."""
    filtered: str | None
    in_token: bool | None


@dataclass(frozen=True)
class Explanation:
    application: str
    environment: str
    operation: str
    request: str
    allowed: bool
    status: int
    status_reason: str
    tree: Any
    leaves: tuple[Leaf, ...]
    scopes_needed: tuple[str, ...]
    scopes_requested: tuple[str, ...] | None
    token: dict[str, Any] | None
    steps: tuple[str, ...] = field(default=())
    gateway: str | None = None
    """Why the gateway refuses the call whatever is granted (a terminated route, an ACL deny), or None."""


def find_operation(model: Model, text: str) -> Operation:
    if text in model.operations:
        return model.operations[text]
    method, _, path = text.partition(" ")
    for op in model.operations.values():
        if op.method == method.upper() and matches(op.path, path):
            return op
    known = ", ".join(sorted(model.operations)[:8])
    raise UsageError(f"no operation {text!r} (give an id, e.g. {known}, or METHOD /path)")


def chain_text(d: Derivation) -> str:
    """grant of X (file:line) -> given in E -> inherited by F -> set 'S' -> includes 'T' -> mapped to base."""
    hops = [f"grant of {d.grant.target} ({d.grant.source.location()})"]
    if len(d.environment_path) > 1:
        hops.append("given in " + " -> inherited by ".join(reversed(d.environment_path)))
    if d.sets:
        hops.append("set " + " -> includes ".join(f"'{s}'" for s in d.sets))
        if d.set_environment_path:
            where = d.set_environment_path[-1]
            hops.append(
                f"mapped to {where}"
                + (f" (inherited by {d.set_environment_path[0]})" if len(d.set_environment_path) > 1 else "")
            )
    return " -> ".join(hops)


def stop_text(b: Blocked, env: str, resolver: Resolver) -> str:
    """Where a grant that would deliver a permission stops: pending, another environment, a set not mapped."""
    if b.grant is None:
        return f"the application is not assigned to {env} (it has clients in {', '.join(b.environments) or 'none'})"
    texts = {
        Block.PENDING: "pending approval",
        Block.REVOKED: f"blocked by the gateway ({b.grant.blocked_by})" if b.grant.blocked_by else "revoked",
        Block.OTHER_ENVIRONMENT: f"applies to {', '.join(b.environments)}, not to {env}",
        Block.SET_NOT_MAPPED: f"its set is not mapped to {env} or what it inherits (mapped in "
        f"{', '.join(b.environments) or 'no environment'})",
    }
    if Block.DEFINITION in b.reasons:
        texts[Block.DEFINITION] = f"in {env}, {_definition(b, env, resolver)} " + (
            f"delivers nothing, where in {', '.join(b.environments)} it delivers it"
            if _switched_off(b, env, resolver)
            else f"does not include it, which it includes in {', '.join(b.environments)}"
        )
    via = " via set " + " -> ".join(f"'{s}'" for s in b.sets[1:]) if len(b.sets) > 1 else ""
    return f"grant of {b.grant.target}{via} ({b.grant.source.location()}): " + "; ".join(texts[r] for r in b.reasons)


def _hint(permission: str, app: str, env: str, blocks: tuple[Blocked, ...], resolver: Resolver) -> str | None:
    """The vendor-true fix where the text matching of `_steps` would advise the wrong one.

    A realm's or tenant's own definition lacking the permission is fixed in that definition
    (two realms cannot inherit from each other); a grant read from another realm or tenant
    is made again in this environment's own one, never extended to it.
    """
    for b in blocks:
        if b.reasons == (Block.DEFINITION,) and _switched_off(b, env, resolver):
            assert b.grant is not None and b.grant.permission_set is not None
            defined = resolver.definition(b.grant.permission_set, env)
            _, fix = definition_gap(defined, permission, [permission], env, b.environments[0])
            return fix.replace(f" in {env} (", f" in {env} ({defined.source.location() if defined else '?'}; ", 1)
        if b.reasons == (Block.DEFINITION,):  # the first hop of the other definition's path: the child to add
            return (
                f"add '{b.sets[1] if len(b.sets) > 1 else permission}' to {_definition(b, env, resolver)} in {env}, "
                f"as {b.environments[0]} defines it"
            )
    if blocks and all(
        b.grant is not None and b.grant.per_environment and b.reasons == (Block.OTHER_ENVIRONMENT,) for b in blocks
    ):
        b = blocks[0]
        assert b.grant is not None
        return f"grant {b.grant.target} to {app} in {env}'s own configuration, as {b.environments[0]} does"
    return None


def _switched_off(b: Blocked, env: str, resolver: Resolver) -> bool:
    """The environment's definition delivers nothing of its own (a disabled app role), where another's does."""
    assert b.grant is not None and b.grant.permission_set is not None
    found = resolver.definition(b.grant.permission_set, env)
    return found is not None and found.name == b.permission and not found.permissions


def _definition(b: Blocked, env: str, resolver: Resolver) -> str:
    """The environment's own definition of the granted set, with where it is written."""
    assert b.grant is not None and b.grant.permission_set is not None
    found = resolver.definition(b.grant.permission_set, env)
    if found is None:
        return f"permission set '{b.grant.permission_set}'"
    return f"{found.title} ({found.source.location()})"


def _tree(expr: Expression | None, have: frozenset[str]) -> Any:
    if expr is None:
        return None
    if isinstance(expr, PermissionRef):
        return {"permission": expr.name, "satisfied": expr.name in have}
    kind = "all_of" if isinstance(expr, AllOf) else "any_of"
    return {kind: [_tree(i, have) for i in expr.items], "satisfied": satisfied(expr, have)}


def _unidentified(
    model: Model, resolver: Resolver, gate: Gate, app: str, env: str, permissions: Expression | None
) -> str | None:
    """Why the route's authentication refuses the application (Kong), or None: identified, or let through."""
    if not gate.auth:
        return None
    refused, runs_as = gate.identify(model.applications[app].credentials.get(env))
    if refused is not None:
        return (
            f"consumer {app} has no {refused.credential} in {env}: the {refused.plugin} plugin of route "
            f"'{gate.route}' does not identify it (401)"
        )
    if runs_as is None or runs_as == app or runs_as not in model.applications:
        return None
    deliverable, _ = resolver.deliverable(runs_as, env)
    held = frozenset(resolver.effective(runs_as, env).permissions)
    if satisfied(permissions, deliverable) and gate.refuses(held) is None:
        return None
    lacking = next(a for a in gate.auth if a.anonymous == runs_as)
    return (
        f"consumer {app} has no {lacking.credential} in {env}: the {lacking.plugin} plugin of route "
        f"'{gate.route}' runs the request as the anonymous consumer '{lacking.anonymous_name}', which cannot "
        "call it (401)"
    )


def explain(
    model: Model,
    app: str,
    operation: str,
    env: str,
    token: Token | None = None,
    now: float = 0.0,
    resolver: Resolver | None = None,
) -> Explanation:
    """`resolver`: the run's own (Analysis.resolver), so that many explanations share its caches."""
    if app not in model.applications:
        raise UsageError(f"no application {app!r} in the export")
    op = find_operation(model, operation)
    resolver = resolver or Resolver(model)
    resolution = resolver.effective(app, env)
    deliverable, filtered = resolver.deliverable(app, env)
    req = op.requirement_in(env)
    leaves = []
    hints: dict[str, str] = {}
    for name in sorted(names(req.permissions)):
        derivations = resolution.derivations(name)
        blocks = () if derivations else tuple(resolver.blocked(app, env, name))
        hint = _hint(name, app, env, blocks, resolver)
        if hint is not None:
            hints[name] = hint
        claims = model.permissions[name].claims if name in model.permissions else ()
        in_token = None if token is None or not claims else bool(set(claims) & token.values)
        flt = filtered.get(name)
        leaves.append(
            Leaf(
                name,
                name in deliverable,
                tuple(chain_text(d) for d in derivations),
                tuple(stop_text(b, env, resolver) for b in blocks),
                None
                if flt is None
                else (
                    "not let into this client's tokens (delivery allow-list)"
                    if flt is Filter.DELIVERY
                    else "travels in a scope the client does not request"
                ),
                in_token,
            )
        )
    requested = model.applications[app].requested_scopes(env)
    scopes_ok = requested is None or set(req.scopes) <= set(requested)
    allowed = satisfied(req.permissions, deliverable) and scopes_ok
    token_info = None
    status, reason = (
        (200, "the requirement is met")
        if allowed
        else (
            403,
            "a permission or scope is missing: the gateway refuses the call (insufficient_scope). A 401 instead "
            "means the token itself was rejected (expired, wrong issuer or tenant), not a missing permission",
        )
    )
    gate = model.gates.get((op.id, env))
    refusal = _unidentified(model, resolver, gate, app, env, req.permissions) if gate is not None else None
    if gate is not None and refusal is None:
        refusal = gate.refuses(frozenset(deliverable) | frozenset(filtered))
    gate_steps: list[str] = []
    if gate is not None and refusal is not None:
        code = re.search(r"with (\d{3})|(404)|(401)", refusal)
        allowed, status, reason = False, int(next(g for g in code.groups() if g)) if code else 403, refusal
        gate_steps.append(f"change the gateway configuration of {env}: {refusal}")
    if gate is not None:
        held = frozenset(deliverable) | frozenset(filtered)
        for member, allowed_group in gate.uncounted:
            if member in held and not any(leaf.satisfied for leaf in leaves):
                gate_steps.append(
                    f"set include_consumer_groups: true on the acl plugin of route '{gate.route}' in {env} "
                    f"({app} is in consumer group '{allowed_group}', which the plugin does not count)"
                )
    if token is not None:
        from .rules.token_health import problems

        health = [message for _, message, _ in problems(token, now)]
        token_info = {
            "fingerprint": token.fingerprint,
            "verified": token.verified,
            "carries": sorted(token.values),
            "problems": health,
        }
        lacking = [v for v in req.scopes if v not in token.values] + [
            c
            for leaf in leaves
            for c in (model.permissions[leaf.permission].claims[:1] if leaf.permission in model.permissions else ())
            if leaf.in_token is False
        ]
        token_info["lacks"] = lacking
        if health:
            allowed, status, reason = False, 401, "the token itself is rejected: " + "; ".join(health)
        elif lacking:
            allowed, status, reason = False, 403, "the token lacks " + ", ".join(lacking) + " (insufficient_scope)"
    # an any_of met by one leaf needs nothing of the others: no step to grant them
    unmet = [] if satisfied(req.permissions, deliverable) else leaves
    steps = gate_steps + _steps(app, env, op, unmet, req.scopes, requested, token_info, hints)
    return Explanation(
        app,
        env,
        op.id,
        f"{op.method} {op.path}",
        allowed,
        status,
        reason,
        _tree(req.permissions, deliverable),
        tuple(leaves),
        req.scopes,
        requested,
        token_info,
        tuple(steps),
        refusal,
    )


def _steps(
    app: str,
    env: str,
    op: Operation,
    leaves: list[Leaf],
    scopes: tuple[str, ...],
    requested: tuple[str, ...] | None,
    token: dict[str, Any] | None,
    hints: dict[str, str],
) -> list[str]:
    steps = []
    for leaf in leaves:
        if leaf.satisfied:
            continue
        if leaf.permission in hints and not leaf.filtered:
            steps.append(hints[leaf.permission])
        elif leaf.filtered:
            steps.append(f"let '{leaf.permission}' reach {app}'s tokens in {env} ({leaf.filtered})")
        elif any("pending approval" in b for b in leaf.blocked):
            steps.append(f"approve the pending grant of '{leaf.permission}' for {app} in {env}")
        elif any("not mapped" in b for b in leaf.blocked):
            steps.append(
                f"map the permission set that holds '{leaf.permission}' to {env}, or make {env} inherit "
                "the environment where it is mapped"
            )
        elif any("blocked by the gateway" in b and f"not to {env}" not in b for b in leaf.blocked):
            steps.append(f"unblock the grant of '{leaf.permission}' for {app} in {env} (PC110, PC111)")
        elif any(f"not to {env}" in b for b in leaf.blocked):
            steps.append(f"extend the grant of '{leaf.permission}' to {env}")
        else:
            steps.append(f"grant '{leaf.permission}' to {app} in {env}")
    steps = list(dict.fromkeys(steps))  # one grant or definition that lacks several permissions: one step
    if requested is not None and not set(scopes) <= set(requested):
        steps.append(f"request scope={' '.join(sorted(set(requested) | set(scopes)))} in {env}")
    if steps or (token and (token["lacks"] or token["problems"])):
        steps.append(f"request a new token and check it: policycheck token --env {env} --app {app} TOKEN")
    return steps


def render_text(e: Explanation) -> str:
    verdict = "ALLOWED" if e.allowed else "DENIED"
    lines = [
        f"{e.application} -> {e.request} ({e.operation}) in {e.environment}: {verdict} "
        f"(likely HTTP {e.status}: {e.status_reason})",
        "",
        "requirement:",
    ]

    def walk(node: Any, depth: int) -> None:
        pad = "  " * depth
        if node is None:
            lines.append(f"{pad}(no permissions)")
        elif "permission" in node:
            lines.append(f"{pad}[{'x' if node['satisfied'] else ' '}] {node['permission']}")
        else:
            kind = "all of" if "all_of" in node else "any of"
            lines.append(f"{pad}{kind}:")
            for child in node.get("all_of", node.get("any_of", [])):
                walk(child, depth + 1)

    walk(e.tree, 1)
    if e.gateway:
        lines.append(f"  gateway: {e.gateway}")
    if e.scopes_needed:
        asked = "not stated" if e.scopes_requested is None else " ".join(e.scopes_requested) or "(none)"
        lines.append(f"  scopes: {' '.join(e.scopes_needed)} (requested: {asked})")
    lines += ["", "where each permission comes from:"]
    for leaf in e.leaves:
        lines.append(f"  [{'x' if leaf.satisfied else ' '}] {leaf.permission}")
        lines += [f"      {s}" for s in leaf.sources]
        if leaf.filtered:
            lines.append(f"      but it is {leaf.filtered}")
        lines += [f"      stops: {b}" for b in leaf.blocked]
        if not leaf.sources and not leaf.blocked:
            lines.append("      no grant delivers it")
        if leaf.in_token is not None:
            lines.append(f"      token: {'carries' if leaf.in_token else 'lacks'} its claim")
    if e.token is not None:
        lines += [
            "",
            f"token {e.token['fingerprint']} ({'verified' if e.token['verified'] else 'UNVERIFIED'}): "
            f"carries {' '.join(e.token['carries']) or '(nothing)'}",
        ]
        lines += [f"  problem: {p}" for p in e.token["problems"]]
    if e.steps:
        lines += ["", "fix:"] + [f"  {i}. {s}" for i, s in enumerate(e.steps, 1)]
    return "\n".join(log_line(terminal(line)) for line in lines) + "\n"


def render_json(e: Explanation) -> str:
    from dataclasses import asdict

    return json_text({"version": "1", **asdict(e)}, indent=2) + "\n"
