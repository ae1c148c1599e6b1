"""Who can call an operation in an environment (`policycheck who-can`), read from the Analysis.

Every application that can call it (assigned to the environment, its effective and
deliverable permissions satisfying the requirement, no gate of the gateway refusing it:
`Analysis.can_call`, the evaluation of check), with the chain
each held permission arrives by; and every application bound to it there that cannot,
with the hop where each missing permission stops. The chains and stops are explain's
(explanation.py over the run's own resolver): only the applications listed take that path.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .analysis import Analysis
from .escaping import json_text, log_line, terminal
from .explanation import explain, find_operation


@dataclass(frozen=True)
class Hop:
    permission: str
    text: str


@dataclass(frozen=True)
class Caller:
    application: str
    bound: bool
    """A binding says it must be able to call the operation here."""
    forbidden: bool
    """A binding's must_not_call lists the operation here."""
    hops: tuple[Hop, ...]
    """Allowed: how each held permission arrives. Refused: where each missing one stops."""
    scopes_not_requested: tuple[str, ...] = ()


@dataclass(frozen=True)
class Callers:
    operation: str
    request: str
    environment: str
    can: tuple[Caller, ...]
    cannot: tuple[Caller, ...]
    """Bound applications only: an unbound one that cannot is no news."""


def who_can(analysis: Analysis, operation: str, environment: str) -> Callers:
    model = analysis.model
    op = find_operation(model, operation)
    bound = {app for (app, env), ops in analysis.pairs.items() if env == environment and op.id in ops}
    forbidden = {b.application for b in model.bindings if environment in b.environments and op.id in b.must_not_call}
    can: list[Caller] = []
    cannot: list[Caller] = []
    for app_id in sorted(model.applications):
        allowed = analysis.can_call(app_id, environment, op.id)
        if not allowed and app_id not in bound:
            continue
        e = explain(model, app_id, op.id, environment, resolver=analysis.resolver)
        if allowed:
            hops = tuple(Hop(leaf.permission, s) for leaf in e.leaves if leaf.satisfied for s in leaf.sources)
            requested = e.scopes_requested
            absent = () if requested is None else tuple(s for s in e.scopes_needed if s not in requested)
            can.append(Caller(app_id, app_id in bound, app_id in forbidden, hops, absent))
        else:
            hops = tuple(
                Hop(leaf.permission, text)
                for leaf in e.leaves
                if not leaf.satisfied
                for text in (
                    leaf.blocked or ((f"it is {leaf.filtered}",) if leaf.filtered else ("no grant delivers it",))
                )
            )
            if e.gateway:  # refused before any permission counts: no grant can fix it
                hops = (Hop("", f"the gateway refuses it: {e.gateway}"),)
            if not model.applications[app_id].assigned_to(environment):
                hops = (Hop("", f"{app_id} is not assigned to {environment} (it has no client there)"),)
            cannot.append(Caller(app_id, True, app_id in forbidden, hops))
    return Callers(op.id, f"{op.method} {op.path}", environment, tuple(can), tuple(cannot))


def render_text(c: Callers) -> str:
    """Text; every name from the inputs `terminal`-escaped, no line a workflow command (policycheck.escaping)."""
    t = terminal
    lines = [
        f"who can call {t(c.operation)} ({t(c.request)}) in {t(c.environment)}:",
        "",
        f"can ({len(c.can)}):",
    ]
    for caller in c.can:
        marks = [m for m, on in (("bound", caller.bound), ("MUST NOT CALL", caller.forbidden)) if on]
        lines.append(f"  {t(caller.application)}" + (f" [{', '.join(marks)}]" if marks else ""))
        lines += [f"      {t(h.permission)}: {t(h.text)}" for h in caller.hops]
        if not caller.hops:
            lines.append("      the operation requires no permission")
        if caller.scopes_not_requested:
            lines.append(f"      (does not request scope {t(' '.join(caller.scopes_not_requested))} yet)")
    if not c.can:
        lines.append("  (no application)")
    lines += ["", f"bound but cannot ({len(c.cannot)}):"]
    for caller in c.cannot:
        lines.append(f"  {t(caller.application)}")
        lines += [f"      {t(h.permission) + ' stops: ' if h.permission else ''}{t(h.text)}" for h in caller.hops]
    if not c.cannot:
        lines.append("  (none)")
    return "\n".join(log_line(line) for line in lines) + "\n"


def render_json(c: Callers) -> str:
    """Names exact, non-printable characters as JSON escapes (as the JSON report)."""
    return json_text({"version": "1", **asdict(c)}, indent=2) + "\n"
