"""PC104 environment-non-parity: parity partners give an application different permissions.

What it means: the policy declares two environments to be in parity (`parity:`),
and an application assigned to both has a permission in one that it lacks in the
other: the classic "works in test, 401 in prod". Parity is symmetric: declaring
it on either side is enough. A difference declared under `allowed_differences`
(with a reason, an owner and an optional expiry) is not reported until it expires.

Failing example: in `test` compliance-sync has `General Ledger - Journal Entry Post`;
in `prod` it does not.

Passing example: the same effective permissions in both, or the difference
declared as allowed with a reason and an owner.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Affected, Finding, Severity
from ..model import Model
from ..resolve import Block
from .bound import app_origin, definition_gap, listing, who

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC104"
NAME = "environment-non-parity"
DEFAULT_SEVERITY = Severity.ERROR


def parity_pairs(model: Model) -> list[tuple[str, str]]:
    pairs = {
        tuple(sorted((env.name, other)))
        for env in model.policy_environments.values()
        for other in env.parity
        if other != env.name
    }
    return sorted((a, b) for a, b in pairs)


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    """One finding per difference (what one side has and the other lacks, and why), across applications."""
    model = analysis.model
    bits = analysis.bits
    for left, right in parity_pairs(model):
        allowances = [
            a
            for name in (left, right)
            if name in model.policy_environments
            for a in model.policy_environments[name].allowances
            if a.expires is None or a.expires >= ctx.today
        ]
        groups: dict[tuple[str, str, tuple[str, ...], str], list[Affected]] = {}
        fixes: dict[tuple[str, str, tuple[str, ...], str], str] = {}
        apps = model.applications
        mask = analysis.effective_mask
        for app_id in sorted(apps):
            app = apps[app_id]
            if not (app.assigned_to(left) and app.assigned_to(right)):
                continue
            on_left, on_right = mask(app_id, left), mask(app_id, right)
            if on_left == on_right:
                continue
            for has, lacks, more, less in ((left, right, on_left, on_right), (right, left, on_right, on_left)):
                names = bits.sorted(more & ~less)
                diff = names
                if allowances:
                    diff = tuple(p for p in names if not any(a.covers(app_id, p) for a in allowances))
                if not diff:
                    continue
                cause, fix = _cause(analysis, app_id, has, lacks, diff)
                key = (has, lacks, diff, cause)
                groups.setdefault(key, []).append((app_id, lacks, None))
                fixes[key] = fix
        for key, cells in groups.items():
            has, lacks, diff, cause = key
            name, single = who(cells)
            yield ctx.finding(
                app_origin(model, cells),
                cells=cells,
                subject=f"{has}>{lacks}",
                message=f"{lacks} is not in parity with {has}: {name} {'has' if single else 'have'} "
                f"{listing(diff)} in {has} but not in {lacks}{cause}",
                fix=fixes[key],
            )


def _cause(analysis: Analysis, app: str, has: str, lacks: str, diff: tuple[str, ...]) -> tuple[str, str]:
    """When the same grant is in force in both and only a set's definition differs, that difference."""
    application = analysis.model.applications[app]
    # definitions differ only where environments have their own
    for permission in diff if analysis.model.scoped_sets else ():
        for b in analysis.grants.blocked(application, lacks, permission):
            defines = b.environments
            if (
                b.reasons == (Block.DEFINITION,)
                and b.grant is not None
                and any(e in defines for e in analysis.chain(has))
            ):
                assert b.grant.permission_set is not None
                defined = analysis.resolver.definition(b.grant.permission_set, lacks)
                differs, fix = definition_gap(defined, b.grant.permission_set, diff, lacks, has)
                return (
                    f": in {lacks}, {differs}",
                    f"{fix.removesuffix(f', as in {has}')}, or declare each as an allowed difference (reason, owner, "
                    "expiry) in the policy",
                )
    return (
        "",
        f"grant the same in {lacks} as in {has}, or declare each as an "
        "allowed difference (reason, owner, expiry) in the policy",
    )
