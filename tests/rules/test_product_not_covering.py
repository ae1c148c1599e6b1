"""PC114 product-not-covering: Apigee products say which calls their keys may make (operation groups, apiResources, scopes)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from policycheck.cli import main
from policycheck.loading.products import path_covered

from .conftest import brief
from .vendor import findings, key

TODAY = date(2026, 11, 29)

POLICY = """\
apiVersion: policycheck/v1
kind: Policy
operations:
  - id: alerts.list
    request: GET /monitoring/v2/alerts
    requires: {permissions: monitoring}
  - id: alerts.close
    request: POST /monitoring/v2/alerts/{alertId}/close
    requires: {permissions: monitoring}
environments: [{name: test}, {name: prod}]
bindings:
  - {application: svc, environments: [prod], operations: [alerts.list, alerts.close]}
"""


def product(name: str, **fields: Any) -> dict[str, Any]:
    return {"name": name, "approvalType": "auto", "environments": ["test", "prod"], **fields}


def org(here: Path, products: list[dict[str, Any]], *keys: dict[str, Any], policy: str = POLICY) -> None:
    (here / "org").mkdir(exist_ok=True)
    (here / "org/products.json").write_text(json.dumps({"apiProduct": products}, indent=2))
    app = {"name": "svc", "developerId": "d", "status": "approved", "credentials": list(keys)}
    (here / "org/apps.json").write_text(json.dumps([app], indent=2))
    (here / "policy.yaml").write_text(policy)


def group(*operations: tuple[str, list[str]], proxy: str = "monitoring-v2") -> dict[str, Any]:
    ops = [{"resource": r, "methods": m} for r, m in operations]
    return {"operationConfigs": [{"apiSource": proxy, "operations": ops}], "operationConfigType": "proxy"}


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("resource", "path", "covered"),
    [
        ("/", "/monitoring/v2/alerts/{alertId}/close", True),  # '/' is every path, and the base path
        ("/**", "/monitoring/v2", True),
        ("/alerts", "/monitoring/v2/alerts", True),  # below an unknown base path
        ("/alerts", "/monitoring/v2/alerts/", True),  # a trailing slash is ignored
        ("/alerts", "/monitoring/v2/alerts/{alertId}", False),
        ("/alerts/*", "/monitoring/v2/alerts/{alertId}", True),
        ("/alerts/*", "/monitoring/v2/alerts/{alertId}/close", False),  # '*': one segment
        ("/alerts/**", "/monitoring/v2/alerts/{alertId}/close", True),  # '**': any depth
        ("/alerts/**", "/monitoring/v2/alerts", False),  # sub-URIs only
        ("/alerts/*/close", "/monitoring/v2/alerts/{alertId}/close", True),
        ("/alerts/123", "/monitoring/v2/alerts/{alertId}", False),  # one value does not cover every value
        ("/Alerts", "/monitoring/v2/alerts", False),  # case-sensitive
        ("/incidents/**", "/monitoring/v2/alerts/{alertId}", False),
    ],
)
def test_resource_paths_match_as_documented(resource: str, path: str, covered: bool) -> None:
    assert path_covered(resource, path) is covered


def test_a_held_product_whose_operation_group_does_not_cover_the_call(here: Path) -> None:
    org(here, [product("monitoring", operationGroup=group(("/alerts", ["GET"])))], key(("monitoring", "approved")))
    (found,) = findings(here, "PC114", TODAY)
    assert brief(found) == ("PC114", "org/products.json", 3, "svc", "prod", "alerts.close")
    assert found.message == (
        "no API product svc holds covers POST /monitoring/v2/alerts/{alertId}/close in prod: 'monitoring' covers "
        "GET /alerts of proxy monitoring-v2; Apigee refuses alerts.close"
    )
    assert found.fix == "add resource /alerts/*/close with method POST to API product 'monitoring' in prod"


def test_the_method_counts(here: Path) -> None:
    org(
        here,
        [product("monitoring", operationGroup=group(("/alerts", ["GET"]), ("/alerts/**", ["GET"])))],
        key(("monitoring", "approved")),
    )
    assert [f.operation for f in findings(here, "PC114", TODAY)] == ["alerts.close"]
    org(
        here,
        [product("monitoring", operationGroup=group(("/alerts", ["GET"]), ("/alerts/**", ["POST"])))],
        key(("monitoring", "approved")),
    )
    assert findings(here, "PC114", TODAY) == []


def test_api_resources_cover_every_method_and_a_product_without_either_covers_all(here: Path) -> None:
    org(
        here,
        [product("monitoring", apiResources=["/alerts", "/alerts/**"], proxies=["monitoring-v2"])],
        key(("monitoring", "approved")),
    )
    assert findings(here, "PC114", TODAY) == []
    org(here, [product("monitoring", apiResources=["/alerts"])], key(("monitoring", "approved")))
    (found,) = findings(here, "PC114", TODAY)
    assert "'monitoring' covers any method /alerts;" in found.message
    org(here, [product("monitoring")], key(("monitoring", "approved")))  # neither: every call, as in Apigee
    assert findings(here, "PC114", TODAY) == []


def test_an_operation_config_without_operations_covers_its_whole_proxy(here: Path) -> None:
    config = {"operationConfigs": [{"apiSource": "monitoring-v2"}]}
    org(here, [product("monitoring", operationGroup=config)], key(("monitoring", "approved")))
    assert findings(here, "PC114", TODAY) == []


def test_another_product_that_covers_it_counts_only_when_held_and_approved(here: Path) -> None:
    products = [
        product("monitoring", operationGroup=group(("/alerts", ["GET"]))),
        product("monitoring-ops", operationGroup=group(("/alerts/*/close", ["POST"]))),
    ]
    org(here, products, key(("monitoring", "approved"), ("monitoring-ops", "approved")))
    assert findings(here, "PC114", TODAY) == []
    org(here, products, key(("monitoring", "approved"), ("monitoring-ops", "pending")))
    (found,) = findings(here, "PC114", TODAY)
    assert found.fix.endswith(", or give svc a key with 'monitoring-ops', which covers it")


def test_required_scopes_must_be_among_the_products_scopes(here: Path) -> None:
    policy = POLICY.replace(
        "requires: {permissions: monitoring}\n", "requires: {permissions: monitoring, scopes: [alerts.write]}\n", 1
    )
    org(here, [product("monitoring", scopes=["alerts.read"])], key(("monitoring", "approved")), policy=policy)
    (found,) = findings(here, "PC114", TODAY)
    assert found.operation == "alerts.list"
    assert "'monitoring' covers every call (scopes alerts.read)" in found.message
    assert found.fix == "add scope alerts.write to API product 'monitoring' in prod"
    org(
        here,
        [product("monitoring", scopes=["alerts.read", "alerts.write"])],
        key(("monitoring", "approved")),
        policy=policy,
    )
    assert findings(here, "PC114", TODAY) == []


def test_a_missing_product_is_pc101_not_this(here: Path) -> None:
    org(here, [product("monitoring", operationGroup=group(("/alerts", ["GET"])))], key(("monitoring", "pending")))
    assert findings(here, "PC114", TODAY) == []


def test_end_to_end_from_the_cli(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    org(here, [product("monitoring", operationGroup=group(("/alerts", ["GET"])))], key(("monitoring", "approved")))
    code = main(["check", "--no-config", "--no-color", "--today", "2026-11-29", "."])
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in out + err
    assert "org/products.json:3:5: error PC114 [svc prod alerts.close] no API product svc holds covers" in out
    assert "bound calls allowed 1/2" in out


def test_explain_says_no_held_product_covers_it(here: Path) -> None:
    from policycheck.explanation import explain
    from policycheck.loading.inputs import load_model

    org(here, [product("monitoring", operationGroup=group(("/alerts", ["GET"])))], key(("monitoring", "approved")))
    model = load_model(["policy.yaml", "org"])
    e = explain(model, "svc", "alerts.close", "prod")
    assert (e.allowed, e.status, e.gateway) == (
        False,
        401,
        "no API product held covers the operation in prod (Apigee answers 401)",
    )
    assert explain(model, "svc", "alerts.list", "prod").allowed
