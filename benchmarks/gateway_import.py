"""Benchmark: import a large Kong decK file and a large Auth0 tenant (JSON), match routes, analyse.

    python benchmarks/gateway_import.py [--mb 20] [--repeat 3]

Writes a synthetic decK configuration (services with routes and acl plugins, consumers
with ACL groups, consumer groups and placeholder credentials) and an Auth0 `tenant.json`
(APIs with scopes, machine-to-machine clients, client grants) of about `--mb` MB each,
with a policy that binds every consumer and client. Prints medians: parse + import
of the export (load_model, which also matches every policy operation to its route, less
the same load of the policy alone) in MB/s, and the
analysis of every bound call (Analysis: effective permissions, gates, failures).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from policycheck.analysis import Analysis  # noqa: E402
from policycheck.loading.inputs import load_model  # noqa: E402

SERVICES = 100
ROUTES = 5  # per service
OPS = 40  # policy operations (and bindings per application): a realistic share of the routes


def kong(consumers: int, seed: int = 1) -> dict[str, Any]:
    rnd = random.Random(seed)
    services = []
    for s in range(SERVICES):
        routes = [
            {
                "name": f"svc{s}-r{r}",
                "methods": ["GET"] if r % 2 == 0 else ["POST", "PUT"],
                "paths": [f"/api/s{s}/r{r}"],
                "strip_path": False,
                "tags": ["bench"],
                "plugins": [
                    {
                        "name": "acl",
                        "config": {
                            "allow": [f"g{s}-{r}", f"g{s}-all"],
                            "deny": ["blocked"],
                            "include_consumer_groups": r % 3 == 0,
                        },
                    }
                ],
            }
            for r in range(ROUTES)
        ]
        services.append(
            {
                "name": f"svc{s}",
                "host": f"svc{s}.internal",
                "port": 8080,
                "plugins": [{"name": "key-auth", "config": {"key_names": ["apikey"]}}],
                "routes": routes,
            }
        )
    out = []
    for c in range(consumers):
        groups = rnd.sample(range(SERVICES), 4)
        lacks = rnd.randrange(OPS)  # most bound calls pass, as in a real configuration; one in 40 fails
        out.append(
            {
                "username": f"consumer-{c:06d}",
                "custom_id": f"cust-{c:06d}",
                "tags": ["bench", "x" * 40],
                "acls": [{"group": f"g{s}-all"} for s in range(OPS) if s != lacks]
                + [{"group": f"g{s}-{rnd.randrange(ROUTES)}"} for s in groups],
                "groups": [{"name": f"g{groups[0]}-all"}],
                "keyauth_credentials": [{"key": '${{ env "DECK_KEY_' + str(c) + '" }}'}],
            }
        )
    return {
        "_format_version": "3.0",
        "services": services,
        "consumer_groups": [{"name": f"g{s}-all"} for s in range(SERVICES)],
        "consumers": out,
    }


def auth0(clients: int, seed: int = 1) -> dict[str, Any]:
    rnd = random.Random(seed)
    apis = [
        {
            "name": f"api{a}",
            "identifier": f"https://api{a}.##ENV##.example",
            "enforce_policies": a % 2 == 0,
            "token_dialect": "access_token_authz",
            "scopes": [{"value": f"s{k}", "description": "scope " * 4} for k in range(20)],
        }
        for a in range(SERVICES)
    ]
    out, grants = [], []
    for c in range(clients):
        name = f"client-{c:06d}"
        out.append(
            {
                "name": name,
                "app_type": "non_interactive",
                "grant_types": ["client_credentials"],
                "jwt_configuration": {"alg": "RS256", "lifetime_in_seconds": 36000},
                "description": "x" * 60,
            }
        )
        lacks = rnd.randrange(OPS)  # one bound call in 40 fails
        for a in range(OPS):
            grants.append(
                {
                    "client_id": name,
                    "audience": f"https://api{a}.##ENV##.example",
                    "scope": [f"s{k}" for k in {a % 20, *rnd.sample(range(20), 3)} if a != lacks or k != a % 20],
                }
            )
    return {"tenant": {"friendly_name": "bench"}, "clients": out, "resourceServers": apis, "clientGrants": grants}


def policy(apps: list[str], permissions: list[str] | None) -> str:
    lines = ["apiVersion: policycheck/v1", "kind: Policy", "operations:"]
    for i in range(OPS):
        s, r = i % SERVICES, i % ROUTES
        method = "GET" if r % 2 == 0 else "POST"
        lines += [f"  - id: op{i}", f"    request: {method} /api/s{s}/r{r}/{{id}}"]
        lines += [f"    requires: {{permissions: {json.dumps(permissions[i])}}}" if permissions else "    requires: {}"]
    lines += ["environments:", "  - name: prod", "bindings:"]
    ops = ", ".join(f"op{i}" for i in range(OPS))
    for app in apps:
        lines += [f"  - application: {json.dumps(app)}", "    environments: [prod]", f"    operations: [{ops}]"]
    return "\n".join(lines) + "\n"


def measure(name: str, folder: Path, data: dict[str, Any], pol: str, repeat: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    export = folder / ("kong-prod.json" if name == "Kong" else "tenant_PRD.json")
    export.write_text(json.dumps(data, indent=2), encoding="utf-8")
    (folder / "policy.yaml").write_text(pol, encoding="utf-8")
    mb = os.path.getsize(export) / 1e6
    loads, cpus, analyses = [], [], []
    cells = failed = 0
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        load_model([str(folder / "policy.yaml")], exports=[])  # the policy alone: subtracted below
        alone, alone_cpu = time.perf_counter() - t, time.process_time() - c
        t, c = time.perf_counter(), time.process_time()
        model = load_model([str(folder / "policy.yaml"), str(export)])
        loads.append(time.perf_counter() - t - alone)
        cpus.append(time.process_time() - c - alone_cpu)
        t, c = time.perf_counter(), time.process_time()
        analysis = Analysis(model)
        analyses.append((time.perf_counter() - t, time.process_time() - c))
        cells, failed = analysis.cells, len(analysis.failures)
    load, cpu = statistics.median(loads), statistics.median(cpus)
    print(
        f"{name}: {mb:.1f} MB JSON, {len(model.applications):,} applications, {repeat} runs, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"  parse + import of the export (load_model less the policy alone), median: {load:.2f} s wall "
        f"({mb / load:.1f} MB/s), {cpu:.2f} s CPU ({mb / cpu:.1f} MB/s)"
    )
    wall, spent = (statistics.median(a[k] for a in analyses) for k in (0, 1))
    print(f"  analysis of {cells:,} bound calls ({failed:,} refused), median: {wall:.2f} s wall, {spent:.2f} s CPU")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    out = ROOT / "benchmarks" / "out" / "gateways"
    n = max(1, int(1000 * args.mb * 1e6 / len(json.dumps(kong(1000), indent=2))))
    consumers = [f"consumer-{c:06d}" for c in range(n)]
    measure("Kong", out / "kong", kong(n), policy(consumers[:2000], None), args.repeat)
    m = max(1, int(1000 * args.mb * 1e6 / len(json.dumps(auth0(1000), indent=2))))
    clients = [f"client-{c:06d}" for c in range(m)]
    perms = [f"api{i % SERVICES}/s{i % 20}" for i in range(OPS)]
    measure("Auth0", out / "auth0", auth0(m), policy(clients[:2000], perms), args.repeat)


if __name__ == "__main__":
    main()
