"""The wiring of `policycheck init`, without click: a configuration and a starter policy from today's access."""

from __future__ import annotations

import os

from ..analysis import Analysis
from ..errors import UsageError
from ..loading.inputs import load_inputs
from ..loading.openapi import read_spec
from ..loading.policy import PolicyPart
from ..model import AllOf, AnyOf, Expression, Operation, Permission, PermissionRef, Requirement, Spec
from ..starter_policy import callable_today, catalogue, render_bindings, render_policy
from .common import Outcome, said, told_first
from .report_file import write_report

CONFIG = ".policycheck.yaml"


def run_init(paths: tuple[str, ...], openapi: str | None, api: str | None, policy_file: str, force: bool) -> Outcome:
    inputs = [p for p in paths or (".",) if os.path.abspath(p) != os.path.abspath(policy_file)]
    existing = [t for t in (CONFIG, policy_file) if os.path.exists(t)]
    if existing and not force:
        raise UsageError(f"{existing[0]} exists: init never overwrites a file without --force")
    spec = read_spec(openapi, api=api) if openapi else None
    # the spec's operations are attached to the gateway's routes as the written policy's will be
    loaded = load_inputs(inputs, defaults=starter(spec) if spec is not None else None)
    model, notes = loaded.model, said((), loaded.notes)
    with told_first(notes):
        if not model.has_export:
            raise UsageError(f"init needs a gateway export: none found in {', '.join(inputs)}")
        if not model.operations:
            raise UsageError("init needs operations: give --openapi SPEC, or a policy with operations among the paths")
    today, already = callable_today(Analysis(model))
    command = "policycheck init " + " ".join(inputs) + (f" --openapi {openapi}" if openapi else "")
    bindings = render_bindings(today, command, already)
    if spec is not None:
        bindings = render_policy(spec, command, api) + bindings.split("kind: Policy\n", 1)[1]
    config = [f"# Written by {command}", f"paths: [{', '.join(_listed(inputs, policy_file))}]"]
    if openapi:
        config.append(f"openapi: [{{path: {openapi}" + (f", api: {api}" if api else "") + "}]")
    write_report(policy_file, bindings)
    write_report(CONFIG, "\n".join(config) + "\n")
    calls = sum(len(ops) for by_env in today.values() for ops in by_env.values())
    repeated = f" ({already} more already bound in the policies, not repeated)" if already else ""
    return Outcome(
        0,
        f"wrote {CONFIG} and {policy_file}: {len(today)} application(s) bound to the {calls} call(s) "
        f"they can make today{repeated}; review them, then run: policycheck check\n",
        notes,
    )


def starter(spec: Spec) -> PolicyPart:
    """The spec's operations and scope permissions, as the starter policy will define them."""
    part = PolicyPart()
    for scope, (description, _) in catalogue(spec).items():
        part.permissions.append(Permission(scope, description or None, (scope,), (scope,), spec.source))
    for so in spec.operations:
        alternatives = sorted((sorted(a) for a in so.scope_sets()), key=lambda a: (len(a), a))
        expression: Expression | None = None
        if [] not in alternatives:
            parts = [AllOf(tuple(PermissionRef(s) for s in a)) for a in alternatives]
            expression = parts[0] if len(parts) == 1 else AnyOf(tuple(parts))
        part.operations.append(Operation(so.id, so.method, so.path, spec.api, Requirement(expression), {}, so.source))
    return part


def _listed(inputs: list[str], policy_file: str) -> list[str]:
    """The inputs, and the policy file unless a directory among them holds it."""
    target = os.path.abspath(policy_file)
    held = any(
        os.path.isdir(p) and os.path.commonpath([os.path.abspath(p), target]) == os.path.abspath(p) for p in inputs
    )
    return inputs if held else [*inputs, policy_file]
