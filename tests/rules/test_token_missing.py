"""PC201 token-missing, through `policycheck token`: what a token lacks for its application's bound operations.

The tokens are signed in the test (tests/tokens_helpers.py keys) and checked
against the small gateway of tests/tokens_helpers.py (policy, export, profile).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tokens_helpers import (
    AUDIENCE,
    POLICY,
    TEST_TOKEN,
    Run,
    at_jwt,
    claims,
    findings_of,
    numbered,
    report,
    token_json,
    where,
)


def token_run(capsys: pytest.CaptureFixture[str], here: Path, *tokens: dict[str, Any], policy: str = POLICY) -> Run:
    """`policycheck token` (JSON) on tokens t1.jwt, t2.jwt, ... signed with the session RSA key."""
    return token_json(capsys, here, numbered(*map(at_jwt, tokens)), policy=policy)


def pc201(run: Run) -> list[dict[str, Any]]:
    return findings_of(run, "PC201")


def test_fails_at_the_token_naming_the_missing_claim_its_permission_and_the_operation(capsys, here):
    run = token_run(capsys, here, claims(scope="x:read"))
    fp = report(run)["tokens"][0]["fingerprint"]
    found = pc201(run)
    assert [where(f) for f in found] == [("PC201", "t1.jwt", 1, "app", "prod", "items.create", "x:write")]
    assert found[0]["severity"] == "error"
    assert found[0]["message"] == (
        f"token {fp} lacks 'x:write' (Write), which items.create needs in prod: the call is refused "
        "(403 insufficient_scope)"
    )
    assert found[0]["fix"] == (
        "make the grant of 'Write' reach app in prod (see `policycheck check`), then request a new token"
    )
    assert run.code == 1


def test_passes_for_a_token_holding_everything_its_environment_needs(capsys, here):
    """The test token (environment from its issuer, application from its client id) holds both claims."""
    run = token_run(capsys, here, claims(scope="x:read x:write openid", **TEST_TOKEN))
    assert (report(run)["tokens"][0]["application"], report(run)["tokens"][0]["environment"]) == ("app", "test")
    assert pc201(run) == []
    lacking = token_run(capsys, here, claims(scope="x:write", **TEST_TOKEN))  # the same token without x:read
    assert [(f["environment"], f["subject"], f["operation"]) for f in pc201(lacking)] == [("test", "x:read", None)]


def test_only_the_operations_bound_in_the_tokens_environment_count(capsys, here):
    policy = POLICY.replace(
        "    environments: [test, prod]\n    operations: [items.list, items.create]\n",
        "    environments: [prod]\n    operations: [items.list]\n"
        "  - application: app\n    environments: [test]\n    operations: [items.list, items.create]\n",
    )
    run = token_run(capsys, here, claims(scope="x:read"), claims(scope="x:read", **TEST_TOKEN), policy=policy)
    assert [where(f) for f in pc201(run)] == [("PC201", "t2.jwt", 1, "app", "test", "items.create", "x:write")]


def test_an_any_of_names_the_smallest_alternative_the_token_lacks(capsys, here):
    policy = POLICY.replace("  - name: Write\n", "  - name: Admin\n    claims: [x:admin]\n  - name: Write\n").replace(
        "      permissions: [Read, Write]\n", "      permissions: {any_of: [[Read, Write], Admin]}\n"
    )
    bare = pc201(token_run(capsys, here, claims(scope="openid"), policy=policy))
    assert [(f["subject"], f["operation"]) for f in bare] == [("x:admin", "items.create"), ("x:read", "items.list")]
    assert "lacks 'x:admin' (Admin), which items.create needs in prod" in bare[0]["message"]
    admin = pc201(token_run(capsys, here, claims(scope="x:read x:admin"), policy=policy))
    assert admin == []  # one alternative held: nothing lacking
    both = pc201(token_run(capsys, here, claims(scope="x:read x:write"), policy=policy))
    assert both == []


def test_a_permission_without_claims_cannot_be_seen_missing(capsys, here):
    """Write declares no claim values: a token cannot show it, so its absence is no PC201 finding."""
    policy = POLICY.replace("  - name: Write\n    claims: [x:write]\n", "  - name: Write\n")
    assert pc201(token_run(capsys, here, claims(scope="x:read"), policy=policy)) == []
    assert [f["subject"] for f in pc201(token_run(capsys, here, claims(scope="openid"), policy=policy))] == ["x:read"]


def test_a_token_of_no_known_application_is_not_judged(capsys, here):
    """A client id the export does not know: no application, no bound operations to judge against."""
    run = token_run(capsys, here, claims(scope="openid", client_id="stranger", aud=AUDIENCE))
    assert report(run)["tokens"][0]["application"] is None
    assert pc201(run) == []
    known = token_run(capsys, here, claims(scope="openid"))
    assert [f["subject"] for f in pc201(known)] == ["x:read", "x:write"]
