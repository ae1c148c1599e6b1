from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import brief
from .gateway_helpers import findings

TENANT = """\
tenant:
  friendly_name: Acme
clients:
  - name: app
    app_type: non_interactive
resourceServers:
  - name: api
    identifier: https://api.example
    RBAC
    scopes:
      - value: items:write
clientGrants:
  - client_id: app
    audience: https://api.example
    scope: [items:write]
"""
ON = "enforce_policies: true\n    token_dialect: access_token_authz"
OFF = "enforce_policies: false"


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_warns_at_the_api_when_rbac_is_off_and_says_test_differs(here: Path) -> None:
    files = {"prod/tenant.yaml": TENANT.replace("RBAC", OFF), "test/tenant.yaml": TENANT.replace("RBAC", ON)}
    (found,) = findings(here, "PC109", files)
    assert brief(found) == ("PC109", "prod/tenant.yaml", 7, "app", "prod", "items.create")
    assert found.message == (
        "tokens for API 'api' in prod carry no permissions claim (RBAC off: enforce_policies is not true): the "
        "grants of app arrive only in scope, so items.create fails where the API checks permissions; in test they "
        "carry it, so tokens differ between environments"
    )
    assert found.fix.startswith("enable RBAC and 'Add Permissions in the Access Token' for API 'api' in prod")


def test_passes_with_rbac_and_the_permissions_dialect(here: Path) -> None:
    assert findings(here, "PC109", {"prod/tenant.yaml": TENANT.replace("RBAC", ON)}) == []


def test_an_operation_that_needs_nothing_of_the_api_is_not_affected(here: Path) -> None:
    tenant = TENANT.replace("RBAC", OFF).replace("name: api\n", "name: other\n")
    assert findings(here, "PC109", {"prod/tenant.yaml": tenant}) == []
