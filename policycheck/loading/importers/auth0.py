"""Auth0 Deploy CLI tenant configuration -> the native model (mapping table: docs/importers.md).

A tenant (one environment) is a `tenant.yaml` / `tenant.json` file, or a directory in
the Deploy CLI's directory format: one JSON object a file under `clients/`,
`resource-servers/`, `grants/`, `roles/` (the tenant is the folder above them). An API
(resource server) defines permissions `<API name>/<scope>`; a client grant gives the
client it names (by name, as the Deploy CLI writes it) approved grants of its scopes
(`allow_all_scopes`: all of the API's). Roles belong to users, never to a
machine-to-machine client: they are counted and said, not granted. Whether the API's
tokens carry a `permissions` claim follows its RBAC settings (`TokenShape`).
`##KEY##` and `@@KEY@@` placeholders stay as written, unless Deploy CLI configuration files
beside the tenant (`config.<env>.json` with `AUTH0_KEYWORD_REPLACE_MAPPINGS`) map them: then
the tenant is read once per file, as that file's environment.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ...model import Application, Environment, Grant, Origin, Reference, Status, TokenShape
from ..export import ExportPart
from ..source import Document
from ..survey import Note
from .detection import FOLDERS as FOLDERS
from .detection import VALUES as VALUES
from .detection import is_tenant as is_tenant
from .detection import section_of as section_of
from .identity import Identity
from .kong import file_name

Keys = tuple[str | int, ...]
RBAC_DIALECTS = ("access_token_authz", "rfc9068_profile_authz")


@dataclass
class Tenant:
    path: str
    """The tenant file, or the directory-format folder."""
    items: dict[str, list[tuple[Document, Keys, dict[str, Any]]]] = field(default_factory=dict)
    values: list[Document] = field(default_factory=list)
    """Deploy CLI configuration files beside it: the tenant is read once per file, as its environment."""


def _folder(path: str) -> str:
    return os.path.dirname(path) or "."


def tenants_of(docs: Iterable[Document]) -> Iterator[Tenant]:
    folders: dict[str, Tenant] = {}
    files: list[Tenant] = []
    values: list[Document] = []
    for doc in docs:
        if is_tenant(doc.data):
            tenant = Tenant(doc.path)
            for name in dict.fromkeys(FOLDERS.values()):
                for i, item in enumerate(doc.data.get(name) or ()):
                    tenant.items.setdefault(name, []).append((doc, (name, i), item))
            files.append(tenant)
            continue
        section = section_of(doc.data, doc.path)
        if section == "values":
            values.append(doc)
            continue
        if section is None:
            continue
        root = os.path.dirname(doc.path) if section == "tenant" else os.path.dirname(os.path.dirname(doc.path))
        root = root or "."
        tenant = folders.setdefault(root, Tenant(root))
        tenant.items.setdefault(section, []).append((doc, (), doc.data))
    tenants = [*files, *folders.values()]
    for doc in values:  # a configuration file belongs to the tenant file or folder in its own folder
        for tenant in tenants:
            if _folder(doc.path) == (_folder(tenant.path) if tenant.path in (t.path for t in files) else tenant.path):
                tenant.values.append(doc)
    yield from tenants


def _substitute(value: Any, mappings: dict[str, Any]) -> Any:
    """`##KEY##` replaced inside strings by the mapping's value, a string that is `@@KEY@@` by the value itself
    (a list, for scopes), `@@KEY@@` inside a string by its JSON; keys the mapping lacks stay as written."""
    if isinstance(value, str):
        if "@@" in value:
            whole = re.fullmatch(r"@@([^@\s]+)@@", value)
            if whole and whole.group(1) in mappings:
                return mappings[whole.group(1)]
            value = re.sub(r"@@([^@\s]+)@@", lambda m: json.dumps(mappings[m[1]]) if m[1] in mappings else m[0], value)
        if "##" in value:
            value = re.sub(r"##([^#\s]+)##", lambda m: str(mappings[m[1]]) if m[1] in mappings else m[0], value)
        return value
    if isinstance(value, dict):
        return {k: _substitute(v, mappings) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, mappings) for v in value]
    return value


def read_tenants(tenant: Tenant, identity: Identity) -> list[ExportPart]:
    """The tenant once, or once per configuration file beside it (its environment, placeholders resolved)."""
    if not tenant.values:
        return [read_tenant(tenant, identity)]
    parts = []
    for values in tenant.values:
        mappings = values.data[VALUES]
        resolved = Tenant(
            tenant.path,
            {k: [(d, keys, _substitute(item, mappings)) for d, keys, item in v] for k, v in tenant.items.items()},
        )
        parts.append(read_tenant(resolved, identity, values))
    return parts


def _env_name(tenant: Tenant, values: Document | None = None) -> tuple[str, str]:
    """(name, a path inside the tenant) for the identity configuration."""
    if values is not None:  # config.prod.json, config-prod.json: prod; prod.json: prod
        stem = os.path.basename(values.path).rsplit(".", 1)[0]
        name = re.sub(r"^config[-_.]", "", stem) if stem != "config" else file_name(values.path, ("config",))
        return name, values.path
    if tenant.path.endswith((".yaml", ".yml", ".json")):
        return file_name(tenant.path, ("tenant",)), tenant.path
    return os.path.basename(os.path.abspath(tenant.path)), tenant.path.rstrip("/") + "/tenant"


def read_tenant(tenant: Tenant, identity: Identity, config: Document | None = None) -> ExportPart:
    name, inside = _env_name(tenant, config)
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
    shown = tenant.path if config is None else f"{tenant.path} with {config.path}"
    part.counts += [
        ("auth0", shown, section, n)
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


def read_documents(docs: list[Document], identity: Identity) -> list[ExportPart]:
    """Every tenant the files of `docs` make up, as export parts."""
    return [part for tenant in tenants_of(docs) for part in read_tenants(tenant, identity)]
