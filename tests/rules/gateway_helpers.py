"""Small Kong and Auth0 inputs for the gateway rules (PC107-PC109), through the real loader and engine."""

from __future__ import annotations

import textwrap
from pathlib import Path

from policycheck.engine import Selection, run
from policycheck.findings import Finding
from policycheck.loading.inputs import load_model

from .conftest import TODAY

POLICY = """\
apiVersion: policycheck/v1
kind: Policy
operations:
  - id: items.list
    request: GET /items
    requires: {}
  - id: items.create
    request: POST /items
    requires:
      permissions: api/items:write
environments:
  - name: test
  - name: prod
bindings:
  - application: app
    environments: [prod]
    operations: [items.list, items.create]
"""


def findings(tmp: Path, rule: str, files: dict[str, str]) -> list[Finding]:
    (tmp / "policy.yaml").write_text(POLICY, encoding="utf-8")
    for name, text in files.items():
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    model = load_model(["policy.yaml", *files])
    return list(run(model, Selection(select=(rule,)), TODAY).findings)
