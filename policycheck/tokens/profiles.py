"""Token profiles: the built-in ones per vendor, profiles written as policy files, and claim reading."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..model import Origin, ProfileEnvironment, Token, TokenProfile

BUILTIN: dict[str, TokenProfile] = {
    p.name: p
    for p in (
        TokenProfile("rfc9068", ("scope", "roles", "groups", "entitlements"), ("client_id",), True),
        TokenProfile(
            "keycloak", ("scope", "realm_access.roles", "resource_access.*.roles"), ("azp", "client_id"), False
        ),
        TokenProfile("entra", ("scp", "roles"), ("azp", "appid"), False),
        TokenProfile("okta", ("scp", "groups"), ("cid",), False),
        TokenProfile("auth0", ("scope", "permissions"), ("azp",), False),
        TokenProfile("cognito", ("scope", "cognito:groups"), ("client_id",), False),
        TokenProfile("generic", ("scope", "scp", "roles", "permissions"), ("client_id", "azp", "cid", "appid"), False),
    )
}
DEFAULT = "generic"


def read_profile(data: Mapping[str, Any], source: Origin) -> TokenProfile:
    """A profile from a (schema-valid) TokenProfile document."""
    base = BUILTIN[data.get("extends", DEFAULT)]
    return TokenProfile(
        data["name"],
        tuple(data.get("permission_claims", base.permission_claims)),
        tuple(data.get("client_claims", base.client_claims)),
        bool(data.get("require_typ", base.require_typ)),
        tuple(ProfileEnvironment(e["name"], e.get("issuer"), e.get("audience")) for e in data.get("environments", ())),
        source,
    )


def _walk(value: Any, parts: list[str]) -> Iterator[Any]:
    if not parts:
        yield value
        return
    if not isinstance(value, Mapping):
        return
    head, rest = parts[0], parts[1:]
    if head == "*":
        for v in value.values():
            yield from _walk(v, rest)
    elif head in value:
        yield from _walk(value[head], rest)


def claim_values(claims: Mapping[str, Any], path: str) -> set[str]:
    """Values at a claim path: a space-separated string is split, a list of strings taken as is."""
    out: set[str] = set()
    for found in _walk(claims, path.split(".")):
        if isinstance(found, str):
            out.update(found.split())
        elif isinstance(found, list):
            out.update(v for v in found if isinstance(v, str))
    return out


def permission_values(profile: TokenProfile, claims: Mapping[str, Any]) -> frozenset[str]:
    values: set[str] = set()
    for path in profile.permission_claims:
        values |= claim_values(claims, path)
    return frozenset(values)


def client_of(profile: TokenProfile, claims: Mapping[str, Any]) -> str | None:
    for name in profile.client_claims:
        value = claims.get(name)
        if isinstance(value, str) and value:
            return value
    return None


def is_opaque(token: Token) -> bool:
    """An opaque access token from a token response: only the response's scope is known of it."""
    return token.kind == "token-response" and not token.header


def audiences(claims: Mapping[str, Any]) -> list[str]:
    aud = claims.get("aud")
    if isinstance(aud, str):
        return [aud]
    if isinstance(aud, list):
        return [a for a in aud if isinstance(a, str)]
    return []


def environment_problem(token: Token) -> tuple[str, str, str] | None:
    """(subject, message, fix) when the token's profile declares environments and the token is in none of them.

    The profile says which issuer and audience each environment accepts: a token whose
    issuer, audience and client match none of them (another tenant, another API) is not
    one this gateway takes, whatever its signature. No environments declared: None.
    """
    envs = token.profile.environments
    if not envs or is_opaque(token) or any(e.name == token.environment for e in envs):
        return None
    names = ", ".join(e.name for e in envs)
    message = (
        f"its issuer, audience and client match no environment of token profile {token.profile.name} "
        f"({names}): the gateway answers 401"
        if token.environment is None
        else f"environment {token.environment} is not one of token profile {token.profile.name} ({names}): "
        "its issuer and audience cannot be checked"
    )
    return (
        "environment",
        message,
        f"request the token from the issuer of one of {names}, or declare its environment in the token profile",
    )
