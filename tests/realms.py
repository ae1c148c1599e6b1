"""Two Keycloak realms of one project, dev and stable, shaped like `kc.sh export` writes them.

Written by hand (no real export is copied), with what a real pair has: Jackson's
`"key" : value` printer, ids, built-in and default roles named after each realm
(`default-roles-dev`, `default-roles-stable`), masked client secrets, regular users
with `"credentials" : [ ]`, and the composite client role `Connector User` that every
connector's service account holds. In stable, `Connector User` lacks four of its six
child roles: the direct assignments are the same in both realms; the definitions differ.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

CHILDREN = ["connector:read", "connector:write", "mapping:read", "mapping:write", "job:run", "job:status"]
CONNECTORS = ("sap-connector", "salesforce-connector")
PEOPLE = ("alice", "bob", "carol")


def _id(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(parts)))


def pretty(data: Any) -> str:
    """JSON as Keycloak's exporter writes it (Jackson's pretty printer: `"key" : value`, `[ ]`)."""
    return json.dumps(data, indent=2).replace('": ', '" : ').replace("[]", "[ ]")


def realm(name: str, children: list[str], connectors: tuple[str, ...] = CONNECTORS) -> dict[str, Any]:
    api = _id(name, "connector-api")
    client_roles: list[dict[str, Any]] = [
        {"id": _id(name, r), "name": r, "composite": False, "clientRole": True, "containerId": api, "attributes": {}}
        for r in CHILDREN
    ]
    client_roles.append(
        {
            "id": _id(name, "Connector User"),
            "name": "Connector User",
            "description": "Everything a connector's service account needs",
            "composite": True,
            "composites": {"client": {"connector-api": children}},
            "clientRole": True,
            "containerId": api,
            "attributes": {},
        }
    )
    clients: list[dict[str, Any]] = [
        {
            "id": api,
            "clientId": "connector-api",
            "name": "Connector API",
            "enabled": True,
            "bearerOnly": True,
            "publicClient": False,
            "serviceAccountsEnabled": False,
            "protocol": "openid-connect",
            "attributes": {},
        }
    ]
    users: list[dict[str, Any]] = []
    for c in connectors:
        clients.append(
            {
                "id": _id(name, c),
                "clientId": c,
                "name": c,
                "enabled": True,
                "clientAuthenticatorType": "client-secret",
                "secret": "**********",
                "bearerOnly": False,
                "standardFlowEnabled": False,
                "serviceAccountsEnabled": True,
                "publicClient": False,
                "fullScopeAllowed": True,
                "protocol": "openid-connect",
                "defaultClientScopes": ["web-origins", "acr", "roles", "profile", "basic", "email"],
                "optionalClientScopes": ["address", "phone", "offline_access", "microprofile-jwt"],
            }
        )
        users.append(
            {
                "id": _id(name, c, "user"),
                "username": f"service-account-{c}",
                "emailVerified": False,
                "enabled": True,
                "totp": False,
                "serviceAccountClientId": c,
                "credentials": [],
                "disableableCredentialTypes": [],
                "requiredActions": [],
                "realmRoles": [f"default-roles-{name}"],
                "clientRoles": {"connector-api": ["Connector User"]},
                "notBefore": 0,
                "groups": [],
            }
        )
    users += [
        {
            "id": _id(name, person),
            "username": person,
            "enabled": True,
            "totp": False,
            "emailVerified": True,
            "email": f"{person}@example.com",
            "credentials": [],
            "disableableCredentialTypes": [],
            "requiredActions": [],
            "realmRoles": [f"default-roles-{name}"],
            "notBefore": 0,
            "groups": [],
        }
        for person in PEOPLE
    ]
    return {
        "id": name,
        "realm": name,
        "enabled": True,
        "sslRequired": "external",
        "roles": {
            "realm": [
                {
                    "id": _id(name, "default-roles"),
                    "name": f"default-roles-{name}",
                    "description": "${role_default-roles}",
                    "composite": True,
                    "composites": {
                        "realm": ["offline_access", "uma_authorization"],
                        "client": {"account": ["view-profile", "manage-account"]},
                    },
                    "clientRole": False,
                    "containerId": name,
                },
                {"id": _id(name, "offline"), "name": "offline_access", "composite": False, "containerId": name},
                {"id": _id(name, "uma"), "name": "uma_authorization", "composite": False, "containerId": name},
            ],
            "client": {"connector-api": client_roles, **{c: [] for c in connectors}},
        },
        "groups": [],
        "defaultRole": {
            "id": _id(name, "default-roles"),
            "name": f"default-roles-{name}",
            "composite": True,
            "clientRole": False,
            "containerId": name,
        },
        "users": users,
        "clients": clients,
        "scopeMappings": [{"clientScope": "offline_access", "roles": ["offline_access"]}],
        "clientScopeMappings": {},
        "keycloakVersion": "25.0.6",
    }


POLICY = (
    """\
apiVersion: policycheck/v1
kind: Policy
permissions:
"""
    + "".join(f"  - name: connector-api/{r}\n" for r in CHILDREN)
    + """\
operations:
  - id: connector.sync
    request: POST /connector/sync
    requires:
      permissions: {all_of: [connector-api/connector:read, connector-api/connector:write]}
  - id: mapping.edit
    request: PUT /mappings/{id}
    requires:
      permissions: {all_of: [connector-api/mapping:read, connector-api/mapping:write]}
  - id: job.run
    request: POST /jobs
    requires:
      permissions: {all_of: [connector-api/job:run, connector-api/job:status]}
environments:
  - name: dev
    parity: [stable]
  - name: stable
bindings:
"""
    + "".join(
        f"  - application: {c}\n    environments: [dev, stable]\n"
        "    operations: [connector.sync, mapping.edit, job.run]\n"
        for c in CONNECTORS
    )
)


def write_pair(
    root: Path,
    stable_children: list[str] | None = None,
    dev: dict[str, Any] | None = None,
    stable: dict[str, Any] | None = None,
) -> Path:
    """root/dev/dev-realm.json and root/stable/stable-realm.json (stable's composite: two children by default)."""
    files = {
        "dev": dev if dev is not None else realm("dev", CHILDREN),
        "stable": stable if stable is not None else realm("stable", stable_children or CHILDREN[:2]),
    }
    for name, data in files.items():
        (root / name).mkdir(parents=True, exist_ok=True)
        (root / name / f"{name}-realm.json").write_text(pretty(data), encoding="utf-8")
    return root
