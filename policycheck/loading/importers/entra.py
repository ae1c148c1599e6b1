"""Microsoft Entra ID (Graph JSON) -> the native model, one tenant per environment.

A tenant is read from one of:

- a set file: what Microsoft Graph returns, gathered in one object: `applications`
  (application objects: `requiredResourceAccess`, `appRoles`, `api.oauth2PermissionScopes`)
  and `servicePrincipals` (each with its `appRoleAssignments` and
  `oauth2PermissionGrants`, or those two as top-level lists), plus an optional
  `environment` (else the tenant or the configuration names it);
- Graph objects one per file, as users have them: an application object (the admin
  centre's Manifest, `az ad app show`, `GET /applications/{id}`), a service principal,
  an app role assignment or a permission grant, a JSON list of them (`az ad app list`)
  or a Graph collection (`{"value": [...]}`). Such files are one tenant per EntraExporter
  tree (`Applications/<id>/<id>.json`, `ServicePrincipals/<id>/<id>.json`,
  `ServicePrincipals/<id>/AppRoleAssignments/<id>/<id>.json`, ...: the folder above
  `Applications` and `ServicePrincipals`), else per folder.

Permissions are `<resource app name>/<value>` of app roles and delegated scopes.
Requested in `requiredResourceAccess` and granted (an app role assignment, or a
permission grant whose scope lists it) is an approved grant; requested but not
granted (no admin consent) is a pending grant; granted but not requested is an
approved grant too (drift the parity and least-privilege rules can see).

What the input cannot show is said, not guessed: a requested permission id that no
resource in the input defines is a note naming the id; without the service principal
of the application (or of the resource), consent is unknown: a note, and neither a
grant nor a pending grant.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ...model import Application, Environment, Grant, Origin, PermissionSet, Status
from ..export import ExportPart
from ..source import Document
from ..survey import Note
from .detection import is_set as is_set
from .detection import objects_of as objects_of
from .identity import Identity

Keys = tuple[str | int, ...]
Item = tuple[Document, Keys, dict[str, Any]]

WELL_KNOWN = {"00000003-0000-0000-c000-000000000000": "Microsoft Graph"}
TREE_FOLDERS = {"applications", "serviceprincipals", "oauth2permissiongrants"}
"""EntraExporter's top folders: the tenant is the folder above them."""
_CHILDREN = {"approleassignments": "assignment", "oauth2permissiongrants": "grant"}


@dataclass
class Tenant:
    """One tenant's objects, from one set file or from many object files."""

    name: str
    path: str
    """Where it was read (a file, or the tree's folder): the folder map of the configuration applies."""
    origin: Origin
    environment: str | None = None
    applications: list[Item] = field(default_factory=list)
    service_principals: list[Item] = field(default_factory=list)
    assignments: list[Item] = field(default_factory=list)
    grants: list[Item] = field(default_factory=list)
    files: int = 0


def tenants_of(docs: Iterable[Document]) -> list[Tenant]:
    tenants: list[Tenant] = []
    trees: dict[str, Tenant] = {}
    for doc in docs:
        data = doc.data
        if is_set(data):
            tenant = Tenant(str(data.get("tenant") or "entra"), doc.path, Origin(doc, ()), data.get("environment"))
            tenant.files = 1
            for i, a in enumerate(data.get("applications") or ()):
                tenant.applications.append((doc, ("applications", i), a))
            for i, s in enumerate(data.get("servicePrincipals") or ()):
                tenant.service_principals.append((doc, ("servicePrincipals", i), s))
                for j, a in enumerate(s.get("appRoleAssignments") or ()):
                    tenant.assignments.append((doc, ("servicePrincipals", i, "appRoleAssignments", j), a))
                for j, g in enumerate(s.get("oauth2PermissionGrants") or ()):
                    tenant.grants.append((doc, ("servicePrincipals", i, "oauth2PermissionGrants", j), g))
            for j, a in enumerate(data.get("appRoleAssignments") or ()):
                tenant.assignments.append((doc, ("appRoleAssignments", j), a))
            for j, g in enumerate(data.get("oauth2PermissionGrants") or ()):
                tenant.grants.append((doc, ("oauth2PermissionGrants", j), g))
            tenants.append(tenant)
            continue
        root = tree_root(doc.path)
        if root not in trees:
            name = os.path.basename(root.rstrip("/")) or "entra"
            trees[root] = Tenant(name, f"{root}/" if root else "./", Origin(doc, ()))
            tenants.append(trees[root])
        tenant = trees[root]
        tenant.files += 1
        for keys, obj, kind in objects_of(data) or ():
            {
                "application": tenant.applications,
                "servicePrincipal": tenant.service_principals,
                "assignment": tenant.assignments,
                "grant": tenant.grants,
            }[kind].append((doc, keys, obj))
    return tenants


def tree_root(path: str) -> str:
    """The tenant folder of an object file: above EntraExporter's top folders, else the file's own folder."""
    parts = path.split("/")[:-1]
    for i, part in enumerate(parts):
        if part.lower() in TREE_FOLDERS and i + 1 < len(parts):
            return "/".join(parts[:i])
    return "/".join(parts)


def read_tenant(tenant: Tenant, identity: Identity) -> ExportPart:
    env = str(tenant.environment or identity.environment(tenant.name, tenant.path))
    apps = [(d, k, a) for d, k, a in tenant.applications if isinstance(a, dict)]
    sps = [s for _, _, s in tenant.service_principals if isinstance(s, dict)]
    app_ids = {a.get("appId") for _, _, a in apps}
    by_app_id = {a.get("appId"): a for _, _, a in apps} | {
        s.get("appId"): s for s in sps if s.get("appId") not in app_ids
    }
    sp_by_id = {s.get("id"): s for s in sps}
    sp_by_app = {s.get("appId"): s for s in sps}
    # EntraExporter writes an assignment twice: under its principal (AppRoleAssignments) and its resource
    # (AppRoleAssignedTo); a grant under its client and its resource: one each, by id
    assignments = _unique(a for _, _, a in tenant.assignments if isinstance(a, dict))
    delegated = _unique(g for _, _, g in tenant.grants if isinstance(g, dict))
    part = ExportPart()
    part.counts += [
        ("entra", tenant.path, "applications", len(apps)),
        ("entra", tenant.path, "service principals", len(sps)),
        ("entra", tenant.path, "app role assignments", len(assignments)),
        ("entra", tenant.path, "permission grants", len(delegated)),
    ]

    def resource_name(obj: dict[str, Any]) -> str:
        return str(obj.get("displayName") or obj.get("appId") or "?")

    def permission(resource: dict[str, Any], perm_id: Any, kind: Any) -> str | None:
        pool = resource.get("appRoles") or [] if kind == "Role" else _scopes(resource)
        found = next((p for p in pool if p.get("id") == perm_id and p.get("value")), None)
        return f"{resource_name(resource)}/{found['value']}" if found else None

    resources = [(d, k, a) for d, k, a in apps] + [
        (d, k, s) for d, k, s in tenant.service_principals if isinstance(s, dict) and s.get("appId") not in app_ids
    ]
    defined = _definitions(resources, resource_name, env)
    part.permission_sets.extend(defined.values())
    part.environments.append(Environment(env, (), tuple(defined), tenant.origin))

    def grant(name: str, status: Status, where: Origin) -> Grant:
        """A grant of the tenant's own definition of the app role or scope (its set, named as the permission)."""
        found = defined.get(name)
        label = found.label.removeprefix("disabled ") if found is not None else "app role"
        return Grant(None, name, status, (env,), where, per_environment=True, label=label)

    for doc, keys, app in apps:
        requested = app.get("requiredResourceAccess") or []
        display = str(app.get("displayName") or app.get("appId"))
        where_app = Origin(doc, keys)

        def note(message: str, origin: Origin) -> None:
            line, column = origin.document.locate(origin.keys)
            part.notes.append(Note(origin.document.path, message, line, column))

        sp = sp_by_app.get(app.get("appId"))
        if sp is None:
            if requested:
                n = sum(len(r.get("resourceAccess") or ()) for r in requested)
                note(
                    f"consent of {display} in {env} is unknown: the input has no service principal of it "
                    f"(appId {app.get('appId')}), so its {n} requested permission{'s' if n != 1 else ''} are "
                    "neither granted nor pending; it is not checked (export its service principal with its "
                    "appRoleAssignments and oauth2PermissionGrants)",
                    where_app,
                )
            continue
        granted_roles = {
            (a.get("resourceId"), a.get("appRoleId")) for a in assignments if a.get("principalId") == sp.get("id")
        }
        granted_scopes = {
            (g.get("resourceId"), s)
            for g in delegated
            if g.get("clientId") == sp.get("id")
            for s in str(g.get("scope") or "").split()
        }
        if not (requested or granted_roles or granted_scopes):
            continue  # an API that only exposes permissions, or an app that holds none
        grants = []
        for j, rra in enumerate(requested):
            resource_app = rra.get("resourceAppId")
            resource = by_app_id.get(resource_app)
            resource_sp = sp_by_app.get(resource_app)
            unresolved: list[str] = []
            for k, access in enumerate(rra.get("resourceAccess") or ()):
                where = Origin(doc, (*keys, "requiredResourceAccess", j, "resourceAccess", k))
                name = permission(resource, access.get("id"), access.get("type")) if resource else None
                if name is None:
                    unresolved.append(str(access.get("id")))
                    continue
                if resource_sp is None:
                    note(
                        f"consent of {display} to {name} in {env} is unknown: the input has no service principal "
                        f"of {resource_name(resource or {})}; it is neither granted nor pending",
                        where,
                    )
                    continue
                value = name.split("/", 1)[1]
                done = (
                    (resource_sp.get("id"), access.get("id")) in granted_roles
                    if access.get("type") == "Role"
                    else (resource_sp.get("id"), value) in granted_scopes
                )
                grants.append(grant(name, Status.APPROVED if done else Status.PENDING, where))
            if unresolved:
                of = WELL_KNOWN.get(str(resource_app), resource_name(resource) if resource else None)
                what = f"{of} ({resource_app})" if of else f"resource app {resource_app}"
                why = (
                    "which it does not define"
                    if resource
                    else "which no application or service principal in the input defines"
                )
                note(
                    f"{display} requests {len(unresolved)} permission{'s' if len(unresolved) != 1 else ''} of {what}, "
                    f"{why}: id{'s' if len(unresolved) != 1 else ''} {', '.join(unresolved)} not checked"
                    + ("" if resource else " (add the resource's service principal to the input)"),
                    Origin(doc, (*keys, "requiredResourceAccess", j)),
                )
        for a in assignments:  # granted without being requested any more
            if a.get("principalId") != sp.get("id"):
                continue
            resource = sp_by_id.get(a.get("resourceId"))
            name = (
                permission(by_app_id.get(resource.get("appId"), resource), a.get("appRoleId"), "Role")
                if resource
                else None
            )
            if name is None:
                held = a.get("resourceDisplayName") or a.get("resourceId")
                note(
                    f"{display} holds app role {a.get('appRoleId')} of {held}, which nothing in the input "
                    "resolves: not checked",
                    where_app,
                )
                continue
            if all(g.permission_set != name for g in grants):
                grants.append(grant(name, Status.APPROVED, where_app))
        for resource_id, value in sorted(granted_scopes, key=str):  # consented delegated scopes, not requested
            resource = sp_by_id.get(resource_id)
            if resource is None:
                continue
            resource = by_app_id.get(resource.get("appId"), resource)
            scope_id = next((p.get("id") for p in _scopes(resource) if p.get("value") == value), None)
            name = permission(resource, scope_id, "Scope") if scope_id is not None else None
            if name and all(g.permission_set != name for g in grants):
                grants.append(grant(name, Status.APPROVED, where_app))
        part.applications.append(
            Application(
                identity.application(display), display, {env: str(app.get("appId"))}, {}, tuple(grants), where_app
            )
        )
    return part


def _definitions(resources: list[Item], resource_name: Any, env: str) -> dict[str, PermissionSet]:
    """The tenant's own definition of every app role and delegated scope its resources expose.

    Each is a set named as its permission (`<resource>/<value>`) that delivers it, or
    nothing when it is disabled there (`isEnabled: false`: no token carries it): two
    tenants that grant the same role, one of them disabled, differ in the definition,
    not in the grant. A value that two of a tenant's resources define is one set (the
    enabled one).
    """
    out: dict[str, PermissionSet] = {}
    for doc, keys, resource in resources:
        api: dict[str, Any] = resource["api"] if isinstance(resource.get("api"), dict) else {}
        pools: list[tuple[tuple[str | int, ...], Any, str]] = [(("appRoles",), resource.get("appRoles"), "app role")]
        pools += [
            (("api", "oauth2PermissionScopes"), api.get("oauth2PermissionScopes"), "delegated permission"),
            (("oauth2PermissionScopes",), resource.get("oauth2PermissionScopes"), "delegated permission"),
            (("oauth2Permissions",), resource.get("oauth2Permissions"), "delegated permission"),
        ]
        for where, pool, label in pools:
            for i, p in enumerate(pool or ()):
                if not (isinstance(p, dict) and p.get("value")):
                    continue  # a role without a value is in no token (and is no permission to name)
                name = f"{resource_name(resource)}/{p['value']}"
                enabled = p.get("isEnabled") is not False
                first = out.get(name)
                if first is not None and (first.permissions or not enabled):
                    continue
                out[name] = PermissionSet(
                    name,
                    (name,) if enabled else (),
                    (),
                    Origin(doc, (*keys, *where, i)),
                    env,
                    label if enabled else f"disabled {label}",
                )
    return out


def _unique(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = item.get("id")
        if isinstance(key, str) and key in seen:
            continue
        if isinstance(key, str):
            seen.add(key)
        out.append(item)
    return out


def _scopes(resource: dict[str, Any]) -> list[dict[str, Any]]:
    """The delegated scopes a resource exposes (Graph format, or the older AAD Graph manifest)."""
    found: list[dict[str, Any]] = (
        (resource.get("api") or {}).get("oauth2PermissionScopes")
        or resource.get("oauth2PermissionScopes")
        or resource.get("oauth2Permissions")
        or []
    )
    return found


def read_documents(docs: list[Document], identity: Identity) -> list[ExportPart]:
    """Every tenant the files of `docs` make up, as export parts."""
    return [read_tenant(tenant, identity) for tenant in tenants_of(docs)]
