"""PC107 unreachable-route: the gateway answers a bound call itself, whatever the application holds.

What it means: in this environment the gateway configuration never lets the call
reach the API: the route in force has a `request-termination` plugin (without a
trigger), or an `acl` plugin with no authentication plugin (no consumer is ever
identified, so the ACL refuses everyone), or no route serves the operation at all
(404). Grants cannot fix it; the gateway configuration must change.

Failing example (Kong): route `gl-journal-entries-post` in prod has
`plugins: [{name: request-termination, config: {status_code: 403}}]` and
`gl-integration` is bound to `gl.journal-entries.post` in prod.

Passing example: the termination plugin removed (or `enabled: false`), the route
served by an authentication plugin and its ACL.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Affected, Finding, Severity
from ..model import Gate
from .bound import some, who

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC107"
NAME = "unreachable-route"
DEFAULT_SEVERITY = Severity.ERROR


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    closed: dict[tuple[str, str, str], tuple[Gate, list[Affected]]] = {}
    for app, env, op, gate in analysis.gated_calls:
        if gate.closed is not None:
            _, cells = closed.setdefault((env, gate.route, gate.closed), (gate, []))
            cells.append((app, env, op))
    for (env, route, why), (gate, cells) in closed.items():
        name, _ = who(cells)
        calls = [str(op) for op in dict.fromkeys(c[2] for c in cells)]
        if not route:
            fix = f"add a route that serves it to the gateway configuration of {env}, or unbind it there"
        elif "request-termination" in why:
            fix = f"remove (or disable) the request-termination plugin of route '{route}' in {env}"
        else:
            fix = (
                f"add an authentication plugin (key-auth, jwt, oauth2, ...) to route '{route}' or its service in {env}"
            )
        yield ctx.finding(
            gate.closed_at or gate.source,
            cells=cells,
            message=f"{why}: {name} cannot call {some(calls)} in {env}",
            fix=fix,
        )
