"""PC401 unneeded-grant: an application holds permissions that none of its bound operations needs.

What it means: least privilege. In an environment where the application is bound,
its effective permissions include some that no requirement of its bound operations
there mentions. The finding lists them, and the grants that deliver nothing else
(those can go). Permissions needed by operations the policies do not bind are not
known to be needed: bind those operations, or accept the finding as a review item.

Failing example: a reporting client bound only to `GET /reports` holds
`General Ledger - Journal Entry Post` through a broad permission set.

Passing example: the client's grants deliver exactly what its bound operations need.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Finding, Severity
from ..model import Model
from ..resolve import names
from .bound import listing

if TYPE_CHECKING:
    from ..engine import RuleContext

ID = "PC401"
NAME = "unneeded-grant"
DEFAULT_SEVERITY = Severity.WARNING


def check(model: Model, ctx: RuleContext) -> Iterator[Finding]:
    bound: dict[tuple[str, str], set[str]] = {}
    for binding in model.bindings:
        if binding.application not in model.applications:
            continue
        for env in binding.environments:
            needed = bound.setdefault((binding.application, env), set())
            for op_id in binding.operations:
                if op_id in model.operations:
                    needed |= names(model.operations[op_id].requirement_in(env).permissions)
    for (app_id, env), needed in sorted(bound.items()):
        resolution = ctx.resolver.effective(app_id, env)
        extra = sorted(resolution.permissions - needed)
        if not extra:
            continue
        idle = [c.grant.target for c in resolution.contributions if not needed & c.delivers.keys()]
        fix = (
            f"remove the grants of {', '.join(dict.fromkeys(idle))}"
            if idle
            else ("grant narrower permission sets that leave these out")
        )
        yield ctx.finding(
            model.applications[app_id].source,
            app=app_id,
            env=env,
            subject=",".join(extra),
            message=f"{app_id} holds {listing(extra)} in {env}, which no operation bound to it there needs",
            fix=f"{fix} (least privilege), or bind the operations that need them",
        )
