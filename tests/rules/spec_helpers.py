"""The rule-test base (policy and export) plus an OpenAPI document, as the configuration would name it."""

from __future__ import annotations

import textwrap
from pathlib import Path

from policycheck.engine import Selection, run
from policycheck.findings import Finding
from policycheck.loading.inputs import load_model
from policycheck.loading.openapi import read_specs
from policycheck.records import replace

from .base import EXPORT, POLICY
from .conftest import EXPORT_HEAD, POLICY_HEAD, TODAY

SPEC = """\
openapi: 3.0.3
info: {title: Items, version: "1"}
security:
  - oauth: [x:read]
paths:
  /items:
    get:
      operationId: items.list
    post:
      operationId: items.create
      security:
        - oauth: [x:read, x:write]
components:
  securitySchemes:
    oauth:
      type: oauth2
      flows:
        clientCredentials:
          tokenUrl: https://auth.example.com/token
          scopes: {x:read: read, x:write: write}
"""
# spec.yaml lines: 'get:' is line 7, 'post:' line 9.

# The base policy's permissions carried by the spec's scopes.
SCOPED_POLICY = POLICY.replace("claims: [x:read]", "claims: [x:read]\n    scopes: [x:read]").replace(
    "claims: [x:write]", "claims: [x:write]\n    scopes: [x:write]"
)


def run_with_spec(
    tmp: Path, rule: str, spec: str = SPEC, policy: str = SCOPED_POLICY, api: str | None = None
) -> list[Finding]:
    (tmp / "policy.yaml").write_text(POLICY_HEAD + textwrap.dedent(policy))
    (tmp / "export.yaml").write_text(EXPORT_HEAD + textwrap.dedent(EXPORT))
    (tmp / "spec.yaml").write_text(spec)
    model = load_model(["policy.yaml", "export.yaml"])
    model = replace(model, specs=read_specs((("spec.yaml", api),)))
    return list(run(model, Selection(select=(rule,)), TODAY).findings)
