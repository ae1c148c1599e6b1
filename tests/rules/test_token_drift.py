"""PC204 token-drift, through `policycheck token`: a token disagrees with what the export gives its application.

The tokens are signed in the test (tests/tokens_helpers.py keys) and checked
against the small gateway of tests/tokens_helpers.py (policy, export, profile).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tokens_helpers import (
    EXPORT,
    NOW_ISO,
    POLICY,
    TEST_TOKEN,
    Run,
    at_jwt,
    claims,
    cli,
    findings_of,
    gateway,
    keys,
    numbered,
    report,
    token_json,
    where,
    write,
)

# Read everywhere, Write approved in test only: the two environments' tokens should differ.
WRITE_IN_TEST_ONLY = EXPORT.replace(
    "      - permission_set: Writers\n        status: approved\n",
    "      - permission_set: Readers\n        status: approved\n"
    "      - permission_set: Writers\n        status: approved\n        environments: [test]\n",
)


def token_run(
    capsys: pytest.CaptureFixture[str], here: Path, *tokens: dict[str, Any], export: str = EXPORT, key: Any = None
) -> Run:
    """`policycheck token` (JSON) on tokens t1.jwt, t2.jwt, ... signed with `key` (default: the verifying key)."""
    return token_json(capsys, here, numbered(*(at_jwt(c, key) for c in tokens)), export=export)


def pc204(run: Run) -> list[dict[str, Any]]:
    return findings_of(run, "PC204")


def test_fails_for_a_stale_token_without_what_the_export_delivers(capsys, here):
    run = token_run(capsys, here, claims(scope="x:write", **TEST_TOKEN))
    fp = report(run)["tokens"][0]["fingerprint"]
    found = pc204(run)
    assert [where(f) for f in found] == [("PC204", "t1.jwt", 1, "app", "test", None, "Read")]
    assert found[0]["severity"] == "warning"
    assert found[0]["message"] == (
        f"the export gives app 'Read' in test, but token {fp} has no 'x:read': a token issued before the grant, "
        "or a propagation delay"
    )
    assert found[0]["fix"] == (
        "request a new token and run `policycheck token` on it to confirm 'x:read' arrives; if it still does not, "
        "check that test is activated for the new permissions (environment sync) and try again after the cache "
        "refresh"
    )


def test_passes_when_each_token_carries_what_its_environment_delivers(capsys, here):
    run = token_run(
        capsys, here, claims(scope="x:read"), claims(scope="x:read x:write", **TEST_TOKEN), export=WRITE_IN_TEST_ONLY
    )
    assert [(t["environment"], t["permissions"]) for t in report(run)["tokens"]] == [
        ("prod", ["x:read"]),
        ("test", ["x:read", "x:write"]),
    ]
    assert pc204(run) == []


def test_drift_between_two_tokens_with_the_same_claims(capsys, here):
    """The same claims are right in test and over-privileged in prod, where no grant gives Write."""
    same = "x:read x:write"
    run = token_run(capsys, here, claims(scope=same), claims(scope=same, **TEST_TOKEN), export=WRITE_IN_TEST_ONLY)
    fp = report(run)["tokens"][0]["fingerprint"]
    found = pc204(run)
    assert [where(f) for f in found] == [("PC204", "t1.jwt", 1, "app", "prod", None, "x:write")]
    assert found[0]["message"] == (
        f"token {fp} carries 'x:write' (Write), which no approved grant gives app in prod: an over-privileged "
        "token or an out-of-date export"
    )
    # and the other way round: both without Write, only the test token is stale
    stale = token_run(
        capsys, here, claims(scope="x:read"), claims(scope="x:read", **TEST_TOKEN), export=WRITE_IN_TEST_ONLY
    )
    assert [where(f) for f in pc204(stale)] == [("PC204", "t2.jwt", 1, "app", "test", None, "Write")]


def test_a_value_outside_the_catalogue_is_not_drift(capsys, here):
    """Only claims of catalogued permissions are compared; openid or another API's scope is not the export's."""
    assert pc204(token_run(capsys, here, claims(scope="x:read x:write openid other:thing"))) == []


def test_a_rejected_token_is_not_compared(capsys, here):
    run = token_run(capsys, here, claims(scope="x:read"), key=keys().rsa_other)
    assert [(f["rule"], f["subject"]) for f in report(run)["findings"]] == [("PC205", "signature")]
    assert pc204(token_run(capsys, here, claims(scope="x:read"))) != []  # the same token, verified: drift


def test_an_opaque_token_response_is_not_compared(capsys, here):
    """Only the response's scope is known of an opaque token: it cannot show what the export delivers."""
    gw = gateway(here, POLICY, EXPORT)
    opaque = write(Path("response.json"), json.dumps({"access_token": "2YotnFZFEjr1zCsicMWpAA", "scope": "x:read"}))
    decoded = write(Path("claims.json"), json.dumps(claims(scope="x:read")))
    args = ("token", "--no-config", "--policies", gw, "--no-verify", "--env", "prod", "--app", "app")
    assert pc204(cli(capsys, *args, "--now", NOW_ISO, "--format", "json", opaque)) == []
    assert [f["subject"] for f in pc204(cli(capsys, *args, "--now", NOW_ISO, "--format", "json", decoded))] == ["Write"]
