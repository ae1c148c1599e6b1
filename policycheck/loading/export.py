"""Native gateway export documents (kind: GatewayExport, already schema-valid) -> model values."""

from __future__ import annotations

from collections.abc import Iterator, Set
from dataclasses import dataclass, field
from typing import Any

from ..model import (
    ALL_ENVIRONMENTS,
    Application,
    Environment,
    GatewayOperation,
    Grant,
    Origin,
    PermissionSet,
    Reference,
    ReferenceSource,
    Status,
    TokenShape,
)
from .products import Product
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
        "consumerKey",  # Apigee app credentials
        "consumerSecret",
        "primaryKey",  # Azure API Management subscription keys
        "secondaryKey",
        # Kong decK: consumer credentials and TLS keys, never read past the parser
        "keyauth_credentials",
        "jwt_secrets",
        "basicauth_credentials",
        "hmacauth_credentials",
        "oauth2_credentials",
        "keyauth_enc_credentials",
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
    gateway_operations: list[GatewayOperation] = field(default_factory=list)
    """Operations the gateway serves with its own token checks (APIM), per environment."""
    notes: list[Note] = field(default_factory=list)
    """What the import could not establish (an unresolved id, an unknown consent), for the user."""
    uses: list[ReferenceSource] = field(default_factory=list)
    """References listed only on demand (the applications' clients, grants and delivery lists)."""
    routes: list[Route] = field(default_factory=list)
    """Gateway routes (Kong), matched to the policy's operations when the model is assembled."""
    gateway: dict[str, Origin] = field(default_factory=dict)
    """Environment -> the gateway configuration that holds its routes (what "no route" points at)."""
    token_shapes: list[TokenShape] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    """Apigee API products and what each covers, matched to the policy's operations when the model is assembled."""


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
        environment = s.get("environment")
        if environment is not None:
            ref("environment", environment, where, *keys, "environment")
        part.permission_sets.append(
            PermissionSet(
                s["name"],
                tuple(s.get("permissions", ())),
                tuple(s.get("includes", ())),
                Origin(doc, keys),
                environment,
            )
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
    status = _STATUS
    for i, a in enumerate(data.get("applications", ())):
        origin = Origin(doc, ("applications", i))
        grants = []
        for j, g in enumerate(a.get("grants", ())):
            envs = g.get("environments")
            grants.append(
                Grant(
                    g.get("permission"),
                    g.get("permission_set"),
                    status[g["status"]],
                    None if envs is None else tuple(envs),
                    Origin(doc, ("applications", i, "grants", j)),
                )
            )
        part.applications.append(
            Application(
                a["id"],
                a.get("name"),
                dict(a.get("clients", {})),
                _scopes(a.get("scopes")),
                tuple(grants),
                origin,
                _scopes(a.get("delivery")),
            )
        )
    part.uses.append(ApplicationUses(tuple(part.applications)))
    return part


def _scopes(data: Any) -> dict[str, tuple[str, ...]]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        data = {ALL_ENVIRONMENTS: data}
    return {env: tuple(v.split()) if isinstance(v, str) else tuple(v) for env, v in data.items()}


_STATUS = {s.value: s for s in Status}


class ApplicationUses:
    """The names a native export's applications use: their environments, permissions and sets."""

    def __init__(self, applications: tuple[Application, ...]):
        self.applications = applications
        self._names: dict[str, set[str]] | None = None

    def names(self, kind: str) -> Set[str]:
        if self._names is None:
            apps = self.applications
            environments = {e for a in apps for e in a.clients}
            permissions = {p for a in apps for allowed in a.delivery.values() for p in allowed}
            sets: set[str] = set()
            for a in apps:
                for g in a.grants:
                    if g.permission is not None:
                        permissions.add(g.permission)
                    else:
                        sets.add(g.permission_set)  # type: ignore[arg-type]
                    if g.environments:
                        environments.update(g.environments)
            self._names = {"environment": environments, "permission": permissions, "permission set": sets}
        return self._names.get(kind, set())

    def references(self) -> Iterator[Reference]:
        for a in self.applications:
            doc, keys = a.source.document, a.source.keys
            where = f"application {a.id!r}"
            for env in a.clients:
                yield Reference("environment", env, Origin(doc, (*keys, "clients", env)), where)
            for env, allowed in a.delivery.items():
                for j, p in enumerate(allowed):
                    yield Reference("permission", p, Origin(doc, (*keys, "delivery", env, j)), where)
            for g in a.grants:
                gdoc, gkeys = g.source.document, g.source.keys
                if g.permission is not None:
                    yield Reference("permission", g.permission, Origin(gdoc, (*gkeys, "permission")), where)
                else:
                    assert g.permission_set is not None
                    yield Reference("permission set", g.permission_set, Origin(gdoc, (*gkeys, "permission_set")), where)
                for k, env in enumerate(g.environments or ()):
                    yield Reference("environment", env, Origin(gdoc, (*gkeys, "environments", k)), where)
