"""PC906 on small Keycloak realm exports: only the Keycloak importer refers to built-in roles."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from policycheck.engine import Selection, run
from policycheck.findings import Finding
from policycheck.loading.inputs import load_model

from .conftest import TODAY, brief

POLICY = """\
apiVersion: policycheck/v1
kind: Policy
permissions:
  - name: api/read
operations:
  - id: items.list
    request: GET /items
    requires:
      permissions: api/read
environments:
  - name: erp
bindings:
  - application: svc
    environments: [erp]
    operations: [items.list]
"""

FIX = "export the realm with its built-in roles (kc.sh export) if their composites matter"


def realm(
    name: str = "erp", composites: dict[str, Any] | None = None, realm_roles: tuple[str, ...] = ()
) -> dict[str, Any]:
    """A realm whose default role has `composites`; client `svc`'s service account holds it and `api/read`."""
    return {
        "realm": name,
        "roles": {
            "realm": [{"name": f"default-roles-{name}", "composite": True, "composites": composites or {}}],
            "client": {"api": [{"name": "read"}]},
        },
        "clients": [
            {"clientId": "svc", "serviceAccountsEnabled": True, "publicClient": False},
            {"clientId": "api", "bearerOnly": True},
        ],
        "users": [
            {
                "username": "service-account-svc",
                "serviceAccountClientId": "svc",
                "realmRoles": [f"default-roles-{name}", *realm_roles],
                "clientRoles": {"api": ["read"]},
            }
        ],
    }


Realms = Callable[..., list[Finding]]


@pytest.fixture
def realms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Realms:
    """realms({file: realm or [realms]}, rule=...) -> the findings of that rule (json.dumps(indent=2) layout)."""
    monkeypatch.chdir(tmp_path)

    def run_rule(files: dict[str, Any], rule: str = "PC906", today: date = TODAY) -> list[Finding]:
        (tmp_path / "policy.yaml").write_text(POLICY)
        for name, data in files.items():
            (tmp_path / name).write_text(json.dumps(data, indent=2))
        model = load_model(["policy.yaml", *files])
        return list(run(model, Selection(select=(rule,)), today).findings)

    return run_rule


def test_fails_at_the_composite_that_lists_undefined_built_ins(realms):
    found = realms(
        {"erp-realm.json": realm(composites={"realm": ["offline_access"], "client": {"account": ["view-profile"]}})}
    )
    # erp-realm.json line 5: the '{' of default-roles-erp in roles.realm
    assert [brief(f) for f in found] == [("PC906", "erp-realm.json", 5, None, None, None)] * 2
    assert [f.subject for f in found] == ["account/view-profile", "offline_access"]
    assert found[1].message == (
        "composite role 'default-roles-erp' refers to the built-in role 'offline_access', which the export does "
        "not define; it is read as a plain permission without composites"
    )
    assert {f.fix for f in found} == {FIX}


def test_passes_when_the_export_defines_the_built_in_role(realms):
    data = realm(composites={"client": {"account": ["view-profile"]}})
    data["roles"]["client"]["account"] = [{"name": "view-profile"}]
    assert realms({"erp-realm.json": data}) == []


def test_a_service_account_holding_a_built_in_is_reported_at_the_user(realms):
    data = realm(realm_roles=("uma_authorization",))
    text = json.dumps(data, indent=2).splitlines()
    user_line = text.index('  "users": [') + 2  # the '{' of the service-account user
    found = realms({"erp-realm.json": data})
    assert [brief(f) for f in found] == [("PC906", "erp-realm.json", user_line, None, None, None)]
    assert found[0].message.startswith(
        "service account of 'svc' refers to the built-in role 'uma_authorization', which the export does not define"
    )


def test_an_undefined_role_that_is_not_built_in_is_no_note_but_an_error(realms):
    files = {"erp-realm.json": realm(composites={"realm": ["ghost"]})}
    assert realms(files) == []
    unknown = realms(files, rule="PC901")
    assert [(brief(f), f.subject) for f in unknown] == [(("PC901", "erp-realm.json", 5, None, None, None), "ghost")]


def test_one_note_per_role_and_file(realms):
    both = {"realm": ["offline_access"]}
    one_file = realms({"realms.json": [realm("erp", both), realm("hr", both)]})
    assert [(f.location.path, f.subject) for f in one_file] == [("realms.json", "offline_access")]
    two_files = realms({"erp-realm.json": realm("erp", both), "hr-realm.json": realm("hr", both)})
    assert [(f.location.path, f.subject) for f in two_files] == [
        ("erp-realm.json", "offline_access"),
        ("hr-realm.json", "offline_access"),
    ]
