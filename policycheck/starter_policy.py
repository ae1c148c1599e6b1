"""A starter policy written from an OpenAPI document (`policycheck import openapi`).

Every scope the document declares or uses becomes a permission of the catalogue
(carried by that scope, and seen in tokens as that scope); every operation becomes a
policy operation whose requirement is the document's: alternatives are any_of, the
scopes of one alternative are all needed. Each operation is preceded by a comment with
the spec line it came from and its security as the document states it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, NamedTuple

from .model import ALL_ENVIRONMENTS, SchemeUse, Spec, SpecOperation

if TYPE_CHECKING:
    from .analysis import Analysis


def _q(text: str) -> str:
    """A YAML scalar for any text: JSON strings are YAML."""
    return json.dumps(text, ensure_ascii=False)


def security_text(op: SpecOperation) -> str:
    """The requirement as the document writes it: 'oauth[a b] and api_key, or oidc[c]'."""
    if op.public:
        return "public (security: [])"
    if not op.security:
        return "no security declared (callable without credentials)"

    def use(u: SchemeUse) -> str:
        if not u.scopes:
            return u.scheme
        return f"{u.scheme}[{(' or ' if u.any_scope else ' ').join(u.scopes)}]"

    text = ", or ".join(" and ".join(use(u) for u in alt) for alt in op.security)
    return text + (" (the document's global security)" if op.inherited else "")


def requirement_lines(op: SpecOperation, pad: str) -> list[str]:
    alternatives = op.scope_sets()
    if frozenset() in alternatives:
        return [f"{pad}requires: {{}}"]
    ordered = sorted((sorted(a) for a in alternatives), key=lambda a: (len(a), a))
    if len(ordered) == 1:
        return [f"{pad}requires:", f"{pad}  permissions: [{', '.join(map(_q, ordered[0]))}]"]
    lines = [f"{pad}requires:", f"{pad}  permissions:", f"{pad}    any_of:"]
    for alt in ordered:
        lines.append(f"{pad}      - " + (_q(alt[0]) if len(alt) == 1 else f"[{', '.join(map(_q, alt))}]"))
    return lines


def catalogue(spec: Spec) -> dict[str, tuple[str, list[str]]]:
    """scope -> (description, schemes that use or declare it), in the document's order."""
    found: dict[str, tuple[str, list[str]]] = {}

    def add(scope: str, description: str, scheme: str) -> None:
        old, schemes = found.get(scope, ("", []))
        if scheme not in schemes:
            schemes.append(scheme)
        found[scope] = (old or description, schemes)

    for scheme in spec.schemes.values():
        for scope, description in scheme.scopes.items():
            add(scope, description, scheme.name)
    for op in spec.operations:
        for alt in op.security:
            for u in alt:
                for scope in u.scopes:
                    add(scope, "", u.scheme)
    return found


def render_policy(spec: Spec, command: str, api: str | None) -> str:
    title = spec.title or spec.path
    lines = [
        f"# A starter policy from {spec.path} ({_one_line(title)}; "
        f"{'Swagger' if spec.version == '2.0' else 'OpenAPI'} {spec.version}, dialect {spec.dialect}).",
        f"# Written by: {command}",
        "# Review it, then add the bindings: which applications must be able to call what, where.",
        "apiVersion: policycheck/v1",
        "kind: Policy",
        "metadata:",
        f"  name: {_q(title)}",
        f"  description: {_q('Requirements imported from ' + spec.path)}",
    ]
    scopes = catalogue(spec)
    if scopes:
        lines.append("permissions:")
    for scope, (description, schemes) in scopes.items():
        lines.append(f"  # scope of {', '.join(schemes)}")
        lines.append(f"  - name: {_q(scope)}")
        if description:
            lines.append(f"    description: {_q(description)}")
        lines += [f"    scopes: [{_q(scope)}]", f"    claims: [{_q(scope)}]"]
    if spec.operations:
        lines.append("operations:")
    else:
        lines.append("operations: []  # the document has no operations")
    for op in spec.operations:
        where = op.source.location()
        lines.append(f"  # {where.path}:{where.line}: {op.method} {op.path}: {_one_line(security_text(op))}")
        lines.append(f"  - id: {_q(op.id)}")
        lines.append(f"    request: {_q(op.method + ' ' + op.path)}")
        if api:
            lines.append(f"    api: {_q(api)}")
        lines += requirement_lines(op, "    ")
    return "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


# --- policycheck init: bindings from today's access ----------------------------


class Today(NamedTuple):
    """What `policycheck init` binds: the calls each application can make today, less those bound already."""

    calls: dict[str, dict[str, tuple[str, ...]]]
    """application -> environment -> the operations it can call there today, not bound already."""
    already: int
    """Calls it can make today that a binding of the policies already names (not repeated)."""


def callable_today(analysis: Analysis) -> Today:
    """The calls each application can make today (as check evaluates them, scope request included).

    A call a binding of the policies already names is left out (counted), and so is one
    its bindings say it must not call: init adds bindings, it never repeats or contradicts one.
    """
    model = analysis.model
    forbidden: dict[tuple[str, str], set[str]] = {}
    for binding in model.bindings:
        for env in binding.environments:
            forbidden.setdefault((binding.application, env), set()).update(binding.must_not_call)
    found: dict[str, dict[str, tuple[str, ...]]] = {}
    already = 0
    for app_id, app in sorted(model.applications.items()):
        for env in sorted(app.clients):
            if env == ALL_ENVIRONMENTS:
                continue
            requested = app.requested_scopes(env)
            bound = set(analysis.pairs.get((app_id, env), ()))
            refused = forbidden.get((app_id, env), set())
            ops = []
            for op_id in analysis.callable(app_id, env, sorted(model.operations)):
                if requested is not None and not set(analysis.need(op_id, env).scopes) <= set(requested):
                    continue
                if op_id in bound:
                    already += 1
                elif op_id not in refused:
                    ops.append(op_id)
            if ops:
                found.setdefault(app_id, {})[env] = tuple(ops)
    return Today(found, already)


def render_bindings(today: dict[str, dict[str, tuple[str, ...]]], command: str, already: int = 0) -> str:
    """A policy of bindings only: each application bound to what it can call, environments with the same grouped."""
    lines = [
        "# Bindings of today's access, written by: " + command,
        "# Every later change to the gateway or the policies is checked against them: remove what",
        "# an application should not keep, and add must_not_call for what it must never get.",
        "apiVersion: policycheck/v1",
        "kind: Policy",
    ]
    if not today and already:
        lines.append(f"bindings: []  # the policies' bindings already name all {already} calls made today")
    elif not today:
        lines.append("bindings: []  # no application can call any operation today")
    else:
        lines.append("bindings:")
    for app_id, by_env in today.items():
        groups: dict[tuple[str, ...], list[str]] = {}
        for env, ops in by_env.items():
            groups.setdefault(ops, []).append(env)
        for ops, envs in groups.items():
            lines += [
                f"  - application: {_q(app_id)}",
                f"    environments: [{', '.join(map(_q, envs))}]",
                "    operations:",
                *(f"      - {_q(o)}" for o in ops),
            ]
    return "\n".join(lines) + "\n"
