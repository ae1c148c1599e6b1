"""The Azure API Management importer: APIOps extractor artifacts and the publisher's configuration.<env>.yaml.

The bundled example (policies/examples/apim) is one artifact set published to test and
prod; its findings are pinned exactly: a suspended subscription, a subscription that
prod's configuration puts back to `submitted` (pending, and a parity difference), an
operation policy without `<base/>` that drops the API's validate-jwt, and an operation
whose required claims the policy does not name.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from vendor_helpers import FORMATS, found, run
from vendor_helpers import write_json as write

from policycheck.loading.importers import apim, detect
from policycheck.loading.importers.identity import Identity
from policycheck.loading.inputs import load_inputs, load_model
from policycheck.model import Status

EXAMPLE = Path(__file__).resolve().parent.parent / "policies" / "examples" / "apim"


OPS = "apimartifacts/apis/journal-api/operations"
SUBS = "apimartifacts/subscriptions"
EXAMPLE_FINDINGS = [
    ("PC112", f"{OPS}/post-journal-entry/policy.xml:7", None, "prod", "gl.journal-entries.post"),
    ("PC112", f"{OPS}/post-journal-entry/policy.xml:7", None, "test", "gl.journal-entries.post"),
    ("PC112", f"{OPS}/reverse-journal-entry/policy.xml:2", None, "prod", "gl.journal-entries.reverse"),
    ("PC112", f"{OPS}/reverse-journal-entry/policy.xml:2", None, "test", "gl.journal-entries.reverse"),
    (
        "PC101",
        f"{SUBS}/legacy-batch/subscriptionInformation.json:2",
        "legacy-batch",
        "prod",
        "gl.journal-entries.reverse",
    ),
    (
        "PC111",
        f"{SUBS}/legacy-batch/subscriptionInformation.json:6",
        "legacy-batch",
        "prod",
        "gl.journal-entries.reverse",
    ),
    (
        "PC101",
        f"{SUBS}/reporting-app/subscriptionInformation.json:2",
        "reporting-app",
        "prod",
        "gl.journal-entries.list",
    ),
    # the grant test has and prod lacks, at the application as prod has it (fidelity: its own environment's place)
    ("PC103", f"{SUBS}/reporting-app/subscriptionInformation.json:2", "reporting-app", "prod", None),
    ("PC104", f"{SUBS}/reporting-app/subscriptionInformation.json:2", "reporting-app", "prod", None),
    ("PC102", "configuration.prod.yaml:13", "reporting-app", "prod", "gl.journal-entries.list"),
    ("PC907", "configuration.prod.yaml:17", None, None, None),
]


def test_example_findings_exactly(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(EXAMPLE)
    code, out, err = run(capsys, "check", "--no-config", "--format", "json", ".")
    assert (code, err) == (1, "")
    assert found(out) == EXAMPLE_FINDINGS
    code, out, _ = run(capsys, "check", "--no-config", "--no-color", ".")
    lines = out.splitlines()
    assert (
        f"{OPS}/reverse-journal-entry/policy.xml:2:2: error PC112 [prod gl.journal-entries.reverse] in prod, the "
        "gateway validates no token on POST /journalEntries/{journalEntryId}/reverse of API 'journal-api' (through "
        "product 'finance', product 'reporting', an API subscription), while gl.journal-entries.reverse requires "
        f"authorization: {OPS}/reverse-journal-entry/policy.xml has no <base /> in <inbound>, so the token checks "
        "of the scopes above it do not apply" in lines
    )
    assert any("PC112" in line and "to hold 'GL.Journal.Approve'" in line for line in lines)
    assert any("PC111" in line and "(subscription state 'suspended')" in line for line in lines)
    # create-journal-entry's own check names only what the policy requires: no finding for it
    assert not any("gl.journal-entries.create" in line and "PC112" in line for line in lines)


def test_example_imports_and_listing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(EXAMPLE)
    loaded = load_inputs(["."])
    rows = [(f, s, n) for v, f, s, n in loaded.model.imports if v == "apim"]
    assert rows[:5] == [
        ("apimartifacts (prod)", "subscriptions", 3),
        ("apimartifacts (prod)", "products", 2),
        ("apimartifacts (prod)", "apis", 1),
        ("apimartifacts (prod)", "operations", 4),
        ("apimartifacts (prod)", "policies", 6),
    ]
    assert len(rows) == 10
    listed = {str(f) for f in loaded.files}
    assert f"{OPS}/reverse-journal-entry/policy.xml: Azure API Management artifact (APIOps) (policy.xml)" in listed
    assert "configuration.prod.yaml: Azure API Management artifact (APIOps) (config)" in listed
    assert "apimartifacts/apis/journal-api/specification.yaml: Azure API Management artifact (APIOps) (spec)" in listed
    model = loaded.model
    reporting = model.applications["reporting-app"]
    assert [(g.permission_set, g.status, g.environments) for g in reporting.grants] == [
        ("finance", Status.PENDING, ("prod",)),
        ("reporting", Status.APPROVED, ("test",)),
    ]
    assert model.scoped_sets["prod"]["finance"].permissions == ("journal-api",)


def test_no_key_or_secret_in_any_output(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(EXAMPLE)
    canaries = ["CANARY-apim-primary-key-0f1e2d3c", "CANARY-apim-named-value-5e4d3c2b"]
    assert all(c in (EXAMPLE / "configuration.prod.yaml").read_text() for c in canaries)
    for fmt in FORMATS:
        code, out, err = run(capsys, "check", "--no-config", "-v", "--format", fmt, ".")
        assert code == 1, fmt
        assert not any(c in out + err for c in canaries), fmt
    code, out, err = run(
        capsys, "explain", "reporting-app", "gl.journal-entries.list", "--env", "prod", "--no-config", "--policies", "."
    )
    assert code == 1 and not any(c in out + err for c in canaries)


# --- small artifact sets -----------------------------------------------------------------

SPEC = """\
openapi: 3.0.1
info: {title: orders, version: '1'}
paths:
  /orders:
    get: {operationId: list-orders, responses: {'200': {description: ok}}}
    post: {operationId: create-order, responses: {'201': {description: ok}}}
"""
POLICY = """\
apiVersion: policycheck/v1
kind: Policy
operations:
  - id: orders.list
    request: GET /orders
    requires: {permissions: orders, claims: [Orders.Read]}
  - id: orders.create
    request: POST /shop/orders
    requires: {permissions: orders, claims: [Orders.Write]}
environments: [{name: test}, {name: prod}]
bindings:
  - {application: shop, environments: [test], operations: [orders.list, orders.create]}
"""


def jwt(*values: str, match: str = "all", base: bool = True) -> str:
    claim = "".join(f"<value>{v}</value>" for v in values)
    return (
        f"<policies><inbound>{'<base />' if base else ''}<validate-jwt header-name='Authorization'>"
        f"<required-claims><claim name='roles' match='{match}'>{claim}</claim></required-claims>"
        "</validate-jwt></inbound></policies>"
    )


def artifacts(here: Path, state: str = "active", scope: str = "/products/shop", **policies: str) -> Path:
    root = here / "test"
    write(root / "apis/orders/apiInformation.json", {"properties": {"displayName": "orders", "path": "shop"}})
    write(root / "apis/orders/specification.yaml", SPEC)
    write(
        root / "products/shop/productInformation.json",
        {"properties": {"displayName": "Shop", "state": "published", "subscriptionRequired": True}},
    )
    write(root / "products/shop/apis.json", [{"name": "orders"}])
    write(
        root / "subscriptions/shop/subscriptionInformation.json",
        {"properties": {"displayName": "shop", "scope": scope, "state": state}},
    )
    places = {
        "api": "apis/orders/policy.xml",
        "product": "products/shop/policy.xml",
        "glob": "policy.xml",
        "create": "apis/orders/operations/create-order/policy.xml",
        "list": "apis/orders/operations/list-orders/policy.xml",
    }
    for where, text in policies.items():
        write(root / places[where], text)
    write(here / "policy.yaml", POLICY)
    return root


def pc112(capsys: pytest.CaptureFixture[str]) -> list[tuple[str | None, str]]:
    _code, out, err = run(capsys, "check", "--no-config", "--format", "json", "--select", "PC112", ".")
    assert err == ""
    return [(f["operation"], f["message"]) for f in json.loads(out)["findings"]]


@pytest.mark.parametrize(
    ("state", "status"),
    [
        ("active", Status.APPROVED),
        ("submitted", Status.PENDING),
        ("suspended", Status.REVOKED),
        ("rejected", Status.REVOKED),
        ("cancelled", Status.REVOKED),
        ("expired", Status.REVOKED),
    ],
)
def test_subscription_states(here: Path, state: str, status: Status) -> None:
    artifacts(here, state)
    grant = load_model(["."]).applications["shop"].grants[0]
    assert (grant.permission_set, grant.status) == ("shop", status)
    assert grant.blocked_by == (f"subscription state {state!r}" if status is Status.REVOKED else None)


def test_an_unknown_state_is_said_and_grants_nothing(here: Path) -> None:
    artifacts(here, "paused")
    loaded = load_inputs(["."])
    assert loaded.model.applications["shop"].grants == ()
    assert "subscription 'shop' has state 'paused', which policycheck does not read: no grant in test" in [
        n.message for n in loaded.notes
    ]


@pytest.mark.parametrize(
    ("scope", "grant"),
    [
        ("/products/shop", (None, "shop")),
        (
            "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim/products/shop",
            (None, "shop"),
        ),
        ("/apis/orders", ("orders", None)),
        ("/apis", (None, "all APIs")),
    ],
)
def test_subscription_scopes(here: Path, scope: str, grant: tuple[str | None, str | None]) -> None:
    artifacts(here, scope=scope)
    g = load_model(["."]).applications["shop"].grants[0]
    assert (g.permission, g.permission_set) == grant


def test_an_operation_policy_without_base_drops_the_api_check(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    artifacts(
        here,
        api=jwt("Orders.Read", "Orders.Write", match="any"),
        create="<policies><inbound><set-header name='x' exists-action='override'><value>1</value></set-header></inbound></policies>",
    )
    found = pc112(capsys)
    assert [op for op, _ in found] == ["orders.create"]
    assert "test/apis/orders/operations/create-order/policy.xml has no <base /> in <inbound>" in found[0][1]


def test_a_missing_operation_policy_inherits(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    artifacts(here, api=jwt("Orders.Read", "Orders.Write", match="any"))
    assert pc112(capsys) == []


def test_the_api_policy_without_base_drops_product_and_global_checks(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    artifacts(
        here, glob=jwt("Orders.Read", "Orders.Write", match="any", base=False), api="<policies><inbound /></policies>"
    )
    found = pc112(capsys)
    assert sorted(op for op, _ in found) == ["orders.create", "orders.list"]
    assert all("test/apis/orders/policy.xml has no <base /> in <inbound>" in m for _, m in found)


def test_global_and_product_checks_reach_the_operation_through_base(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    artifacts(
        here,
        glob=jwt("Orders.Read", "Orders.Write", match="any", base=False),
        product=jwt("Orders.Admin"),
        api="<policies><inbound><base /></inbound></policies>",
    )
    found = pc112(capsys)
    assert sorted(op for op, _ in found) == ["orders.create", "orders.list"]
    assert all("to hold 'Orders.Admin'" in m and "through product 'shop'" in m for _, m in found)


def test_no_token_check_at_any_scope(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    artifacts(here)
    found = pc112(capsys)
    assert sorted(op for op, _ in found) == ["orders.create", "orders.list"]
    assert all(m.endswith("no validate-jwt or validate-azure-ad-token is in force at any scope") for _, m in found)


def test_match_any_needs_one_value_the_policy_names(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    artifacts(here, api=jwt("Orders.Admin", "Orders.Read", match="any"))
    found = pc112(capsys)
    assert [op for op, _ in found] == ["orders.create"]  # orders.list's Orders.Read is one of them
    assert "to be one of 'Orders.Admin', 'Orders.Read'" in found[0][1]


def test_a_conditional_check_and_a_fragment_are_said(here: Path) -> None:
    artifacts(
        here,
        api="<policies><inbound><base /><choose><when condition='true'><validate-jwt header-name='Authorization' /></when></choose><include-fragment fragment-id='auth' /></inbound></policies>",
    )
    notes = [n.message for n in load_inputs(["."]).notes]
    assert (
        "validate-jwt inside <choose> applies on a condition, which policycheck does not evaluate: not read as a requirement"
        in notes
    )
    assert "policy fragment 'auth' is included here and not read: token checks in it are not seen" in notes


def test_environments_from_configuration_files_with_overrides(here: Path) -> None:
    artifacts(here)
    write(here / "configuration.staging.yaml", "apimServiceName: apim-stg\n")
    write(
        here / "configuration.production.yaml",
        "apimServiceName: apim-prd\nsubscriptions:\n  - name: shop\n    properties:\n      state: suspended\n",
    )
    model = load_model(["."], identity=Identity(environments={"staging": "test", "production": "prod"}))
    grants = {g.environments: g.status for g in model.applications["shop"].grants}
    assert grants == {("test",): Status.APPROVED, ("prod",): Status.REVOKED}


def test_without_configuration_the_folder_is_the_environment(here: Path) -> None:
    artifacts(here)
    model = load_model(["."], identity=Identity(environments={"test/": "qa"}))
    assert set(model.applications["shop"].clients) == {"qa"}


def test_malformed_xml_is_exit_2_at_its_position(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    artifacts(here, api="<policies>\n  <inbound>\n    <base />\n  </inbund>\n</policies>\n")
    code, _out, err = run(capsys, "check", "--no-config", ".")
    assert (code, err) == (2, "policycheck: test/apis/orders/policy.xml:4:5: not valid XML (mismatched tag)\n")


def test_a_dtd_is_refused(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    artifacts(
        here,
        api='<?xml version="1.0"?>\n<!DOCTYPE p [<!ENTITY a "aaaa">]>\n<policies><inbound><base /></inbound></policies>\n',
    )
    code, _, err = run(capsys, "check", "--no-config", ".")
    assert (code, err) == (
        2,
        "policycheck: test/apis/orders/policy.xml:2:13: a DTD in policy.xml is not read (entities are refused)\n",
    )


def test_detected_by_content_at_the_extractors_paths() -> None:
    sub = {"properties": {"displayName": "s", "scope": "/products/p", "state": "active"}}
    assert detect(sub, "x/subscriptions/s/subscriptionInformation.json") == "apim"
    assert detect(sub, "x/subscriptions/subscriptionInformation.json") is None
    assert detect({"name": "x"}, "x/subscriptions/s/subscriptionInformation.json") is None
    assert detect({"openapi": "3.0.1", "paths": {}}, "a/apis/orders/specification.yaml") == "apim"
    assert apim.role("a/apis/orders/operations/create/policy.xml") == ("policy-operation", "a", "orders/create")
    assert apim.role("a/policy fragments/f/policy.xml") is None


def test_minimal_spec_reading() -> None:
    spec = {
        "paths": {
            "/a": {"get": {"operationId": "g"}, "parameters": [], "post": {}},
            "/b/{id}": {"delete": {"operationId": "d"}},
        }
    }
    assert [(m, p, o) for m, p, o, _ in apim._spec_operations(spec)] == [
        ("GET", "/a", "g"),
        ("POST", "/a", None),
        ("DELETE", "/b/{id}", "d"),
    ]


def test_diff_when_prod_approves_the_subscription(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(EXAMPLE, here / "before")
    shutil.copytree(EXAMPLE, here / "after")
    config = here / "after/configuration.prod.yaml"
    config.write_text(config.read_text().replace("state: submitted", "state: active"))
    code, out, err = run(
        capsys, "diff", "--no-config", "--no-color", "--policies", "before/policy.yaml", "before", "after"
    )
    assert (code, err) == (0, "")
    assert (
        " PC302 [reporting-app prod gl.journal-entries.list] reporting-app can now call gl.journal-entries.list in prod"
        in out
    )


def test_input_format_forces_apim(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    artifacts(here, api=jwt("Orders.Read", "Orders.Write", match="any"))
    sub = "test/subscriptions/shop/subscriptionInformation.json"
    code, _, err = run(capsys, "check", "--no-config", "-v", "--input-format", "apim", "policy.yaml", sub)
    assert code == 1  # the subscription alone: its product is not in the input, and that is said
    assert (
        f"policycheck: {sub}:2:3: note: subscription 'shop' is scoped to product 'shop', which the artifacts do not hold: it gives no access in test"
        in err.splitlines()
    )
    assert f"policycheck: {sub}: Azure API Management artifact (APIOps) (--input-format apim)" in err.splitlines()
    code, _, err = run(capsys, "check", "--no-config", "--input-format", "apigee", "policy.yaml", sub)
    assert (code, err) == (2, f"policycheck: {sub}:1:1: not an export of format apigee (--input-format apigee)\n")


def test_a_specification_without_apiops_artifacts_is_not_an_api(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(here / "svc/apis/orders/specification.yaml", SPEC)
    write(here / "policy.yaml", POLICY)
    loaded = load_inputs(["."])
    assert loaded.model.gateway_operations == () and loaded.model.environments == {}
    assert [n.message.split(":")[0] for n in loaded.notes] == [
        "stands where the APIOps extractor writes its files, but no apiInformation.json, productInformation.json or subscriptionInformation.json is beside it"
    ]
    artifacts(here)
    write(here / "test/apis/billing/specification.yaml", SPEC)
    loaded = load_inputs(["."])
    assert {g.api for g in loaded.model.gateway_operations} == {"orders"}
    assert [n.path for n in loaded.notes] == [
        "svc/apis/orders/specification.yaml",
        "test/apis/billing/specification.yaml",
    ]


def test_another_tools_policy_xml_is_skipped_and_a_broken_one_warned(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    artifacts(here, api=jwt("Orders.Read", "Orders.Write", match="any"))
    write(here / "docs/policy.xml", "<security><rule name='x'/></security>\n")
    write(here / "tools/policy.xml", "<policies>\n  <inbound>\n</policies>\n")
    code, _, err = run(capsys, "check", "--no-config", "-v", ".")
    assert code == 0
    lines = err.splitlines()
    assert "policycheck: docs/policy.xml: skipped (another tool's policy.xml (no <policies> at the top))" in lines
    assert (
        "policycheck: tools/policy.xml:3:3: warning: a policy.xml that is not valid XML (not valid XML (mismatched tag)): skipped"
        in lines
    )
