"""Microsoft Entra ID (Graph JSON) -> the native model, one file per environment (tenant).

The file holds what Microsoft Graph returns, gathered in one object:
`applications` (application objects: `requiredResourceAccess`, `appRoles`,
`api.oauth2PermissionScopes`) and `servicePrincipals` (each with its
`appRoleAssignments` and `oauth2PermissionGrants`, or those two as top-level lists),
plus an optional `environment` (else the tenant or the configuration names it).

Permissions are `<resource app name>/<value>` of app roles and delegated scopes.
Requested in `requiredResourceAccess` and granted (an app role assignment, or a
permission grant whose scope lists it) is an approved grant; requested but not
granted (no admin consent) is a pending grant; granted but not requested is an
approved grant too (drift the parity and least-privilege rules can see).
"""

from __future__ import annotations

from typing import Any

from ...model import Application, Environment, Grant, Origin, Status
from ..export import ExportPart
from ..source import Document
from .identity import Identity


def read_entra(doc: Document, identity: Identity) -> ExportPart:
    data = doc.data
    env = str(data.get("environment") or identity.environment(str(data.get("tenant") or "entra"), doc.path))
    apps = [a for a in data.get("applications") or () if isinstance(a, dict)]
    sps = [s for s in data.get("servicePrincipals") or () if isinstance(s, dict)]
    by_app_id = {a.get("appId"): a for a in apps} | {
        s.get("appId"): s for s in sps if s.get("appId") not in {a.get("appId") for a in apps}
    }
    sp_by_id = {s.get("id"): s for s in sps}
    sp_by_app = {s.get("appId"): s for s in sps}
    assignments = list(data.get("appRoleAssignments") or ()) + [
        a for s in sps for a in s.get("appRoleAssignments") or ()
    ]
    grants_delegated = list(data.get("oauth2PermissionGrants") or ()) + [
        g for s in sps for g in s.get("oauth2PermissionGrants") or ()
    ]

    def resource_name(obj: dict[str, Any]) -> str:
        return str(obj.get("displayName") or obj.get("appId") or "?")

    def permission(resource: dict[str, Any], perm_id: str, kind: str) -> str | None:
        pool = resource.get("appRoles") or [] if kind == "Role" else _scopes(resource)
        found = next((p for p in pool if p.get("id") == perm_id and p.get("value")), None)
        return f"{resource_name(resource)}/{found['value']}" if found else None

    part = ExportPart()
    part.environments.append(Environment(env, (), (), Origin(doc, ())))
    for i, app in enumerate(apps):
        requested = app.get("requiredResourceAccess") or []
        sp = sp_by_app.get(app.get("appId"), {})
        granted_roles = {
            (a.get("resourceId"), a.get("appRoleId")) for a in assignments if a.get("principalId") == sp.get("id")
        }
        granted_scopes = {
            (g.get("resourceId"), s)
            for g in grants_delegated
            if g.get("clientId") == sp.get("id")
            for s in str(g.get("scope") or "").split()
        }
        if not (requested or granted_roles or granted_scopes):
            continue  # an API that only exposes permissions, or an app that holds none
        grants = []
        for j, rra in enumerate(requested):
            resource = by_app_id.get(rra.get("resourceAppId"))
            resource_sp = sp_by_app.get(rra.get("resourceAppId"), {})
            for k, access in enumerate(rra.get("resourceAccess") or ()):
                where = Origin(doc, ("applications", i, "requiredResourceAccess", j, "resourceAccess", k))
                name = permission(resource, access.get("id"), access.get("type")) if resource else None
                if name is None:
                    continue
                value = name.split("/", 1)[1]
                done = (
                    (resource_sp.get("id"), access.get("id")) in granted_roles
                    if access.get("type") == "Role"
                    else (resource_sp.get("id"), value) in granted_scopes
                )
                grants.append(
                    Grant(name, None, Status.APPROVED if done else Status.PENDING, (env,), where, per_environment=True)
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
            if name and all(g.permission != name for g in grants):
                grants.append(
                    Grant(name, None, Status.APPROVED, (env,), Origin(doc, ("applications", i)), per_environment=True)
                )
        for resource_id, value in sorted(granted_scopes, key=str):  # consented delegated scopes, not requested
            resource = sp_by_id.get(resource_id)
            if resource is None:
                continue
            resource = by_app_id.get(resource.get("appId"), resource)
            scope_id = next((p.get("id") for p in _scopes(resource) if p.get("value") == value), None)
            name = permission(resource, scope_id, "Scope") if scope_id is not None else None
            if name and all(g.permission != name for g in grants):
                grants.append(
                    Grant(name, None, Status.APPROVED, (env,), Origin(doc, ("applications", i)), per_environment=True)
                )
        display = str(app.get("displayName") or app.get("appId"))
        part.applications.append(
            Application(
                identity.application(display),
                display,
                {env: str(app.get("appId"))},
                {},
                tuple(grants),
                Origin(doc, ("applications", i)),
            )
        )
    return part


def _scopes(resource: dict[str, Any]) -> list[dict[str, Any]]:
    """The delegated scopes a resource exposes (Graph format, or the older AAD Graph manifest)."""
    found: list[dict[str, Any]] = (
        (resource.get("api") or {}).get("oauth2PermissionScopes")
        or resource.get("oauth2PermissionScopes")
        or resource.get("oauth2Permissions")
        or []
    )
    return found
