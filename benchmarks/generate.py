"""Synthetic, deterministic inputs for the policycheck benchmarks.

Writes one policy (kind: Policy) and one native gateway export (kind: GatewayExport)
for N applications in three environments:

- environments `base`, `test` (inherits base) and `prod` (inherits base); the policy
  declares test and prod in parity, with one allowed difference that has expired;
- a catalogue of 500 permissions and 300 operations whose requirements are `all_of`
  lists, some with an `any_of` alternative, some tightened in prod;
- 120 permission sets in 4 levels (each set of level k includes one of level k-1, so
  `includes` chains are 3 deep), the top level mapped to `base`, plus a little drift
  (one set mapped only to `test`);
- applications with 5-8 grants each (mostly approved, some pending or revoked, some
  restricted to one environment), assigned to test and prod, and bound to 10-20
  operations there; each has a `client_secret`, masked (`**********`) except in 1 %.

Everything is drawn from `random.Random` seeded per application, so the first N
applications are the same whatever the total, and the same seed gives the same bytes.
The drift, pending and environment-restricted grants make findings (PC101-PC105): that
is intended, the benchmark measures a realistic run, not a clean one.

    python benchmarks/generate.py --apps 10000 --format yaml --out benchmarks/out/n10000-yaml
    python benchmarks/generate.py --target-mb 50 --format yaml --out benchmarks/out/50mb-yaml

Prints one JSON line describing what it wrote.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from typing import Any

import yaml

GENERATOR_VERSION = 2
ENVIRONMENTS = ("base", "test", "prod")
ASSIGNED = ("test", "prod")

DOMAINS = (
    "General Ledger",
    "Accounts Payable",
    "Accounts Receivable",
    "Financial Management",
    "Procurement",
    "Inventory",
    "Sales Orders",
    "Human Resources",
    "Payroll",
    "Projects",
)
OBJECTS = (
    "Journal Entry",
    "Invoice",
    "Payment",
    "Supplier",
    "Customer",
    "Item",
    "Order",
    "Employee",
    "Budget",
    "Contract",
)
ACTIONS = ("Read", "Create", "Update", "Approve", "Post")
METHODS = {"Read": "GET", "Create": "POST", "Update": "PUT", "Approve": "POST", "Post": "POST"}

N_PERMISSIONS = len(DOMAINS) * len(OBJECTS) * len(ACTIONS)  # 500
N_SET_PERMISSIONS = 440  # permissions 0..439 appear in sets; 440..499 only as direct grants
LEVELS = 4
SETS_PER_LEVEL = 30
N_OPERATIONS = 300
DRIFT_SET = SETS_PER_LEVEL - 1  # top-level set mapped to test only: granted, it is missing in prod
PROD_SET = SETS_PER_LEVEL - 2  # top-level set mapped to both test and prod (not via base)


def slug(text: str) -> str:
    return text.lower().replace(" ", "-")


def permission_name(i: int) -> str:
    d, rest = divmod(i, len(OBJECTS) * len(ACTIONS))
    o, a = divmod(rest, len(ACTIONS))
    return f"{DOMAINS[d]} - {OBJECTS[o]} {ACTIONS[a]}"


def set_name(level: int, i: int) -> str:
    kind = ("Base", "Standard", "Extended", "Full")[level]
    return f"{DOMAINS[i % len(DOMAINS)]} {kind} Access {i:02d}"


class Catalogue:
    """The part that does not depend on N: permissions, sets, operations."""

    def __init__(self, seed: int):
        rng = random.Random(seed)
        self.permissions = [permission_name(i) for i in range(N_PERMISSIONS)]
        self.extras = self.permissions[N_SET_PERMISSIONS:]
        # sets: own permissions and one include per level above 0
        self.sets: list[dict[str, Any]] = []
        self.own: dict[str, list[str]] = {}
        self.includes: dict[str, list[str]] = {}
        for level in range(LEVELS):
            for i in range(SETS_PER_LEVEL):
                name = set_name(level, i)
                own = rng.sample(self.permissions[:N_SET_PERMISSIONS], rng.randint(3, 8))
                inc = [set_name(level - 1, i)] if level else []
                if level >= 2 and rng.random() < 0.3:  # a second include sometimes: a DAG, no cycle
                    other = set_name(level - 2, rng.randrange(SETS_PER_LEVEL))
                    if other not in inc:
                        inc.append(other)
                self.own[name], self.includes[name] = own, inc
                entry: dict[str, Any] = {"name": name, "description": f"Level {level} access, group {i:02d}"}
                if inc:
                    entry["includes"] = inc
                entry["permissions"] = own
                self.sets.append(entry)
        self.top = [set_name(LEVELS - 1, i) for i in range(SETS_PER_LEVEL)]
        self.closure = {name: self._closure(name) for name in self.own}
        # operations: anchored on a top-level set, requirements drawn from its closure
        self.operations: list[dict[str, Any]] = []
        self.op_anchor: list[int] = []
        self.op_extras: list[list[str]] = []
        for k in range(N_OPERATIONS):
            anchor = k % SETS_PER_LEVEL
            pool = sorted(self.closure[self.top[anchor]])
            needed = rng.sample(pool, min(len(pool), rng.randint(1, 3)))
            extras: list[str] = []
            if rng.random() < 0.15:
                extras.append(rng.choice(self.extras))
            perms: list[Any] = [*needed, *extras]
            if rng.random() < 0.2:  # any_of: one alternative in the closure, one elsewhere
                alt = rng.choice(self.permissions[:N_SET_PERMISSIONS])
                choice = rng.choice(pool)
                if alt != choice:
                    perms.append({"any_of": [alt, choice]})
            d = DOMAINS[anchor % len(DOMAINS)]
            o = OBJECTS[k % len(OBJECTS)]
            action = ACTIONS[k % len(ACTIONS)]
            op: dict[str, Any] = {
                "id": f"{slug(d)}.{slug(o)}-{k:03d}.{action.lower()}",
                "request": f"{METHODS[action]} /api/v1/{slug(d)}/{slug(o)}s{k:03d}"
                + ("/{id}" if action in ("Update", "Approve", "Post") else ""),
                "api": f"CloudSuite.{d.replace(' ', '')}",
                "requires": {
                    "permissions": perms[0] if len(perms) == 1 and isinstance(perms[0], str) else {"all_of": perms},
                    "scopes": [f"CloudSuite.{d.replace(' ', '')}"],
                },
            }
            if rng.random() < 0.1:  # tightened in prod, with a permission of the same closure
                op["environments"] = {"prod": {"permissions": [rng.choice(pool)]}}
            self.operations.append(op)
            self.op_anchor.append(anchor)
            self.op_extras.append(extras)
        self.ops_by_anchor: dict[int, list[int]] = {}
        for k, a in enumerate(self.op_anchor):
            self.ops_by_anchor.setdefault(a, []).append(k)

    def _closure(self, name: str) -> set[str]:
        out: set[str] = set()
        stack = [name]
        seen = set()
        while stack:
            s = stack.pop()
            if s in seen:
                continue
            seen.add(s)
            out.update(self.own[s])
            stack.extend(self.includes[s])
        return out


def application(cat: Catalogue, seed: int, i: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The export entry and the policy binding of application i."""
    rng = random.Random(seed * 1_000_003 + i)
    app_id = f"app-{i:06d}"
    anchors = rng.sample(range(SETS_PER_LEVEL), 2)
    grants: list[dict[str, Any]] = []
    for a in anchors:
        grants.append({"permission_set": cat.top[a], "status": "approved", "approved_by": "iam-admins@example.com"})
    for _ in range(rng.randint(1, 2)):  # a narrower set, restricted to where the app runs
        level = rng.randint(1, 2)
        grants.append(
            {
                "permission_set": set_name(level, rng.randrange(SETS_PER_LEVEL)),
                "status": "approved",
                "environments": list(ASSIGNED),
            }
        )
    candidates = [k for a in anchors for k in cat.ops_by_anchor[a]]
    bound = sorted(rng.sample(candidates, min(len(candidates), rng.randint(10, 20))))
    extras: list[str] = []
    for k in bound:
        for p in cat.op_extras[k]:
            if p not in extras:
                extras.append(p)
    while len(grants) + len(extras) < 5:
        p = rng.choice(cat.extras)
        if p not in extras:
            extras.append(p)
    for p in extras[: 8 - len(grants)]:
        grant: dict[str, Any] = {"permission": p}
        r = rng.random()
        if r < 0.06:
            grant["status"] = "pending"
            grant["requested_by"] = f"owner-{i % 97:02d}@example.com"
        elif r < 0.08:
            grant["status"] = "revoked"
        else:
            grant["status"] = "approved"
            grant["approved_by"] = "iam-admins@example.com"
        r = rng.random()
        if r < 0.05:
            grant["environments"] = ["test"]  # works in test, 401 in prod
        elif r < 0.25:
            grant["environments"] = list(ASSIGNED)
        grants.append(grant)
    entry: dict[str, Any] = {
        "id": app_id,
        "name": f"Integration {i:06d}",
        "description": f"Service account of team {i % 211:03d}",
        "clients": {"test": f"ACME_TST~{app_id}", "prod": f"ACME_PRD~{app_id}"},
        # dropped at load, never read; gateways mask it, but 1 app in 100 leaks a real one
        "client_secret": f"secret-{rng.getrandbits(64):016x}" if rng.random() < 0.01 else "**********",
        "scopes": sorted({cat.operations[k]["api"] for k in bound}),
        "grants": grants,
    }
    binding = {
        "application": app_id,
        "environments": list(ASSIGNED),
        "operations": [cat.operations[k]["id"] for k in bound],
    }
    return entry, binding


def documents(apps: int, seed: int) -> tuple[dict[str, Any], dict[str, Any]]:
    cat = Catalogue(seed)
    entries, bindings = [], []
    for i in range(apps):
        e, b = application(cat, seed, i)
        entries.append(e)
        bindings.append(b)
    base_sets = [s for j, s in enumerate(cat.top) if j not in (DRIFT_SET, PROD_SET)]
    export = {
        "apiVersion": "policycheck/v1",
        "kind": "GatewayExport",
        "metadata": {
            "gateway": "Synthetic Gateway",
            "exported_at": "2026-11-27",
            "source": f"benchmarks/generate.py v{GENERATOR_VERSION} seed {seed}",
        },
        "permission_sets": cat.sets,
        "environments": [
            {"name": "base", "description": "Mapped everywhere", "permission_sets": base_sets},
            {"name": "test", "inherits": ["base"], "permission_sets": [cat.top[PROD_SET], cat.top[DRIFT_SET]]},
            {"name": "prod", "inherits": ["base"], "permission_sets": [cat.top[PROD_SET]]},
        ],
        "applications": entries,
    }
    drift_perm = sorted(cat.closure[cat.top[DRIFT_SET]])[0]
    policy = {
        "apiVersion": "policycheck/v1",
        "kind": "Policy",
        "metadata": {
            "name": f"synthetic-{apps}",
            "owner": "platform@example.com",
            "description": f"benchmarks/generate.py v{GENERATOR_VERSION} seed {seed}",
        },
        "permissions": [
            {"name": p, "description": f"{p}.", "claims": [slug(p).replace("---", ":")]} for p in cat.permissions
        ],
        "operations": cat.operations,
        "environments": [
            {"name": "base", "description": "Permission sets every environment builds on."},
            {
                "name": "test",
                "inherits": ["base"],
                "parity": ["prod"],
                "allowed_differences": [
                    {
                        "permission": drift_perm,
                        "reason": "rollout in progress",
                        "owner": "platform@example.com",
                        "expires": "2026-01-31",
                    },
                ],
            },
            {"name": "prod", "inherits": ["base"]},
        ],
        "bindings": bindings,
    }
    return policy, export


def dump(data: Any, fmt: str) -> bytes:
    if fmt == "json":
        return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    text = yaml.dump(data, Dumper=dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=120)
    return text.encode()


def apps_for_target(target_mb: float, fmt: str, seed: int) -> int:
    """Applications giving an export of about `target_mb` MB (10^6 bytes), from a sample."""
    small, large = 200, 2200
    size = {n: len(dump(documents(n, seed)[1], fmt)) for n in (small, large)}
    per_app = (size[large] - size[small]) / (large - small)
    fixed = size[small] - small * per_app
    return max(1, round((target_mb * 1e6 - fixed) / per_app))


def write(out: str, apps: int, fmt: str, seed: int) -> dict[str, Any]:
    os.makedirs(out, exist_ok=True)
    policy, export = documents(apps, seed)
    ext = "json" if fmt == "json" else "yaml"
    written = {}
    for name, data in (("policy", policy), ("export", export)):
        path = os.path.join(out, f"{name}.{ext}")
        raw = dump(data, fmt)
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(raw)
        os.replace(tmp, path)
        written[name] = {"path": path, "bytes": len(raw)}
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    size = ap.add_mutually_exclusive_group(required=True)
    size.add_argument("--apps", type=int, help="number of applications")
    size.add_argument("--target-mb", type=float, help="size the export to about this many MB")
    ap.add_argument("--format", choices=("yaml", "json"), default="yaml")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True, help="directory for policy.EXT and export.EXT")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    apps = args.apps if args.apps is not None else apps_for_target(args.target_mb, args.format, args.seed)
    written = write(args.out, apps, args.format, args.seed)
    print(
        json.dumps(
            {
                "generator": GENERATOR_VERSION,
                "apps": apps,
                "format": args.format,
                "seed": args.seed,
                "files": written,
                "seconds": round(time.perf_counter() - t0, 2),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
