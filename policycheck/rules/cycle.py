"""PC902 cycle: environments inherit, or permission sets include, each other in a loop.

What it means: following `inherits` (environments) or `includes` (permission sets)
comes back to where it started. policycheck stops the walk (resolution never
loops), but a gateway may not, and the intent is unclear: break the loop.

Failing example: set `A` includes `B` and `B` includes `A`.

Passing example: includes and inheritance form a tree (or a DAG).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from ..findings import Finding, Severity
from ..model import PermissionSet
from ..resolve import cycles

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC902"
NAME = "cycle"
DEFAULT_SEVERITY = Severity.ERROR


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    model = analysis.model
    envs = {name: e.inherits for name, e in model.environments.items()}
    for loop in cycles(envs):
        yield ctx.finding(
            model.environments[loop[0]].source,
            env=loop[0],
            subject=" -> ".join(loop),
            message=f"environments inherit from each other in a cycle: {' -> '.join(loop)}",
            fix=f"remove the inheritance of {loop[-2]} from {loop[-1]} (or another link of the loop)",
        )
    views: list[tuple[str | None, Mapping[str, PermissionSet]]] = [(None, model.permission_sets)]
    views += sorted(model.scoped_sets.items())
    for env, defined in views:
        sets = {name: s.includes for name, s in defined.items()}
        for loop in cycles(sets):
            first = defined[loop[0]]
            where = f" in {env}" if env is not None else ""
            yield ctx.finding(
                first.source,
                env=env,
                subject=" -> ".join(loop),
                message=f"{first.label}s include each other in a cycle{where}: {' -> '.join(loop)}",
                fix=f"remove the include of '{loop[-1]}' from '{loop[-2]}' (or another link of the loop)",
            )
