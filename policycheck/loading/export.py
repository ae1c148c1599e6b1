"""Native gateway export documents (kind: GatewayExport, already schema-valid) -> model values."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..model import (
    ALL_ENVIRONMENTS,
    Application,
    Environment,
    Grant,
    Origin,
    PermissionSet,
    Reference,
    Status,
    TokenShape,
)
from .routes import Route
from .source import Document
from .survey import Note

SECRET_KEYS = frozenset(
    {
        "client_secret",
        "clientSecret",
        "secret",
        "secrets",
        "password",
        "private_key",
        "privateKey",
        "cs",
        "saak",
        "sask",
        "credentials",
        "secretText",
        # Kong decK: consumer credentials and TLS keys, never read past the parser
        "keyauth_credentials",
        "jwt_secrets",
        "basicauth_credentials",
        "hmacauth_credentials",
        "oauth2_credentials",
        "certificates",
        # Auth0 Deploy CLI configuration (config.json)
        "AUTH0_CLIENT_SECRET",
    }
)
"""Keys dropped at load wherever they appear, before their values are even built."""


@dataclass
class ExportPart:
    permission_sets: list[PermissionSet] = field(default_factory=list)
    environments: list[Environment] = field(default_factory=list)
    applications: list[Application] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    counts: list[tuple[str, str, str, int]] = field(default_factory=list)
    """(vendor, file, section, count) of an import: realms, clients, applications, ..."""
    notes: list[Note] = field(default_factory=list)
    """What the import could not establish (an unresolved id, an unknown consent), for the user."""
    routes: list[Route] = field(default_factory=list)
    """Gateway routes (Kong), matched to the policy's operations when the model is assembled."""
    gateway: dict[str, Origin] = field(default_factory=dict)
    """Environment -> the gateway configuration that holds its routes (what "no route" points at)."""
    token_shapes: list[TokenShape] = field(default_factory=list)


def read_export(doc: Document) -> ExportPart:
    part = ExportPart()
    data = doc.data

    def ref(kind: str, name: str, where: str, *keys: str | int) -> None:
        part.references.append(Reference(kind, name, Origin(doc, keys), where))

    for i, s in enumerate(data.get("permission_sets", ())):
        keys: tuple[str | int, ...] = ("permission_sets", i)
        where = f"permission set {s['name']!r}"
        for j, p in enumerate(s.get("permissions", ())):
            ref("permission", p, where, *keys, "permissions", j)
        for j, inc in enumerate(s.get("includes", ())):
            ref("included set", inc, where, *keys, "includes", j)
        part.permission_sets.append(
            PermissionSet(s["name"], tuple(s.get("permissions", ())), tuple(s.get("includes", ())), Origin(doc, keys))
        )
    for i, e in enumerate(data.get("environments", ())):
        keys = ("environments", i)
        where = f"environment {e['name']!r}"
        for j, parent in enumerate(e.get("inherits", ())):
            ref("environment", parent, where, *keys, "inherits", j)
        for j, s in enumerate(e.get("permission_sets", ())):
            ref("permission set", s, where, *keys, "permission_sets", j)
        part.environments.append(
            Environment(e["name"], tuple(e.get("inherits", ())), tuple(e.get("permission_sets", ())), Origin(doc, keys))
        )
    for i, a in enumerate(data.get("applications", ())):
        keys = ("applications", i)
        where = f"application {a['id']!r}"
        for env in a.get("clients", {}):
            ref("environment", env, where, *keys, "clients", env)
        for env, allowed in (a.get("delivery") or {}).items():
            for j, p in enumerate(allowed):
                ref("permission", p, where, *keys, "delivery", env, j)
        grants = []
        for j, g in enumerate(a.get("grants", ())):
            gkeys = (*keys, "grants", j)
            if "permission" in g:
                ref("permission", g["permission"], where, *gkeys, "permission")
            else:
                ref("permission set", g["permission_set"], where, *gkeys, "permission_set")
            envs = g.get("environments")
            for k, env in enumerate(envs or ()):
                ref("environment", env, where, *gkeys, "environments", k)
            grants.append(
                Grant(
                    g.get("permission"),
                    g.get("permission_set"),
                    Status(g["status"]),
                    None if envs is None else tuple(envs),
                    Origin(doc, gkeys),
                )
            )
        part.applications.append(
            Application(
                a["id"],
                a.get("name"),
                dict(a.get("clients", {})),
                _scopes(a.get("scopes")),
                tuple(grants),
                Origin(doc, keys),
                _scopes(a.get("delivery")),
            )
        )
    return part


def _scopes(data: Any) -> dict[str, tuple[str, ...]]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        data = {ALL_ENVIRONMENTS: data}
    return {env: tuple(v.split()) if isinstance(v, str) else tuple(v) for env, v in data.items()}
