"""Inputs with one very deep chain: the memory-bounded resolution target of issue 9.

- `native`: a native export (GatewayExport) whose permission set "Chain 0000" includes
  "Chain 0001", which includes "Chain 0002", ... down to "Chain <depth-1>", each with one
  permission of its own, and a policy binding a few applications that hold the top set to
  an operation that needs the deepest set's permission (so every check walks the chain).
- `keycloak`: a Keycloak realm export (the shape of `kc.sh export`) whose client roles
  form a composite chain of the same depth, a service account holding the top role, and
  a policy needing the deepest role.

    python benchmarks/chains.py --kind native --depth 1000 --out benchmarks/out/chain-native
    python benchmarks/chains.py --kind keycloak --depth 1000 --out benchmarks/out/chain-keycloak

Prints one JSON line describing what it wrote.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

APPS = 10
REALM = "chain"
CLIENT = "chain-api"


def _set(i: int) -> str:
    return f"Chain {i:04d}"


def _permission(i: int) -> str:
    return f"Chain Permission {i:04d}"


def native(depth: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """(policy, export) with one `includes` chain `depth` sets deep."""
    sets = []
    for i in range(depth):
        entry: dict[str, Any] = {"name": _set(i), "permissions": [_permission(i)]}
        if i + 1 < depth:
            entry["includes"] = [_set(i + 1)]
        sets.append(entry)
    apps = [f"chain-app-{a:02d}" for a in range(APPS)]
    export = {
        "apiVersion": "policycheck/v1",
        "kind": "GatewayExport",
        "metadata": {"gateway": "benchmark", "exported_at": "2026-11-27"},
        "permission_sets": sets,
        "environments": [
            {"name": "base", "permission_sets": [_set(0)]},
            {"name": "test", "inherits": ["base"]},
            {"name": "prod", "inherits": ["base"]},
        ],
        "applications": [
            {
                "id": app,
                "name": f"Chain application {a}",
                "clients": {"test": f"TST~{app}", "prod": f"PRD~{app}"},
                "grants": [{"permission_set": _set(0), "status": "approved", "environments": ["test", "prod"]}],
            }
            for a, app in enumerate(apps)
        ],
    }
    policy = {
        "apiVersion": "policycheck/v1",
        "kind": "Policy",
        "metadata": {"name": "chain"},
        "permissions": [{"name": _permission(i)} for i in range(depth)],
        "operations": [
            {"id": "chain.deepest", "request": "GET /deepest", "requires": {"permissions": _permission(depth - 1)}},
            {"id": "chain.top", "request": "GET /top", "requires": {"permissions": _permission(0)}},
        ],
        "environments": [
            {"name": "base"},
            {"name": "test", "inherits": ["base"], "parity": ["prod"]},
            {"name": "prod", "inherits": ["base"]},
        ],
        "bindings": [
            {"application": app, "environments": ["test", "prod"], "operations": ["chain.deepest", "chain.top"]}
            for app in apps
        ],
    }
    return policy, export


def keycloak(depth: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """(policy, realm) with one client-role composite chain `depth` roles deep."""
    roles = []
    for i in range(depth):
        role: dict[str, Any] = {"name": f"r{i:04d}", "composite": i + 1 < depth}
        if i + 1 < depth:
            role["composites"] = {"client": {CLIENT: [f"r{i + 1:04d}"]}}
        roles.append(role)
    apps = [f"svc-{a:02d}" for a in range(APPS)]
    realm = {
        "realm": REALM,
        "keycloakVersion": "25.0.6",
        "roles": {"realm": [{"name": "offline_access", "composite": False}], "client": {CLIENT: roles}},
        "clients": [
            *(
                {
                    "clientId": app,
                    "serviceAccountsEnabled": True,
                    "publicClient": False,
                    "fullScopeAllowed": True,
                    "secret": "**********",
                    "defaultClientScopes": ["roles", "profile", "email"],
                }
                for app in apps
            ),
            {"clientId": CLIENT, "bearerOnly": True},
        ],
        "users": [
            {
                "username": f"service-account-{app}",
                "serviceAccountClientId": app,
                "clientRoles": {CLIENT: ["r0000"]},
            }
            for app in apps
        ],
    }
    policy = {
        "apiVersion": "policycheck/v1",
        "kind": "Policy",
        "metadata": {"name": "chain"},
        "permissions": [{"name": f"{CLIENT}/r{depth - 1:04d}"}, {"name": f"{CLIENT}/r0000"}],
        "operations": [
            {
                "id": "chain.deepest",
                "request": "GET /deepest",
                "requires": {"permissions": f"{CLIENT}/r{depth - 1:04d}"},
            },
            {"id": "chain.top", "request": "GET /top", "requires": {"permissions": f"{CLIENT}/r0000"}},
        ],
        "environments": [{"name": REALM}],
        "bindings": [
            {"application": app, "environments": [REALM], "operations": ["chain.deepest", "chain.top"]} for app in apps
        ],
    }
    return policy, realm


def write(out: str, kind: str, depth: int) -> dict[str, Any]:
    """Write policy.json and export.json (the realm, for keycloak) under `out`."""
    os.makedirs(out, exist_ok=True)
    policy, export = native(depth) if kind == "native" else keycloak(depth)
    files = {}
    for name, doc in (("policy", policy), ("export", export)):
        path = os.path.join(out, f"{name}.json")
        with open(path, "w") as f:
            json.dump(doc, f, indent=1)
        files[name] = {"path": path, "bytes": os.path.getsize(path)}
    return {"kind": kind, "depth": depth, "files": files}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kind", choices=("native", "keycloak"), required=True)
    ap.add_argument("--depth", type=int, default=1000)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    print(json.dumps(write(args.out, args.kind, args.depth)))


if __name__ == "__main__":
    main()
