"""PC205 token-health: the token itself would be rejected, or is unsafe to rely on.

What it means: the signature does not verify (wrong key, unknown key id, an
algorithm outside the allow-list, `alg: none`), or the token is expired, not yet
valid, issued in the future, has no `exp`, has another issuer or audience than
its environment expects, lacks the `at+jwt` type its profile requires, or repeats
a header or claim name (parsers disagree on which one wins). A token rejected for
these reasons gets a 401 (invalid_token), not a 403: the permissions are not the
problem then.

Failing example: `exp` an hour in the past.

Passing example: a token that verifies, within its validity, for the right issuer
and audience.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from ..findings import Finding, Severity
from ..model import Token
from ..tokens.profiles import audiences, environment_problem, is_opaque

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC205"
NAME = "token-health"
DEFAULT_SEVERITY = Severity.ERROR


def human(ts: float) -> str:
    try:
        return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):  # beyond the years a datetime can show
        return f"{ts:.0f} (out of range)"


def problems(token: Token, now: float) -> Iterator[tuple[str, str, str]]:
    """(subject, message, fix) for each health problem of one token."""
    claims, header = token.claims, token.header
    slack = token.leeway
    opaque = is_opaque(token)  # no header, no claims: nothing below can be judged but the response
    if token.problem:
        yield (
            "signature",
            f"rejected: {token.problem}",
            "verify with the issuer's current key (JWKS), and check that the token comes from the expected issuer",
        )
    alg = header.get("alg")
    if isinstance(alg, str) and alg.lower() == "none":
        yield "alg", "alg none: the token is unsigned", "never accept unsigned tokens; fix the issuer's signing setup"
    times = {}
    for name in ("exp", "nbf", "iat"):
        value = claims.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            yield name, f"'{name}' is not a number (RFC 7519 NumericDate)", "fix the issuer's token format"
        else:
            times[name] = float(value)
    if claims.get("exp") is None and not opaque:  # "exp": null is no expiry either
        yield "exp", "no expiry (exp): the token never expires", "configure the issuer to set exp"
    if "exp" in times and times["exp"] <= now - slack:
        yield "exp", f"expired at {human(times['exp'])}: the gateway answers 401", "request a new token"
    if "nbf" in times and times["nbf"] > now + slack:
        yield "nbf", f"not valid before {human(times['nbf'])}", "check the issuer's clock; request a new token"
    if "iat" in times and times["iat"] > now + slack:
        yield "iat", f"issued in the future ({human(times['iat'])})", "check the issuer's clock"
    envs = () if opaque else token.profile.environments
    expected = next((e for e in envs if e.name == token.environment), None)
    unmatched = environment_problem(token)  # a profile that declares environments, and the token is in none
    if unmatched:
        yield unmatched
    iss = claims.get("iss")
    if expected and expected.issuer and (not isinstance(iss, str) or iss.rstrip("/") != expected.issuer.rstrip("/")):
        yield (
            "iss",
            f"issuer is not {expected.issuer}, which {token.environment} expects (wrong tenant?): "
            "the gateway answers 401",
            f"request the token from {expected.issuer}",
        )
    if expected and expected.audience and expected.audience not in audiences(claims):
        yield (
            "aud",
            f"audience is not {expected.audience}: the gateway answers 401",
            f"request the token for audience {expected.audience}",
        )
    typ = header.get("typ")
    if (
        token.profile.require_typ
        and token.kind in ("jwt", "token-response")
        and not opaque
        and (not isinstance(typ, str) or typ.lower() not in ("at+jwt", "application/at+jwt"))
    ):
        yield (
            "typ",
            "the header typ is not at+jwt (an ID token or another token used as an access token?)",
            "use the access token from the token response",
        )
    if token.duplicates:
        yield (
            "duplicates",
            f"repeats {', '.join(token.duplicates)}: parsers disagree on which value wins",
            "fix the issuer: every header and claim name once",
        )


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    model = analysis.model
    for token in model.tokens:
        for subject, message, fix in problems(token, ctx.now):
            yield ctx.finding(
                token.source,
                app=token.application,
                env=token.environment,
                subject=subject,
                message=f"token {token.fingerprint}: {message}",
                fix=fix,
            )
