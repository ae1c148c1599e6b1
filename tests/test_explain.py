"""`policycheck explain` in full for a satisfied, a missing, a pending and a filtered case."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from policycheck.cli import main

POLICY = """\
apiVersion: policycheck/v1
kind: Policy
permissions:
  - name: Read
    claims: [x:read]
  - name: Write
    claims: [x:write]
operations:
  - id: items.list
    request: GET /items
    requires: {permissions: Read}
  - id: items.update
    request: PUT /items/{itemId}
    requires:
      permissions: {all_of: [Read, {any_of: [Write, Admin]}]}
environments:
  - name: base
  - name: prod
    inherits: [base]
bindings:
  - application: app
    environments: [prod]
    operations: [items.list, items.update]
"""
EXPORT = """\
apiVersion: policycheck/v1
kind: GatewayExport
permission_sets:
  - name: Readers
    permissions: [Read]
environments:
  - name: base
    permission_sets: [Readers]
  - name: prod
    inherits: [base]
applications:
  - id: app
    clients: {prod: app-prd}
    grants:
      - permission_set: Readers
        status: approved
        environments: [base]
"""


def explain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], export: str, *args: str
) -> tuple[int, str]:
    (tmp_path / "policy.yaml").write_text(POLICY)
    (tmp_path / "export.yaml").write_text(export)
    monkeypatch.chdir(tmp_path)
    code = main(["explain", "--no-config", "--policies", ".", *args])
    return code, capsys.readouterr().out


def test_satisfied_through_inheritance_and_a_set(tmp_path, monkeypatch, capsys):
    code, out = explain(tmp_path, monkeypatch, capsys, EXPORT, "app", "GET /items", "--env", "prod")
    assert code == 0
    assert out == textwrap.dedent("""\
        app -> GET /items (items.list) in prod: ALLOWED (likely HTTP 200: the requirement is met)

        requirement:
          [x] Read

        where each permission comes from:
          [x] Read
              grant of permission set 'Readers' (export.yaml:15:9) -> given in base -> inherited by prod -> set 'Readers' -> mapped to base (inherited by prod)
        """)


def test_missing_names_the_smallest_fix_and_the_401_caveat(tmp_path, monkeypatch, capsys):
    code, out = explain(tmp_path, monkeypatch, capsys, EXPORT, "app", "items.update", "--env", "prod")
    assert code == 1
    assert out == textwrap.dedent("""\
        app -> PUT /items/{itemId} (items.update) in prod: DENIED (likely HTTP 403: a permission or scope is missing: the gateway refuses the call (insufficient_scope). A 401 instead means the token itself was rejected (expired, wrong issuer or tenant), not a missing permission)

        requirement:
          all of:
            [x] Read
            any of:
              [ ] Write
              [ ] Admin

        where each permission comes from:
          [ ] Admin
              no grant delivers it
          [x] Read
              grant of permission set 'Readers' (export.yaml:15:9) -> given in base -> inherited by prod -> set 'Readers' -> mapped to base (inherited by prod)
          [ ] Write
              no grant delivers it

        fix:
          1. grant 'Admin' to app in prod
          2. grant 'Write' to app in prod
          3. request a new token and check it: policycheck token --env prod --app app TOKEN
        """)


def test_pending(tmp_path, monkeypatch, capsys):
    export = EXPORT + "      - permission: Write\n        status: pending\n"
    code, out = explain(tmp_path, monkeypatch, capsys, export, "app", "PUT /items/42", "--env", "prod")
    assert code == 1
    assert "  [ ] Write\n      stops: grant of 'Write' (export.yaml:18:9): pending approval\n" in out
    assert "  1. grant 'Admin' to app in prod\n  2. approve the pending grant of 'Write' for app in prod\n" in out


def test_filtered_out_of_the_token(tmp_path, monkeypatch, capsys):
    export = EXPORT.replace(
        "    clients: {prod: app-prd}\n", "    clients: {prod: app-prd}\n    delivery: {prod: []}\n"
    )
    code, out = explain(tmp_path, monkeypatch, capsys, export, "app", "items.list", "--env", "prod", "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert (data["allowed"], data["status"]) == (False, 403)
    (leaf,) = data["leaves"]
    assert leaf["permission"] == "Read" and leaf["satisfied"] is False
    assert leaf["filtered"] == "not let into this client's tokens (delivery allow-list)"
    assert (
        data["steps"][0]
        == "let 'Read' reach app's tokens in prod (not let into this client's tokens (delivery allow-list))"
    )


def test_unknown_operation_is_a_usage_error(tmp_path, monkeypatch, capsys):
    (tmp_path / "policy.yaml").write_text(POLICY)
    (tmp_path / "export.yaml").write_text(EXPORT)
    monkeypatch.chdir(tmp_path)
    assert main(["explain", "--no-config", "--policies", ".", "app", "DELETE /items", "--env", "prod"]) == 2
    assert capsys.readouterr().err.startswith("policycheck: no operation 'DELETE /items'")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["app", "items.list", "--env", "production"], "unknown environment 'production' (did you mean prod?)"),
        (["ap", "items.list", "--env", "prod"], "unknown application 'ap' (did you mean app?)"),
        (["app", "items.lst", "--env", "prod"], "unknown operation 'items.lst' (did you mean items.list?)"),
        (["app", "items.list", "--env", "staging"], "unknown environment 'staging' (known: base, prod)"),
    ],
)
def test_unknown_names_are_a_usage_error_with_the_closest_one(tmp_path, monkeypatch, capsys, args, message):
    """Not DENIED with advice to grant in an environment that does not exist."""
    (tmp_path / "policy.yaml").write_text(POLICY)
    (tmp_path / "export.yaml").write_text(EXPORT)
    monkeypatch.chdir(tmp_path)
    assert main(["explain", "--no-config", "--policies", ".", *args]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"policycheck: {message}\n")
