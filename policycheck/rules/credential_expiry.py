"""PC110 credential-expiry: the key that carries a grant a bound operation needs has expired, or soon will.

What it means: a gateway credential (an Apigee app's consumer key) has an expiry
(`expiresAt`). Past it, the gateway refuses the key, and with it every API product
the key carries: the calls that need those products fail, although the app, the
key and the product entry are all `approved`. A key that expires within 30 days is
reported one level lower (a warning when the rule is an error): rotate it before it
breaks the calls. Which keys have expired is judged when the files are read (as of the
start of today, UTC); `--today` moves only the 30-day warning.

Failing example: `audit-app`'s only key carries `gl-read` with `expiresAt`
1704067200000 (2024-01-01), and `gl.journal-entries.list` needs `gl-read` in prod.

Passing example: the key has `expiresAt: -1` (never), or a date months away.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from ..findings import Affected, Finding, Severity
from ..model import EXPIRED, Grant
from ..resolve import Block
from .bound import some, stopping, who

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC110"
NAME = "credential-expiry"
DEFAULT_SEVERITY = Severity.ERROR

SOON = 30 * 86400
"""A key that expires within this many seconds is reported as expiring."""

_LOWER = {Severity.ERROR: Severity.WARNING, Severity.WARNING: Severity.NOTE, Severity.NOTE: Severity.NOTE}


def _day(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%d")


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    yield from _expired(analysis, ctx)
    yield from _expiring(analysis, ctx)


def _expired(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    """One finding per expired grant (in one environment), with every call it breaks."""
    for s in stopping(analysis, lambda b: Block.REVOKED in b.reasons and _expired_key(b.grant)):
        grant, name = s.grant, s.name
        yield ctx.finding(
            grant.source,
            cells=s.cells,
            op=s.op,
            subject=grant.target,
            message=f"the key of {name} that carries {grant.target} expired on {_day(grant.expires or 0)}: {s.needs()}",
            fix=f"issue {name} a new key with {grant.target} (or extend the key's expiry), then retire the old one",
        )


def _expired_key(grant: Grant | None) -> bool:
    return grant is not None and EXPIRED in (grant.blocked_by or "").split("; ")


def _expiring(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    """One finding per approved grant whose key expires within SOON, when a bound call needs what it delivers."""
    found: dict[int, tuple[Grant, dict[Affected, None]]] = {}
    now, until = ctx.now, ctx.now + SOON
    expiring: dict[str, list[Grant]] = {}
    """Application -> its approved grants whose key expires soon (few or none: most grants have no key)."""
    for app_id, app in analysis.model.applications.items():
        soon = [g for g in app.grants if g.expires is not None and now < g.expires <= until and not g.blocked_by]
        if soon:
            expiring[app_id] = soon
    for (app_id, env), ops in analysis.pairs.items() if expiring else ():
        for g in expiring.get(app_id, ()):
            delivers = analysis.grants.grant_in(g, env)
            if not delivers.in_force:
                continue
            for op in ops:
                if analysis.need(op, env).mentions & delivers.delivers:
                    found.setdefault(id(g), (g, {}))[1][(app_id, env, op)] = None
    for grant, hit in found.values():
        cells = list(hit)
        name, _ = who(cells)
        days = int((grant.expires or 0) - ctx.now) // 86400
        envs = list(dict.fromkeys(c[1] for c in cells))
        names = [op for op in dict.fromkeys(c[2] for c in cells) if op]
        finding = ctx.finding(
            grant.source,
            cells=cells,
            subject=f"expiring:{grant.target}",
            message=f"the key of {name} that carries {grant.target} expires on {_day(grant.expires or 0)} "
            f"(in {days} days): {some(names)} in {', '.join(envs)} will fail",
            fix=f"issue {name} a new key with {grant.target} before it expires, then retire the old one",
        )
        yield finding._replace(severity=_LOWER[finding.severity])
