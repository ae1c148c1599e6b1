"""PC106 forbidden-call: an application can call an operation that its binding says it must not.

What it means: a negative assertion failed. A binding's `must_not_call` lists operations
the application must not be able to call in its environments (separation of duties: a
read-only reporting client must not post journal entries in prod), and the export gives
it everything the operation requires there. The message gives the chain that lets it:
the grant, the permission sets it goes through, and the environment path.

"Can call" is judged as for bound calls: the application is assigned to the
environment and its effective, deliverable permissions satisfy the requirement. A scope
it does not request yet does not protect: the client can ask for it.

Failing example: `reporting` has `must_not_call: [gl.journal-entries.post]` in prod and
is granted permission set `GL Journal Posting`, mapped to base, which prod inherits.

Passing example: the grant is limited to test, or the set no longer holds the permission.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Finding, Severity
from ..resolve import names

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC106"
NAME = "forbidden-call"
DEFAULT_SEVERITY = Severity.ERROR


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    model = analysis.model
    for binding in model.bindings:
        if not binding.must_not_call:
            continue
        app = binding.application
        for env in binding.environments:
            for op_id in analysis.callable(app, env, dict.fromkeys(binding.must_not_call)):
                op = model.operations[op_id]
                held = sorted(names(op.requirement_in(env).permissions) & analysis.deliverable(app, env))
                resolution = analysis.resolver.effective(app, env)  # the slow path: only for violations
                from ..explanation import chain_text  # only for a violation: explain's module stays out of a run

                chains = [(p, chain_text(d)) for p in held for d in resolution.derivations(p)]
                source = next((d.grant.source for p in held for d in resolution.derivations(p)), binding.source)
                how = (
                    "; ".join(f"'{p}': {c}" for p, c in chains)
                    if chains
                    else "the operation requires no permission, and the application is assigned to " + env
                )
                yield ctx.finding(
                    source,
                    cells=[(app, env, op_id)],
                    message=f"{app} can call {op_id} ({op.method} {op.path}) in {env}, which its binding "
                    f"({binding.source.location()}) says it must not: {how}",
                    fix="remove or limit the grant that lets it (or the permission from its set), "
                    "or take the operation out of the binding's must_not_call",
                )
