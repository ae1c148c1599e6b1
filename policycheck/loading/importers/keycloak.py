"""Keycloak realm exports -> the native model (mapping table: docs/importers.md).

A realm is an environment. Realm roles keep their name; client roles are
qualified by their client (`gl-api/gl:journal:write`). Every role is also a
permission set (itself plus its composites), every group a set (its roles plus its
parent group), both qualified by the environment, since two realms may define the
same role differently. A client with a service account is an application; its
service-account user's roles and groups are its grants (the realm's default roles
when the export has no such user: Keycloak creates it with them). Without full
scope allowed, only the client's own roles and its scope mappings reach a token
(`delivery`); without the `roles` client scope, no role does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ...model import Application, Environment, Grant, Origin, PermissionSet, Reference, Status
from ..export import ExportPart
from ..source import Document
from .detection import realm_import as realm_import
from .identity import Identity

BUILT_IN = ("offline_access", "uma_authorization", "default-roles-", "account/", "realm-management/", "broker/")


@dataclass
class Realm:
    """One realm: where it was read, and the users that other files add to it."""

    doc: Document
    keys: tuple[str | int, ...]
    data: dict[str, Any]
    users: list[tuple[Document, tuple[str | int, ...], dict[str, Any]]] = field(default_factory=list)


def realms_of(doc: Document) -> Iterator[Realm]:
    data = doc.data
    imported = realm_import(data)
    if imported is not None:
        yield Realm(doc, ("spec", "realm"), imported)
    elif isinstance(data, list):
        for i, realm in enumerate(data):
            yield Realm(doc, (i,), realm)
    else:
        yield Realm(doc, (), data)


def merge_users(realms: list[Realm]) -> list[Realm]:
    """`<realm>-users-<n>.json` files (a realm name and users only) join their realm from the same folder."""
    full = [r for r in realms if any(k in r.data for k in ("roles", "clients", "groups"))]
    for r in realms:
        r.users.extend((r.doc, (*r.keys, "users", i), u) for i, u in enumerate(r.data.get("users") or ()))
    for r in realms:
        if r in full:
            continue
        folder = r.doc.path.rsplit("/", 1)[0] if "/" in r.doc.path else ""
        target = next(
            (
                f
                for f in full
                if f.data["realm"] == r.data["realm"]
                and (f.doc.path.rsplit("/", 1)[0] if "/" in f.doc.path else "") == folder
            ),
            None,
        )
        if target is not None:
            target.users.extend(r.users)
    return full


def _true(value: Any, default: bool) -> bool:
    """Hand-written files write booleans as strings ("false")."""
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return default if value is None else bool(value)


def read_realm(realm: Realm, identity: Identity) -> ExportPart:
    data = realm.data
    env = identity.environment(data["realm"], realm.doc.path)
    part = ExportPart()

    def origin(*keys: str | int) -> Origin:
        return Origin(realm.doc, (*realm.keys, *keys))

    def set_name(role: str) -> str:
        return role  # the realm's own definition: PermissionSet.environment says whose

    roles: dict[str, tuple[Origin, list[str]]] = {}  # qualified role -> (origin, qualified composites)
    realm_roles = (data.get("roles") or {}).get("realm") or []
    for i, r in enumerate(realm_roles):
        roles[r["name"]] = (origin("roles", "realm", i), list(_composites(r)))
    for client_id, client_roles in ((data.get("roles") or {}).get("client") or {}).items():
        for i, r in enumerate(client_roles or ()):
            roles[f"{client_id}/{r['name']}"] = (origin("roles", "client", client_id, i), list(_composites(r)))
    defined, composite = len(roles), sum(1 for _, composites in roles.values() if composites)

    def role_set(role: str, where: Origin, what: str) -> str:
        """The set of a referenced role; an undefined one is reported (a built-in only as a note)."""
        if role not in roles:
            kind = "built-in role" if role.startswith(BUILT_IN) else "role"
            part.references.append(Reference(kind, role, where, what))
            if kind == "built-in role":  # the realm has it, the export leaves it out: a plain permission
                roles[role] = (where, [])
                part.permission_sets.append(PermissionSet(set_name(role), (role,), (), where, env, "role"))
        return set_name(role)

    # The realm's default role (Keycloak 13 and later) is named after the realm (default-roles-dev,
    # default-roles-stable): it delivers what it includes, not its own name, which no two realms share.
    default_role = data["defaultRole"].get("name") if isinstance(data.get("defaultRole"), dict) else None
    default_role = default_role or f"default-roles-{str(data['realm']).lower()}"
    for role, (where, composites) in list(roles.items()):
        includes = tuple(dict.fromkeys(role_set(c, where, f"composite role {role!r}") for c in composites))
        label = "composite role" if includes else "role"
        own = () if role == default_role and role.startswith("default-roles-") else (role,)
        part.permission_sets.append(PermissionSet(set_name(role), own, includes, where, env, label))

    groups: dict[str, str] = {}  # path -> set name

    def walk_groups(items: Iterable[dict[str, Any]], parent: str | None, keys: tuple[str | int, ...]) -> None:
        for i, g in enumerate(items):
            here = (*keys, i)
            path = g.get("path") or f"{parent or ''}/{g.get('name', '?')}"
            where = origin(*here)
            members = [role_set(r, where, f"group {path!r}") for r in _role_refs(g)]
            if parent is not None:
                members.append(groups[parent])
            groups[path] = path  # a group path starts with a slash: no role is named so
            part.permission_sets.append(
                PermissionSet(groups[path], (), tuple(dict.fromkeys(members)), where, env, "group")
            )
            walk_groups(g.get("subGroups") or (), path, (*here, "subGroups"))

    walk_groups(data.get("groups") or (), None, ("groups",))

    defaults = _default_roles(data)
    service_accounts: dict[Any, tuple[Document, tuple[str | int, ...], dict[str, Any]]] = {}
    for d, k, u in realm.users:  # the first user of a client is its service account, as Keycloak keeps one
        service_accounts.setdefault(u.get("serviceAccountClientId"), (d, k, u))
    own_roles: dict[str, list[str]] = {}
    for role in roles:
        if "/" in role:
            own_roles.setdefault(role.split("/", 1)[0], []).append(role)
    mappings = _mapping_index(data)
    envs = (env,)
    for i, client in enumerate(data.get("clients") or ()):
        if not _true(client.get("serviceAccountsEnabled"), False):
            continue
        client_id = client["clientId"]
        where = origin("clients", i)
        user = service_accounts.get(client_id)
        grants: list[Grant] = []
        # Keycloak gives the default roles to a user when it creates it (as it creates a service-account
        # user missing from an imported file); an exported user lists them itself, unless they were removed.
        role_names = list(defaults) if user is None else []
        group_paths: list[str] = []
        if user is not None:
            role_names += list(_role_refs(user[2]))
            group_paths = ["/" + str(p).strip("/") for p in user[2].get("groups") or ()]  # "a/b" is "/a/b"
        grant_origin = Origin(user[0], user[1]) if user is not None else where
        what = f"service account of {client_id!r}"
        for role in dict.fromkeys(role_names):
            grants.append(Grant(None, role_set(role, grant_origin, what), Status.APPROVED, envs, grant_origin, True))
        for path in group_paths:
            if path not in groups:
                part.references.append(Reference("group", path, grant_origin, what))
                continue
            grants.append(Grant(None, groups[path], Status.APPROVED, envs, grant_origin, True))
        app_id = identity.application(client_id)
        delivery = _delivery(data, client, client_id, roles, own_roles, mappings)
        part.applications.append(
            Application(
                app_id,
                client.get("name") or client_id,
                {env: client_id},
                {},
                tuple(grants),
                where,
                {} if delivery is None else {env: tuple(delivery)},
                {env: where},
            )
        )
    part.environments.append(Environment(env, (), tuple(s.name for s in part.permission_sets), origin()))
    client_mappings = [e or () for e in (data.get("clientScopeMappings") or {}).values()]
    part.counts += [
        ("keycloak", realm.doc.path, section, n)
        for section, n in (
            ("realms", 1),
            ("clients", len(data.get("clients") or ())),
            ("service accounts", len(part.applications)),
            ("users", len(realm.users)),  # with those of the realm's users files: a partial export has none
            ("roles", defined),
            ("composites", composite),
            ("groups", len(groups)),
            ("scope mappings", len(data.get("scopeMappings") or ()) + sum(map(len, client_mappings))),
        )
    ]
    return part


def _composites(role: dict[str, Any]) -> Iterator[str]:
    composites = role.get("composites") or {}
    yield from composites.get("realm") or ()
    for client_id, names in {**(composites.get("application") or {}), **(composites.get("client") or {})}.items():
        for name in names or ():
            yield f"{client_id}/{name}"


def _role_refs(holder: dict[str, Any]) -> Iterator[str]:
    yield from holder.get("realmRoles") or ()
    for client_id, names in (holder.get("clientRoles") or {}).items():
        for name in names or ():
            yield f"{client_id}/{name}"


def _default_roles(data: dict[str, Any]) -> list[str]:
    default = data.get("defaultRole")
    if isinstance(default, dict) and default.get("name"):
        return [default["name"]]
    return list(data.get("defaultRoles") or ())


def _mapping_index(data: dict[str, Any]) -> dict[tuple[str, str], list[str]]:
    """("client" | "clientScope", name) -> the roles scope-mapped to it, built once per realm."""
    index: dict[tuple[str, str], list[str]] = {}
    entries = [("", e) for e in data.get("scopeMappings") or ()]
    entries += [(f"{owner}/", e) for owner, es in (data.get("clientScopeMappings") or {}).items() for e in es or ()]
    for prefix, entry in entries:  # clientScopeMappings is keyed by the role's owner
        for kind in ("client", "clientScope"):
            if isinstance(entry.get(kind), str):
                index.setdefault((kind, entry[kind]), []).extend(f"{prefix}{r}" for r in entry.get("roles") or ())
    return index


def _delivery(
    data: dict[str, Any],
    client: dict[str, Any],
    client_id: str,
    roles: dict[str, tuple[Origin, list[str]]],
    own_roles: dict[str, list[str]],
    mappings: dict[tuple[str, str], list[str]],
) -> list[str] | None:
    """Roles that can reach this client's tokens; None: no filter (full scope and role claims)."""
    scopes = client.get("defaultClientScopes")
    if scopes is None:
        scopes = data.get("defaultDefaultClientScopes")
    if scopes is not None and "roles" not in scopes:
        return []  # no roles client scope: no realm_access / resource_access claims at all
    if _true(client.get("fullScopeAllowed"), True):
        return None
    mapped = list(own_roles.get(client_id, ()))  # the client's own roles always reach it
    for applies in [("client", client_id), *(("clientScope", s) for s in scopes or ())]:
        mapped += mappings.get(applies, ())
    expanded: dict[str, None] = {}
    todo = list(mapped)
    while todo:  # composites of a scope-mapped role are scope-mapped too; cycles end here
        role = todo.pop()
        if role in expanded:
            continue
        expanded[role] = None
        todo.extend(roles.get(role, (None, []))[1])
    return sorted(expanded)


def read_documents(docs: list[Document], identity: Identity) -> list[ExportPart]:
    """Every realm of `docs` (users files joined to their realms first), as export parts."""
    return [read_realm(realm, identity) for realm in merge_users([r for doc in docs for r in realms_of(doc)])]
