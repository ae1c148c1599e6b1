"""PC204 token-drift: a token disagrees with the exported configuration.

What it means, in either direction:
- the export says the application holds a permission (effective and deliverable
  in the token's environment) whose claim is absent from the token: a stale token
  issued before the grant, or a propagation delay between approval and the
  environment's activation;
- the token carries a claim of a permission that no approved grant gives the
  application there: an over-privileged token, or an export that is out of date.

Failing example: the export delivers `General Ledger - Read` to the prod client,
and the prod token has no `gl:journal:read`.

Passing example: the token carries exactly the claims of what the export delivers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Finding, Severity
from ..tokens.profiles import is_opaque

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC204"
NAME = "token-drift"
DEFAULT_SEVERITY = Severity.WARNING


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    model = analysis.model
    by_claim: dict[str, list[str]] = {}
    for p in model.permissions.values():
        for claim in p.claims:
            by_claim.setdefault(claim, []).append(p.name)
    for token in model.tokens:
        app, env = token.application, token.environment
        if token.problem or app is None or env is None or app not in model.applications or is_opaque(token):
            continue
        effective = analysis.effective(app, env)
        deliverable = analysis.deliverable(app, env)
        for name in sorted(deliverable):
            permission = model.permissions.get(name)
            if permission and permission.claims and not set(permission.claims) & token.values:
                yield ctx.finding(
                    token.source,
                    app=app,
                    env=env,
                    subject=name,
                    message=f"the export gives {app} '{name}' in {env}, but token {token.fingerprint} has no "
                    f"'{permission.claims[0]}': a token issued before the grant, or a propagation delay",
                    fix=f"request a new token and run `policycheck token` on it to confirm "
                    f"'{permission.claims[0]}' arrives; if it still does not, check that {env} is activated "
                    "for the new permissions (environment sync) and try again after the cache refresh",
                )
        for value in sorted(token.values):
            names = by_claim.get(value)
            if names and not set(names) & effective:
                yield ctx.finding(
                    token.source,
                    app=app,
                    env=env,
                    subject=value,
                    message=f"token {token.fingerprint} carries '{value}' ({', '.join(names)}), which no approved "
                    f"grant gives {app} in {env}: an over-privileged token or an out-of-date export",
                    fix="export the gateway configuration again; if it still lacks the grant, find what issues "
                    f"'{value}' to {app} and revoke it",
                )
