"""Rules PC201-PC205 on small inline policies and exports, with tokens signed in the test.

PC202 and PC203 read only the export (they run in `policycheck check`); PC201,
PC204 and PC205 judge tokens (`policycheck token`). Each rule gets a failing and
a passing case; messages are asserted in full where they are the product.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from tokens_helpers import (
    EXPORT,
    NOW,
    NOW_ISO,
    POLICY,
    Run,
    at_jwt,
    claims,
    cli,
    findings_of,
    gateway,
    keys,
    public_pem,
    report,
    sign,
    token_json,
    write,
)

from policycheck.engine import Selection, run
from policycheck.findings import Finding
from policycheck.loading.inputs import load_model


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def export_findings(here: Path, rule: str, policy: str = POLICY, export: str = EXPORT) -> list[Finding]:
    """The findings of one export rule (the engine, as `policycheck check --select RULE` runs it)."""
    gw = gateway(here, policy, export, profile=None)
    model = load_model([str(gw.relative_to(here))])
    return list(run(model, Selection(select=(rule,)), date(2027, 1, 15)).findings)


def brief(f: Finding) -> tuple[str, str, int, str | None, str | None, str | None]:
    return (f.rule, f.location.path, f.location.line, f.application, f.environment, f.operation)


# --- PC202 granted-not-delivered ------------------------------------------------------

SCOPED_POLICY = POLICY.replace("    claims: [x:write]\n", "    claims: [x:write]\n    scopes: [items.write]\n")


def test_pc202_a_permission_outside_the_scope_request_never_reaches_the_token(here):
    export = EXPORT.replace(
        "    clients: {test: app-tst, prod: app-prd}\n",
        "    clients: {test: app-tst, prod: app-prd}\n    scopes: items.read\n",
    )
    found = export_findings(here, "PC202", SCOPED_POLICY, export)
    assert [brief(f) for f in found] == [
        ("PC202", "gw/export.yaml", 15, "app", "prod", "items.create"),
        ("PC202", "gw/export.yaml", 15, "app", "test", "items.create"),
    ]
    assert found[0].message == (
        "app is granted what items.create needs in prod, but it never reaches the token: 'Write' travels only in "
        "scope items.write, which app does not request in prod (scope=items.read)"
    )
    assert found[0].fix == "add items.write to the scope request of app in prod, then request a new token"


def test_pc202_passes_when_the_scope_is_requested_or_the_request_is_unknown(here):
    export = EXPORT.replace(
        "    clients: {test: app-tst, prod: app-prd}\n",
        "    clients: {test: app-tst, prod: app-prd}\n    scopes: {'*': [items.read], prod: items.read items.write}\n",
    )
    assert [(f.environment, f.operation) for f in export_findings(here, "PC202", SCOPED_POLICY, export)] == [
        ("test", "items.create")
    ]
    export = export.replace("'*': [items.read]", "'*': [items.read, items.write]")
    assert export_findings(here, "PC202", SCOPED_POLICY, export) == []
    assert export_findings(here, "PC202", SCOPED_POLICY, EXPORT) == []  # no scopes in the export: nothing filtered


def test_pc202_the_delivery_allow_list_keeps_a_permission_out(here):
    export = EXPORT + "    delivery: {prod: [Read]}\n"
    found = export_findings(here, "PC202", POLICY, export)
    assert [brief(f) for f in found] == [("PC202", "gw/export.yaml", 15, "app", "prod", "items.create")]
    assert found[0].message == (
        "app is granted what items.create needs in prod, but it never reaches the token: the gateway does not let "
        "'Write' into app's tokens in prod (delivery allow-list)"
    )
    assert found[0].fix == (
        "add 'Write' to the delivery allow-list (scope mappings) of app in prod, then request a new token"
    )


def test_pc202_passes_when_the_allow_list_names_the_permission(here):
    export = EXPORT + "    delivery: {prod: [Read, Write], '*': [Read, Write]}\n"
    assert export_findings(here, "PC202", POLICY, export) == []


def test_pc202_is_silent_when_the_grant_is_missing_anyway(here):
    """Not granted at all is PC101's business: PC202 speaks only when the grant is in order."""
    export = EXPORT.replace("permission_set: Writers", "permission_set: Readers") + "    delivery: {prod: [Read]}\n"
    assert export_findings(here, "PC202", POLICY, export) == []


# --- PC203 coarse-scope-request --------------------------------------------------------


def scoped_operations(policy: str = POLICY) -> str:
    return policy.replace(
        "      permissions: [Read, Write]\n",
        "      permissions: [Read, Write]\n      scopes: [items.write]\n",
    )


def with_scopes(scopes: str) -> str:
    return EXPORT.replace(
        "    clients: {test: app-tst, prod: app-prd}\n",
        f"    clients: {{test: app-tst, prod: app-prd}}\n    scopes: {scopes}\n",
    )


def test_pc203_a_coarse_scope_request(here):
    found = export_findings(here, "PC203", scoped_operations(), with_scopes("items"))
    assert [brief(f) for f in found] == [
        ("PC203", "gw/export.yaml", 15, "app", "prod", "items.create"),
        ("PC203", "gw/export.yaml", 15, "app", "test", "items.create"),
    ]
    assert found[0].subject == "items.write"
    assert found[0].message == (
        "app requests scope=items in prod, but items.create needs items.write: the request is too coarse "
        "(items does not include its sub-scopes)"
    )
    assert found[0].fix == (
        "request scope=items items.write in prod (the client's token request and its allowed scopes)"
    )


def test_pc203_a_missing_scope_is_not_called_coarse(here):
    found = export_findings(here, "PC203", scoped_operations(), with_scopes("openid item"))
    assert found[0].message == (
        "app requests scope=openid item in prod, but items.create needs items.write: the request is missing scopes"
    )
    assert (
        found[0].fix
        == "request scope=item items.write openid in prod (the client's token request and its allowed scopes)"
    )


def test_pc203_passes_when_every_needed_scope_is_requested(here):
    assert export_findings(here, "PC203", scoped_operations(), with_scopes("items items.write")) == []
    assert export_findings(here, "PC203", scoped_operations(), EXPORT) == []  # the export does not say


def test_pc203_only_in_the_environment_whose_request_lacks_it(here):
    export = with_scopes("{test: items.write, prod: items.read}")
    found = export_findings(here, "PC203", scoped_operations(), export)
    assert [(f.environment, f.subject) for f in found] == [("prod", "items.write")]
    assert found[0].message.endswith("the request is missing scopes")


# --- token rules through `policycheck token` ----------------------------------------------


def token_run(
    capsys: pytest.CaptureFixture[str],
    here: Path,
    c: dict[str, Any],
    *options: str,
    export: str = EXPORT,
    policy: str = POLICY,
) -> Run:
    return token_json(capsys, here, [("t.jwt", at_jwt(c))], *options, policy=policy, export=export)


# --- PC201 token-missing ----------------------------------------------------------------------


def test_pc201_names_each_missing_claim_and_the_operations_it_blocks(capsys, here):
    r = token_run(capsys, here, claims(scope="openid"))
    found = findings_of(r, "PC201")
    fp = report(r)["tokens"][0]["fingerprint"]
    assert [(f["subject"], f["operation"]) for f in found] == [("x:read", None), ("x:write", "items.create")]
    assert found[0]["message"] == (
        f"token {fp} lacks 'x:read' (Read), which items.list, items.create need in prod: the call is refused "
        "(403 insufficient_scope)"
    )
    assert r.code == 1


def test_pc201_a_required_claim_value_without_a_permission(capsys, here):
    policy = POLICY.replace("      permissions: Read\n", "      permissions: Read\n      claims: [tenant:acme]\n")
    found = findings_of(token_run(capsys, here, claims(scope="x:read x:write"), policy=policy), "PC201")
    assert [(f["subject"], f["operation"]) for f in found] == [("tenant:acme", "items.list")]
    assert found[0]["fix"] == (
        "request 'tenant:acme' in the token request of app in prod (scope=...), then request a new token"
    )


def test_pc201_passes_when_the_token_carries_everything(capsys, here):
    r = token_run(capsys, here, claims(scope="x:read x:write"))
    assert report(r)["findings"] == [] and r.code == 0


def test_pc201_is_not_judged_on_a_rejected_token(capsys, here):
    c = claims(scope="openid")
    gw = gateway(here)
    pem = write(Path("pub.pem"), public_pem(keys().rsa))
    path = write(Path("t.jwt"), sign(c, keys().rsa_other, typ="at+jwt"))
    r = cli(capsys, "token", "--no-config", "--policies", gw, "--key", pem, "--now", NOW_ISO, "--format", "json", path)
    assert [(f["rule"], f["subject"]) for f in report(r)["findings"]] == [("PC205", "signature")]


# --- PC204 token-drift -----------------------------------------------------------------------------


def test_pc204_a_stale_token_lacks_what_the_export_gives(capsys, here):
    r = token_run(capsys, here, claims(scope="x:read"))
    fp = report(r)["tokens"][0]["fingerprint"]
    drift = findings_of(r, "PC204")
    assert [(f["subject"], f["severity"], f["application"], f["environment"]) for f in drift] == [
        ("Write", "warning", "app", "prod")
    ]
    assert drift[0]["message"] == (
        f"the export gives app 'Write' in prod, but token {fp} has no 'x:write': a token issued before the grant, "
        "or a propagation delay"
    )
    assert drift[0]["fix"].startswith("request a new token and run `policycheck token` on it to confirm 'x:write'")


def test_pc204_a_claim_that_no_approved_grant_backs(capsys, here):
    export = EXPORT.replace("permission_set: Writers", "permission_set: Readers")
    r = token_run(capsys, here, claims(scope="x:read x:write"), export=export)
    fp = report(r)["tokens"][0]["fingerprint"]
    drift = findings_of(r, "PC204")
    assert [f["subject"] for f in drift] == ["x:write"]
    assert drift[0]["message"] == (
        f"token {fp} carries 'x:write' (Write), which no approved grant gives app in prod: an over-privileged "
        "token or an out-of-date export"
    )
    assert drift[0]["fix"] == (
        "export the gateway configuration again; if it still lacks the grant, find what issues 'x:write' to app "
        "and revoke it"
    )


def test_pc204_a_pending_grant_backs_nothing(capsys, here):
    export = EXPORT.replace("status: approved", "status: pending")
    drift = findings_of(token_run(capsys, here, claims(scope="x:read x:write"), export=export), "PC204")
    assert [f["subject"] for f in drift] == ["x:read", "x:write"]


def test_pc204_passes_when_the_token_matches_the_export(capsys, here):
    assert findings_of(token_run(capsys, here, claims(scope="x:read x:write openid")), "PC204") == []


def test_pc204_a_filtered_permission_is_not_expected_in_the_token(capsys, here):
    """Write is granted but kept out by the delivery allow-list: its absence is PC202's story, not drift."""
    export = EXPORT + "    delivery: {prod: [Read]}\n"
    r = token_run(capsys, here, claims(scope="x:read"), export=export)
    assert findings_of(r, "PC204") == []


# --- PC205 token-health --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claim", "subject", "message"),
    [
        ({"exp": NOW - 3600}, "exp", "expired at 2027-01-15 07:00:00 UTC: the gateway answers 401"),
        ({"nbf": NOW + 3600}, "nbf", "not valid before 2027-01-15 09:00:00 UTC"),
        ({"iat": NOW + 3600}, "iat", "issued in the future (2027-01-15 09:00:00 UTC)"),
    ],
)
def test_pc205_expired_or_not_yet_valid(capsys, here, claim, subject, message):
    r = token_run(capsys, here, claims(scope="x:read x:write", **claim))
    health = findings_of(r, "PC205")
    fp = report(r)["tokens"][0]["fingerprint"]
    assert [(f["subject"], f["severity"], f["application"], f["environment"]) for f in health] == [
        (subject, "error", "app", "prod")
    ]
    assert health[0]["message"] == f"token {fp}: {message}"
    assert health[0]["location"] == {"path": "t.jwt", "line": 1, "column": 1}
    assert r.code == 1


def test_pc205_now_decides(capsys, here):
    c = claims(scope="x:read x:write", exp=NOW + 3600)
    assert findings_of(token_run(capsys, here, c), "PC205") == []
    later = token_run(capsys, here, c, "--now", "2027-01-15T10:00:00Z")
    assert [f["subject"] for f in findings_of(later, "PC205")] == ["exp"]
    earlier = token_run(capsys, here, claims(scope="x:read x:write", nbf=NOW), "--now", "2027-01-15T07:00:00Z")
    assert [f["subject"] for f in findings_of(earlier, "PC205")] == ["iat", "nbf"]


def test_pc205_passes_for_a_healthy_token(capsys, here):
    r = token_run(capsys, here, claims(scope="x:read x:write"))
    assert findings_of(r, "PC205") == [] and r.code == 0


def test_pc205_fail_on_error_still_fails_and_warnings_alone_do_not(capsys, here):
    stale = token_run(capsys, here, claims(scope="x:read x:write openid"), "--fail-on", "error")
    assert stale.code == 0
    drift_only = token_run(
        capsys,
        here,
        claims(scope="x:read x:write"),
        "--fail-on",
        "error",
        export=EXPORT.replace("permission_set: Writers", "permission_set: Readers"),
    )
    assert [f["rule"] for f in report(drift_only)["findings"]] == ["PC204"] and drift_only.code == 0
    expired = token_run(capsys, here, claims(scope="x:read x:write", exp=NOW - 3600), "--fail-on", "error")
    assert expired.code == 1
