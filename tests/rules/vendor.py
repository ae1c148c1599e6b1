"""Small Apigee and APIM inputs for the rules only vendor exports feed (key expiry, blocked grants, gateway token checks)."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from policycheck.engine import Selection, run
from policycheck.findings import Finding
from policycheck.loading.inputs import load_model

POLICY = """\
apiVersion: policycheck/v1
kind: Policy
operations:
  - id: items.list
    request: GET /items
    requires: {permissions: read}
  - id: items.create
    request: POST /items
    requires: {permissions: [read, write], claims: [Items.Write]}
environments: [{name: test}, {name: prod}]
bindings:
  - {application: svc, environments: [prod], operations: [items.list, items.create]}
"""


def ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp() * 1000)


def key(*entries: tuple[str, str], status: str = "approved", expires: Any = "-1") -> dict[str, Any]:
    return {
        "apiProducts": [{"apiproduct": p, "status": s} for p, s in entries],
        "consumerKey": "k",
        "expiresAt": expires,
        "status": status,
    }


def apigee(here: Path, *keys: dict[str, Any], app_status: str = "approved") -> None:
    products = [{"name": n, "approvalType": "auto", "environments": ["test", "prod"]} for n in ("read", "write")]
    (here / "org").mkdir(exist_ok=True)
    (here / "org/products.json").write_text(json.dumps({"apiProduct": products}, indent=2))
    app = {"name": "svc", "developerId": "d", "status": app_status, "credentials": list(keys)}
    (here / "org/apps.json").write_text(json.dumps([app], indent=2))
    (here / "policy.yaml").write_text(POLICY)


def findings(here: Path, rule: str, today: date) -> list[Finding]:
    model = load_model([str(here / "policy.yaml"), str(here / "org")] if (here / "org").exists() else [str(here)])
    return list(run(model, Selection(select=(rule,)), today).findings)
