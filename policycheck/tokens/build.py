"""A token input -> a Token in the model: decoded, verified (or labelled unverified), attributed.

The environment comes from --env, or from the token's issuer (or audience) as the
token profile maps them; the application from --app, or from the client claim
matched against the export's client ids in that environment.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import InputError, UsageError
from ..model import At, Model, Origin, Token, TokenProfile
from . import jose
from .profiles import BUILTIN, DEFAULT, audiences, client_of, permission_values
from .source import TokenInput
from .verify import Verification, verify

_UNSIGNED = {
    "claims": "decoded claims JSON",
    "introspection": "an introspection response",
    "token-response": "an opaque token response",
}


def pick_profile(model: Model, name: str | None) -> TokenProfile:
    if name is not None:
        if name in model.profiles:
            return model.profiles[name]
        if name in BUILTIN:
            return BUILTIN[name]
        known = ", ".join([*model.profiles, *BUILTIN])
        raise UsageError(f"unknown token profile {name!r} (known: {known})")
    if len(model.profiles) == 1:
        return next(iter(model.profiles.values()))
    return BUILTIN[DEFAULT]


def build(
    inp: TokenInput,
    model: Model,
    profile: TokenProfile,
    verification: Verification,
    environment: str | None = None,
    application: str | None = None,
) -> Token:
    header: Mapping[str, Any] = {}
    duplicates: tuple[str, ...] = ()
    problem = None
    verified = False
    if inp.jwt is not None:
        decoded = jose.decode(inp.label, inp.jwt)
        header, claims, duplicates = decoded.header, decoded.claims, decoded.duplicates
        if verification.verify:
            problem = verify(inp.jwt, decoded, verification)
            verified = problem is None
    elif verification.verify:
        # a key source is named: an input with no signature must not pass as if it had been checked
        raise InputError(
            inp.label,
            f"{_UNSIGNED.get(inp.kind, 'this input')} carries no signature to check against the named key; "
            "without --key, --jwks and --issuer (or with --no-verify) it is read UNVERIFIED",
        )
    else:
        claims = inp.claims or {}
    values = permission_values(profile, claims)
    if inp.kind == "token-response" and inp.jwt is None:  # opaque: the response's scope, whatever the profile
        values = frozenset((inp.response_scope or "").split())
    env = environment or infer_environment(model, profile, claims)
    app = application or infer_application(model, profile, claims, env)
    if env is None and app is not None:
        envs = [e for e, c in model.applications[app].clients.items() if c == client_of(profile, claims)]
        env = envs[0] if len(envs) == 1 else None
    return Token(
        inp.label,
        inp.kind,
        dict(header),
        dict(claims),
        verified,
        problem,
        duplicates,
        jose.fingerprint(claims),
        profile,
        values,
        app,
        env,
        Origin(At(inp.label, 1, 1), ()),
        inp.response_scope,
        verification.leeway,
    )


def infer_environment(model: Model, profile: TokenProfile, claims: Mapping[str, Any]) -> str | None:
    iss = claims.get("iss")
    if isinstance(iss, str):
        for env in profile.environments:
            if env.issuer and env.issuer.rstrip("/") == iss.rstrip("/"):
                return env.name
    auds = audiences(claims)
    matches = [env.name for env in profile.environments if env.audience and env.audience in auds]
    return matches[0] if len(matches) == 1 else None


def infer_application(
    model: Model, profile: TokenProfile, claims: Mapping[str, Any], environment: str | None
) -> str | None:
    client = client_of(profile, claims)
    if client is None:
        return None
    found = sorted(
        app.id
        for app in model.applications.values()
        if any(c == client and (environment is None or e == environment) for e, c in app.clients.items())
    )
    return found[0] if len(found) == 1 else None
