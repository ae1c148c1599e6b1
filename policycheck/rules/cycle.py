"""PC902 cycle: environments inherit, or permission sets include, each other in a loop.

What it means: following `inherits` (environments) or `includes` (permission sets)
comes back to where it started. policycheck stops the walk (resolution never
loops), but a gateway may not, and the intent is unclear: break the loop.

Failing example: set `A` includes `B` and `B` includes `A`.

Passing example: includes and inheritance form a tree (or a DAG).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Finding, Severity
from ..model import Model
from ..resolve import cycles

if TYPE_CHECKING:
    from ..engine import RuleContext

ID = "PC902"
NAME = "cycle"
DEFAULT_SEVERITY = Severity.ERROR


def check(model: Model, ctx: RuleContext) -> Iterator[Finding]:
    envs = {name: e.inherits for name, e in model.environments.items()}
    for loop in cycles(envs):
        yield ctx.finding(
            model.environments[loop[0]].source,
            env=loop[0],
            subject=" -> ".join(loop),
            message=f"environments inherit from each other in a cycle: {' -> '.join(loop)}",
            fix=f"remove the inheritance of {loop[-2]} from {loop[-1]} (or another link of the loop)",
        )
    sets = {name: s.includes for name, s in model.permission_sets.items()}
    for loop in cycles(sets):
        yield ctx.finding(
            model.permission_sets[loop[0]].source,
            subject=" -> ".join(loop),
            message=f"permission sets include each other in a cycle: {' -> '.join(loop)}",
            fix=f"remove the include of '{loop[-1]}' from '{loop[-2]}' (or another link of the loop)",
        )
