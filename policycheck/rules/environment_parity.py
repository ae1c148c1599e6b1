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

from ..findings import Finding, Severity
from ..model import Model
from .bound import listing

if TYPE_CHECKING:
    from ..engine import RuleContext

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


def check(model: Model, ctx: RuleContext) -> Iterator[Finding]:
    for left, right in parity_pairs(model):
        allowances = [
            a
            for name in (left, right)
            if name in model.policy_environments
            for a in model.policy_environments[name].allowances
            if a.expires is None or a.expires >= ctx.today
        ]
        for app_id in sorted(model.applications):
            app = model.applications[app_id]
            if not (app.assigned_to(left) and app.assigned_to(right)):
                continue
            have = {env: ctx.resolver.effective(app_id, env).permissions for env in (left, right)}
            for has, lacks in ((left, right), (right, left)):
                diff = sorted(p for p in have[has] - have[lacks] if not any(a.covers(app_id, p) for a in allowances))
                if diff:
                    yield ctx.finding(
                        app.source,
                        app=app_id,
                        env=lacks,
                        subject=f"{has}>{lacks}",
                        message=f"{lacks} is not in parity with {has}: {app_id} has "
                        f"{listing(diff)} in {has} but not in {lacks}",
                        fix=f"grant the same in {lacks} as in {has}, or declare each as an "
                        f"allowed difference (reason, owner, expiry) in the policy",
                    )
