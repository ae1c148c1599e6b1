"""Benchmark: import a large Keycloak realm export (about 50 MB of JSON) and resolve it.

    python benchmarks/keycloak_realm.py [--mb 50] [--repeat 3]

Prints medians: parse with positions, import into the model, and resolution of the
effective and deliverable permissions of every service account; as the CLI runs them
(the cyclic garbage collector off, cli.main) and as a library caller with it on.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from policycheck.loading.inputs import load_model  # noqa: E402
from policycheck.loading.limits import Limits  # noqa: E402
from policycheck.resolve import Resolver  # noqa: E402


def realm(clients: int, seed: int = 1) -> dict[str, object]:
    rnd = random.Random(seed)
    api_roles = [{"name": f"api:{i}:{verb}", "composite": False} for i in range(200) for verb in ("read", "write")]
    composites = [
        {
            "name": f"bundle-{i}",
            "composite": True,
            "composites": {
                "client": {"api": [r["name"] for r in rnd.sample(api_roles, 6)]},
                "realm": [f"realm-{(i + 1) % 50}"],
            },
        }
        for i in range(100)
    ]
    realm_roles = [
        {"name": f"realm-{i}", "composite": True, "composites": {"realm": [f"realm-{(i + 1) % 50}"]}} for i in range(50)
    ]
    groups = [
        {
            "name": f"g{i}",
            "path": f"/g{i}",
            "clientRoles": {"api": [f"bundle-{i}"]},
            "subGroups": [{"name": "s", "path": f"/g{i}/s", "realmRoles": [f"realm-{i % 50}"]}],
        }
        for i in range(100)
    ]
    out_clients, users = [], []
    for c in range(clients):
        cid = f"svc-{c:06d}"
        out_clients.append(
            {
                "clientId": cid,
                "serviceAccountsEnabled": True,
                "fullScopeAllowed": c % 3 != 0,
                "secret": "**********",
                "defaultClientScopes": ["roles", "profile", "email"],
                "description": "x" * 200,
                "attributes": {f"attr{k}": "v" * 40 for k in range(10)},
                "protocolMappers": [
                    {"name": f"m{k}", "protocol": "openid-connect", "config": {"claim.name": f"c{k}"}} for k in range(6)
                ],
            }
        )
        users.append(
            {
                "username": f"service-account-{cid}",
                "serviceAccountClientId": cid,
                "realmRoles": [f"realm-{c % 50}"],
                "clientRoles": {"api": [r["name"] for r in rnd.sample(api_roles, 3)]},
                "groups": [f"/g{c % 100}/s"],
            }
        )
    return {
        "realm": "bench",
        "roles": {"realm": realm_roles, "client": {"api": api_roles + composites}},
        "groups": groups,
        "clients": out_clients,
        "users": users,
        "clientScopeMappings": {
            "api": [{"client": f"svc-{c:06d}", "roles": ["api:1:read"]} for c in range(0, clients, 3)]
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    out = ROOT / "benchmarks" / "out" / "keycloak"
    out.mkdir(parents=True, exist_ok=True)
    path = out / "bench-realm.json"
    clients = 1000
    size = len(json.dumps(realm(clients)))
    clients = max(1, int(clients * args.mb * 1e6 / size))
    path.write_text(json.dumps(realm(clients), indent=1))
    mb = os.path.getsize(path) / 1e6
    load_average = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average at start: {load_average:.2f} (above ~0.7, other processes compete for the cores)")
    print(f"Keycloak realm export: {mb:.1f} MB JSON, {clients} service-account clients, {args.repeat} runs")
    for collector in (False, True):
        loads, cpus, resolves = [], [], []
        for _ in range(args.repeat):
            if collector:
                gc.enable()
            else:
                gc.disable()  # as the CLI runs (cli.main): parsed trees and model values make no cycles
            try:
                t, cpu = time.perf_counter(), time.process_time()
                model = load_model([str(path)], Limits(max_file_bytes=max(Limits.max_file_bytes, path.stat().st_size)))
                loads.append(time.perf_counter() - t)
                cpus.append(time.process_time() - cpu)
                t = time.perf_counter()
                resolver = Resolver(model)
                for app in model.applications.values():
                    for env in app.clients:
                        resolver.deliverable(app.id, env)
                resolves.append(time.perf_counter() - t)
            finally:
                gc.enable()
            del model, resolver
        how = "library, collector on" if collector else "as the CLI runs, collector off"
        load = statistics.median(loads)
        print(f"  {how}:")
        cpu = statistics.median(cpus)
        print(
            f"    parse + import (load_model), median: {load:.2f} s ({mb / load:.1f} MB/s); "
            f"CPU {cpu:.2f} s ({mb / cpu:.1f} MB/s: less sensitive to a shared machine)"
        )
        print(
            f"    effective + deliverable permissions of every service account, median: "
            f"{statistics.median(resolves):.2f} s"
        )


if __name__ == "__main__":
    main()
