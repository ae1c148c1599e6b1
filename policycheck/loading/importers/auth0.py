"""Auth0 Deploy CLI tenant configuration -> the native model (mapping table: docs/importers.md).

A tenant (one environment) is a `tenant.yaml` / `tenant.json` file, or a directory in
the Deploy CLI's directory format: one JSON object a file under `clients/`,
`resource-servers/`, `grants/`, `roles/` (the tenant is the folder above them). An API
(resource server) defines permissions `<API name>/<scope>`; a client grant gives the
client it names (by name, as the Deploy CLI writes it) approved grants of its scopes
(`allow_all_scopes`: all of the API's). Roles belong to users, never to a
machine-to-machine client: they are counted and said, not granted. Whether the API's
tokens carry a `permissions` claim follows its RBAC settings (`TokenShape`).
`##KEY##` and `@@KEY@@` placeholders stay as written.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ...model import Application, Environment, Grant, Origin, Reference, Status, TokenShape
from ..export import ExportPart
from ..source import Document
from ..survey import Note
from .identity import Identity
from .kong import file_name

Keys = tuple[str | int, ...]
FOLDERS = {
    "clients": "clients",
    "resource-servers": "resourceServers",
    "grants": "clientGrants",
    "client-grants": "clientGrants",
    "roles": "roles",
    "organizations": "organizations",
}
"""Directory format folders -> the tenant file's section."""
RBAC_DIALECTS = ("access_token_authz", "rfc9068_profile_authz")


def is_tenant(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    if isinstance(data.get("clientGrants"), list) or isinstance(data.get("resourceServers"), list):
        return True
    return isinstance(data.get("tenant"), dict) and isinstance(data.get("clients"), list)


def section_of(data: Any, path: str) -> str | None:
    """The tenant section of one directory-format file (its folder, and the fields that kind has), or None."""
    if not isinstance(data, dict):
        return None
    if os.path.basename(path) == "tenant.json" and not is_tenant(data) and "friendly_name" in data:
        return "tenant"  # the directory format's tenant settings: the tenant is this folder
    folder = os.path.basename(os.path.dirname(path))
    section = FOLDERS.get(folder)
    fields = {
        "clientGrants": ("client_id", "audience"),
        "resourceServers": ("identifier",),
        "clients": ("name", "app_type"),
        "roles": ("name", "permissions"),
        "organizations": ("name", "display_name"),
    }
    if section is not None and all(k in data for k in fields[section]):
        return section  # the types are checked as the importer's shape (a wrong one is an error at that field)
    return None


@dataclass
class Tenant:
    path: str
    """The tenant file, or the directory-format folder."""
    items: dict[str, list[tuple[Document, Keys, dict[str, Any]]]] = field(default_factory=dict)


def tenants_of(docs: Iterable[Document]) -> Iterator[Tenant]:
    folders: dict[str, Tenant] = {}
    for doc in docs:
        if is_tenant(doc.data):
            tenant = Tenant(doc.path)
            for name in dict.fromkeys(FOLDERS.values()):
                for i, item in enumerate(doc.data.get(name) or ()):
                    tenant.items.setdefault(name, []).append((doc, (name, i), item))
            yield tenant
            continue
        section = section_of(doc.data, doc.path)
        if section is None:
            continue
        root = os.path.dirname(doc.path) if section == "tenant" else os.path.dirname(os.path.dirname(doc.path))
        root = root or "."
        tenant = folders.setdefault(root, Tenant(root))
        tenant.items.setdefault(section, []).append((doc, (), doc.data))
    yield from folders.values()


def _env_name(tenant: Tenant) -> tuple[str, str]:
    """(name, a path inside the tenant) for the identity configuration."""
    if tenant.path.endswith((".yaml", ".yml", ".json")):
        return file_name(tenant.path, ("tenant",)), tenant.path
    return os.path.basename(os.path.abspath(tenant.path)), tenant.path.rstrip("/") + "/tenant"


def read_tenant(tenant: Tenant, identity: Identity) -> ExportPart:
    name, inside = _env_name(tenant)
    env = identity.environment(name, inside)
    part = ExportPart()
    items = tenant.items

    def note(where: Origin, message: str) -> None:
        loc = where.location()
        part.notes.append(Note(loc.path, message, loc.line, loc.column))

    apis: dict[str, tuple[str, list[str], Origin]] = {}  # identifier -> (name, scopes, origin)
    for doc, keys, rs in items.get("resourceServers", ()):
        where = Origin(doc, keys)
        api = str(rs.get("name") or rs["identifier"])
        scopes = [str(s.get("value")) for s in rs.get("scopes") or () if isinstance(s, dict) and s.get("value")]
        apis[str(rs["identifier"])] = (api, scopes, where)
        enforce = rs.get("enforce_policies") is True
        dialect = str(rs.get("token_dialect") or "access_token")
        claim = enforce and dialect in RBAC_DIALECTS
        why = (
            f"enforce_policies: true, token_dialect: {dialect}"
            if claim
            else ("RBAC off: enforce_policies is not true" if not enforce else f"token_dialect: {dialect}")
        )
        if scopes:
            part.token_shapes.append(TokenShape(api, env, frozenset(f"{api}/{s}" for s in scopes), claim, why, where))
    clients: dict[str, tuple[Origin, dict[str, Any]]] = {}
    for doc, keys, c in items.get("clients", ()):
        if isinstance(c.get("name"), str):
            clients.setdefault(c["name"], (Origin(doc, keys), c))
    grants: dict[str, list[Grant]] = {}
    for doc, keys, g in items.get("clientGrants", ()):
        where = Origin(doc, keys)
        client, audience = str(g.get("client_id")), str(g.get("audience"))
        if client not in clients:
            part.references.append(
                Reference("client", client, Origin(doc, (*keys, "client_id")), f"a client grant for {audience!r}")
            )
            continue
        if audience not in apis:
            part.references.append(
                Reference("API", audience, Origin(doc, (*keys, "audience")), f"the client grant of {client!r}")
            )
            continue
        api, listed, _ = apis[audience]
        defined = set(listed)
        scope = g.get("scope")
        if g.get("allow_all_scopes") is True:
            values = list(listed)
        elif isinstance(scope, list):
            values = [str(s) for s in scope]
        else:
            if scope is not None:
                note(
                    where,
                    f"the scopes of {client!r}'s grant for {api!r} are {scope!r}, not a list "
                    "(a placeholder?): not read",
                )
            values = []
        for j, value in enumerate(values):
            if value not in defined:
                part.references.append(
                    Reference(
                        "scope", f"{api}/{value}", Origin(doc, (*keys, "scope", j)), f"the client grant of {client!r}"
                    )
                )
                continue
            grants.setdefault(client, []).append(
                Grant(f"{api}/{value}", None, Status.APPROVED, (env,), where, per_environment=True)
            )
    for client, (where, c) in clients.items():
        if client not in grants and c.get("app_type") != "non_interactive":
            continue  # a login client (SPA, web, native): no machine-to-machine grants to check
        part.applications.append(
            Application(
                identity.application(client),
                client,
                {env: client},
                {},
                tuple(grants.get(client, ())),
                where,
                {},
                {env: where},
            )
        )
    roles = items.get("roles", ())
    for doc, keys, role_data in roles:
        for j, p in enumerate(role_data.get("permissions") or ()):
            target = p.get("resource_server_identifier") if isinstance(p, dict) else None
            if isinstance(target, str) and target not in apis:
                part.references.append(
                    Reference("API", target, Origin(doc, (*keys, "permissions", j)), f"role {role_data.get('name')!r}")
                )
    if roles:
        doc, keys, _ = roles[0]
        note(
            Origin(doc, keys),
            f"{len(roles)} role(s) read: roles are assigned to users, not to machine-to-machine clients, "
            "so they grant no application anything (a client's access is its client grants)",
        )
    for doc, keys, org in items.get("organizations", ()):
        for j, cg in enumerate(org.get("client_grants") or ()):
            named = cg.get("client_id") if isinstance(cg, dict) else None
            if isinstance(named, str) and named not in clients:
                part.references.append(
                    Reference(
                        "client", named, Origin(doc, (*keys, "client_grants", j)), f"organization {org.get('name')!r}"
                    )
                )
    first = next((Origin(d, k) for section in items.values() for d, k, _ in section[:1]), None)
    if first is not None:
        part.environments.append(Environment(env, (), (), first))
    part.counts += [
        ("auth0", tenant.path, section, n)
        for section, n in (
            ("APIs", len(apis)),
            ("clients", len(clients)),
            ("client grants", len(items.get("clientGrants", ()))),
            ("machine-to-machine applications", len(part.applications)),
            ("roles", len(roles)),
            ("organizations", len(items.get("organizations", ()))),
        )
    ]
    return part
