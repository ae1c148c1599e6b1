"""PC108 acl-refused: the gateway's ACL refuses a bound application for a reason no grant shows.

What it means, one of two (Kong's `acl` plugin):

- the application is in a group on the plugin's `deny` list: deny wins over `allow`,
  so it is refused although it may hold every permission the call needs;
- the application holds an allowed group only as a **consumer group**, and the plugin
  does not set `include_consumer_groups: true`: Kong then checks ACL groups only, and
  the membership does not count (PC101 names what is missing; this finding says why).

Failing example: `reporting` is in ACL group `gl-readers` and in `contractors`;
route `gl-journal-entries-list` has `acl` with `allow: [gl-readers]`,
`deny: [contractors]`.

Passing example: the consumer taken out of `contractors`; or, for a consumer group,
`include_consumer_groups: true` on the plugin.
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

ID = "PC108"
NAME = "acl-refused"
DEFAULT_SEVERITY = Severity.ERROR


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    found: dict[tuple[str, str, str, str], tuple[Gate, list[Affected]]] = {}
    pair: tuple[str, str] | None = None
    held: frozenset[str] = frozenset()
    for app, env, op, gate in analysis.gated_calls:
        if not (gate.deny or gate.uncounted):
            continue
        if pair != (app, env):
            pair, held = (app, env), analysis.effective(app, env)
        for group in gate.deny:
            if group in held:
                found.setdefault(("deny", env, gate.route, group), (gate, []))[1].append((app, env, op))
        if gate.uncounted and analysis.failure(app, env, op) is not None:
            for member, allowed in gate.uncounted:
                if member in held and allowed not in held:
                    found.setdefault(("group", env, gate.route, allowed), (gate, []))[1].append((app, env, op))
    for (kind, env, route, group), (gate, cells) in found.items():
        name, single = who(cells)
        calls = [str(op) for op in dict.fromkeys(c[2] for c in cells)]
        if kind == "deny":
            yield ctx.finding(
                gate.deny_at or gate.source,
                cells=cells,
                subject=group,
                message=f"the acl plugin of route '{route}' denies group '{group}' in {env}, and {name} "
                f"{'is' if single else 'are'} in it: {some(calls)} refused whatever else is held (deny wins)",
                fix=f"take {name} out of group '{group}' in {env}, or remove '{group}' from the plugin's deny list",
            )
        else:
            yield ctx.finding(
                gate.check_at or gate.source,
                cells=cells,
                subject=group,
                message=f"{name} {'is' if single else 'are'} in consumer group '{group}', which the acl plugin of "
                f"route '{route}' allows in {env}, but the plugin does not count consumer groups "
                f"(include_consumer_groups is not true): {some(calls)} refused",
                fix=f"set include_consumer_groups: true on the acl plugin of route '{route}' in {env}, "
                f"or add ACL group '{group}' to {name}",
            )
