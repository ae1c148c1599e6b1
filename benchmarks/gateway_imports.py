"""Benchmark: import a large Apigee organisation export and a large APIOps artifact set.

    python benchmarks/gateway_imports.py [--mb 20] [--repeat 3]

Apigee: one `apps.json` (apigeecli `organizations export`) of about --mb megabytes, with
`products.json` and `developers.json` beside it. APIM: an artifact set of about --mb
megabytes of JSON, as the extractor writes it: APIs with large `specification.json`
files (60 paths, 120 operations, schemas), policy files at every scope, 50 products,
2,000 subscriptions and two configuration.<env>.yaml files (each set is read once per
environment). Prints medians of parse + import (`load_model`) in MB/s of JSON read, and
of a full check (every rule) of the import with a small policy.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from policycheck.engine import Selection, run  # noqa: E402
from policycheck.loading.inputs import load_model  # noqa: E402

POLICY = """\
apiVersion: policycheck/v1
kind: Policy
operations:
  - id: orders.list
    request: GET /shop/orders
    requires: {permissions: p-1, claims: [Orders.Read]}
  - id: r0.get
    request: GET /a0/r0/{id}
    requires: {permissions: api-0, claims: [Orders.Write]}
environments: [{name: test}, {name: prod}]
bindings:
  - {application: app-000001, environments: [test, prod], operations: [orders.list]}
"""


def apigee_org(out: Path, apps: int, rnd: random.Random) -> None:
    products = [
        {
            "name": f"p-{i}",
            "displayName": f"Product {i}",
            "approvalType": "manual" if i % 5 == 0 else "auto",
            "environments": ["test", "prod"] if i % 7 else ["test"],
            "operationGroup": {
                "operationConfigs": [
                    {"apiSource": f"proxy-{i}", "operations": [{"resource": f"/r{i}/**", "methods": ["GET", "POST"]}]}
                ],
                "operationConfigType": "proxy",
            },
            "scopes": [f"s{i}.read", f"s{i}.write"],
        }
        for i in range(200)
    ]
    developers = [
        {
            "email": f"dev{i}@example.com",
            "developerId": f"d-{i}",
            "firstName": "D",
            "lastName": str(i),
            "status": "active",
        }
        for i in range(500)
    ]
    statuses = ["approved"] * 8 + ["pending", "revoked"]
    items = []
    for a in range(apps):
        items.append(
            {
                "appId": f"{a:08d}-0000-4000-8000-000000000000",
                "name": f"app-{a:06d}",
                "attributes": [{"name": "DisplayName", "value": f"App {a}"}, {"name": "Notes", "value": "x" * 80}],
                "callbackUrl": "https://example.com/cb",
                "createdAt": "1712150400000",
                "credentials": [
                    {
                        "apiProducts": [
                            {"apiproduct": f"p-{rnd.randrange(200)}", "status": rnd.choice(statuses)} for _ in range(3)
                        ],
                        "attributes": [],
                        "consumerKey": "**********",
                        "consumerSecret": "**********",
                        "expiresAt": rnd.choice(["-1", "4102444800000", "1704067200000"]),
                        "issuedAt": "1712150400000",
                        "scopes": [],
                        "status": rnd.choice(statuses),
                    }
                    for _ in range(2)
                ],
                "developerId": f"d-{a % 500}",
                "status": "approved",
            }
        )
    (out / "products.json").write_text(json.dumps({"apiProduct": products}, indent=2))
    (out / "developers.json").write_text(json.dumps({"developer": developers}, indent=2))
    (out / "apps.json").write_text(json.dumps(items, indent=2))


def spec(api: int, paths: int) -> dict[str, object]:
    """An OpenAPI 3 document in JSON (as the extractor writes `specification.json`), with schemas."""
    item = {
        "type": "object",
        "properties": {f"field{k}": {"type": "string", "description": "z" * 40} for k in range(12)},
    }
    return {
        "openapi": "3.0.1",
        "info": {"title": f"api-{api}", "version": "1"},
        "paths": {
            f"/r{p}/{{id}}": {
                "get": {
                    "operationId": f"get-r{p}",
                    "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": item}}}},
                },
                "put": {
                    "operationId": f"put-r{p}",
                    "requestBody": {"content": {"application/json": {"schema": item}}},
                    "responses": {"204": {"description": "ok"}},
                },
            }
            for p in range(paths)
        },
    }


def apim_set(out: Path, apis: int, subscriptions: int, rnd: random.Random) -> None:
    root = out / "apimartifacts"
    jwt = (
        "<validate-jwt header-name='Authorization'><required-claims><claim name='roles' match='any'>"
        "<value>Orders.Read</value></claim></required-claims></validate-jwt>"
    )
    (root / "apis").mkdir(parents=True)
    (root / "policy.xml").write_text(f"<policies><inbound>{jwt}</inbound></policies>")
    for a in range(apis):
        api = root / f"apis/api-{a}"
        (api / "operations/get-r0").mkdir(parents=True)
        (api / "apiInformation.json").write_text(
            json.dumps({"properties": {"displayName": f"api {a}", "path": f"a{a}"}})
        )
        (api / "specification.json").write_text(json.dumps(spec(a, 60), indent=2))
        (api / "policy.xml").write_text("<policies><inbound><base /></inbound></policies>")
        (api / "operations/get-r0/policy.xml").write_text("<policies><inbound><base /></inbound></policies>")
    for i in range(50):
        product = root / f"products/p-{i}"
        product.mkdir(parents=True)
        info = {
            "displayName": f"P {i}",
            "state": "published",
            "subscriptionRequired": True,
            "approvalRequired": i % 2 == 0,
        }
        (product / "productInformation.json").write_text(json.dumps({"properties": info}, indent=2))
        (product / "apis.json").write_text(json.dumps([{"name": f"api-{a}"} for a in range(i % apis, apis, 7)]))
    states = ["active"] * 7 + ["submitted", "suspended", "cancelled"]
    for s in range(subscriptions):
        folder = root / f"subscriptions/app-{s:06d}"
        folder.mkdir(parents=True)
        props = {
            "displayName": f"app-{s:06d}",
            "scope": f"/products/p-{rnd.randrange(50)}",
            "state": rnd.choice(states),
            "allowTracing": False,
        }
        (folder / "subscriptionInformation.json").write_text(json.dumps({"properties": props}, indent=2))
    (out / "configuration.test.yaml").write_text("apimServiceName: apim-test\n")
    (out / "configuration.prod.yaml").write_text("apimServiceName: apim-prod\n")


def json_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*.json")) / 1e6


def measure(label: str, folder: Path, repeat: int) -> None:
    mb = json_mb(folder)
    loads, checks = [], []
    files = sum(1 for _ in folder.rglob("*") if _.is_file())
    for _ in range(repeat):
        t = time.perf_counter()
        model = load_model([str(folder)])
        loads.append(time.perf_counter() - t)
        t = time.perf_counter()
        run(model, Selection(), date(2026, 12, 1))
        checks.append(time.perf_counter() - t)
    load = statistics.median(loads)
    print(
        f"{label}: {mb:.1f} MB JSON in {files:,} files, {len(model.applications):,} applications; "
        f"parse + import {load:.2f} s ({mb / load:.1f} MB/s), check {statistics.median(checks):.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    base = ROOT / "benchmarks" / "out" / "gateways"
    shutil.rmtree(base, ignore_errors=True)
    rnd = random.Random(1)
    apigee = base / "apigee"
    apigee.mkdir(parents=True)
    (apigee / "policy.yaml").write_text(POLICY)
    apigee_org(apigee, max(1, int(args.mb * 1e6 / 1700)), rnd)
    apim = base / "apim"
    apim.mkdir(parents=True)
    (apim / "policy.yaml").write_text(POLICY.replace("p-1,", "api-1,"))
    apim_set(apim, max(1, int(args.mb * 1e6 / 200_000)), 2000, rnd)
    print(f"median of {args.repeat} runs; load average {os.getloadavg()[0]:.1f}")
    measure("Apigee organisation export", apigee, args.repeat)
    measure("APIM artifact set (test, prod)", apim, args.repeat)


if __name__ == "__main__":
    main()
