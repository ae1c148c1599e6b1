"""`policycheck token` and `token diff` as a user runs them: inputs, profiles, attribution, the story.

The story is the bundled CloudSuite example: its prod token lacks what the
journal-entry operations need in prod, its test token is clean, and `token diff`
says what prod lacks and which operations that breaks. No output ever contains
a token or its signature.
"""

from __future__ import annotations

import base64
import io
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from tokens_helpers import (
    ISSUER,
    NOW_ISO,
    STORY,
    TEST_AUDIENCE,
    TEST_ISSUER,
    Run,
    assert_one_line_error,
    claims,
    cli,
    gateway,
    keys,
    public_pem,
    raw,
    report,
    sign,
    subjects,
    write,
)

FORMATS = ("text", "json", "sarif", "markdown", "github", "junit")


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def pem(here: Path) -> Path:
    return write(Path("pub.pem"), public_pem(keys().rsa))


def token(capsys: pytest.CaptureFixture[str], *args: str | Path) -> Run:
    return cli(capsys, "token", "--no-config", "--now", NOW_ISO, *args)


def summary(run: Run, index: int = 0) -> dict[str, Any]:
    """The JSON report's summary of one token."""
    tokens: list[dict[str, Any]] = report(run)["tokens"]
    return tokens[index]


# --- inputs ---------------------------------------------------------------------


def test_a_file(capsys, pem):
    path = write(Path("t.jwt"), sign(claims(), keys().rsa, kid="k"))
    run = token(capsys, "--key", pem, "--format", "json", path)
    assert run.code == 0 and run.err == ""
    t = summary(run)
    assert (t["source"], t["verified"], t["alg"], t["kid"], t["issuer"]) == ("t.jwt", True, "RS256", "k", ISSUER)
    assert t["permissions"] == ["x:read"] and t["expires"] == "2027-01-15T09:00:00Z"


def test_stdin(capsys, pem, monkeypatch):
    text = "Bearer " + sign(claims(scope="a b"), keys().rsa) + "\n"

    class Stdin:
        buffer = io.BytesIO(text.encode())

    monkeypatch.setattr(sys, "stdin", Stdin)
    run = token(capsys, "--key", pem, "--format", "json", "-")
    assert run.code == 0, run
    t = summary(run)
    assert (t["source"], t["verified"], t["permissions"]) == ("stdin", True, ["a", "b"])
    assert run.err == ""  # stdin is a safe way to pass a token: no warning


def test_stdin_is_capped_too(capsys, pem, monkeypatch):
    class Stdin:
        buffer = io.BytesIO(b"a" * 100_000)

    monkeypatch.setattr(sys, "stdin", Stdin)
    assert_one_line_error(token(capsys, "--key", pem, "-"), "stdin: token input is over 16384 bytes")
    assert Stdin.buffer.tell() == 16385  # read stops one byte past the cap


def test_an_environment_variable(capsys, pem, monkeypatch):
    monkeypatch.setenv("ACCESS_TOKEN", sign(claims(), keys().rsa))
    run = token(capsys, "--key", pem, "--format", "json", "env:ACCESS_TOKEN")
    assert run.code == 0 and summary(run)["source"] == "env:ACCESS_TOKEN" and summary(run)["verified"] is True
    assert run.err == ""
    monkeypatch.delenv("ACCESS_TOKEN")
    assert_one_line_error(
        token(capsys, "--key", pem, "env:ACCESS_TOKEN"), "env:ACCESS_TOKEN: the environment variable is not set"
    )


def test_decoded_claims_json_is_read_and_labelled_unverified(capsys, pem):
    path = write(Path("claims.json"), json.dumps(claims(scope="x:read x:write")))
    run = token(capsys, "--no-verify", "--format", "json", path)  # with --key: exit 2 (test_token_hardening)
    t = summary(run)
    assert run.code == 0 and t["verified"] is False and t["problem"] is None and t["alg"] is None
    assert t["permissions"] == ["x:read", "x:write"]
    assert report(run)["verified"] is False


def test_a_token_response_with_a_jwt_and_scope(capsys, pem):
    jwt_text = sign(claims(scope="x:read"), keys().rsa)
    body = {"access_token": jwt_text, "token_type": "Bearer", "expires_in": 3600, "scope": "x:read"}
    run = token(capsys, "--key", pem, "--format", "json", write(Path("response.json"), json.dumps(body)))
    assert run.code == 0, run
    t = summary(run)
    assert (t["verified"], t["alg"], t["permissions"]) == (True, "RS256", ["x:read"])
    assert jwt_text not in run.text


def test_a_token_response_whose_jwt_is_expired_or_has_no_exp_is_judged_like_any_jwt(capsys, pem):
    for c, message in (
        (claims(exp=1_700_000_000), "expired at 2023-11-14 22:13:20 UTC: the gateway answers 401"),
        (claims(exp=None), "no expiry (exp): the token never expires"),
    ):
        body = {"access_token": sign(c, keys().rsa), "scope": "x:read"}
        run = token(capsys, "--key", pem, write(Path("response.json"), json.dumps(body)))
        assert run.code == 1 and message in run.out, run


def test_an_opaque_token_response_carries_its_scope_only(capsys, here):
    gw = gateway(here)
    body = {"access_token": "2YotnFZFEjr1zCsicMWpAA", "token_type": "Bearer", "scope": "x:read openid"}
    path = write(Path("response.json"), json.dumps(body))
    run = token(capsys, "--policies", gw, "--no-verify", "--env", "prod", "--app", "app", "--format", "json", path)
    t = summary(run)
    assert (t["verified"], t["alg"], t["permissions"]) == (False, None, ["openid", "x:read"])
    assert (t["application"], t["environment"]) == ("app", "prod")
    # nothing is known of its claims: no issuer, audience, typ, expiry or permission-claim findings
    assert report(run)["findings"] == [] and run.code == 0
    assert "2YotnFZFEjr1zCsicMWpAA" not in run.text


def test_an_opaque_token_response_still_lacks_scopes_an_operation_needs(capsys, here):
    policy = (
        gateway(here)
        .joinpath("policy.yaml")
        .read_text()
        .replace("      permissions: Read\n", "      permissions: Read\n      scopes: [items.read]\n")
    )
    gw = gateway(here, policy=policy)
    body = {"access_token": "opaque", "scope": "openid"}
    path = write(Path("response.json"), json.dumps(body))
    run = token(capsys, "--policies", gw, "--no-verify", "--env", "prod", "--app", "app", "--format", "json", path)
    assert [(f["rule"], f["subject"], f["operation"]) for f in report(run)["findings"]] == [
        ("PC201", "items.read", "items.list")
    ]


def test_an_active_introspection_response_is_read(capsys, pem):
    body = {"active": True, **claims(scope="x:read x:write")}
    run = token(capsys, "--no-verify", "--format", "json", write(Path("introspection.json"), json.dumps(body)))
    t = summary(run)
    assert run.code == 0 and t["permissions"] == ["x:read", "x:write"] and t["verified"] is False


@pytest.mark.parametrize("active", [False, "true", 1, None])
def test_an_inactive_introspection_response_is_exit_2(capsys, pem, active):
    path = write(Path("introspection.json"), json.dumps({"active": active, "scope": "x:read"}))
    assert_one_line_error(
        token(capsys, "--key", pem, path), "introspection.json: the introspection response says the token is not active"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"access_token": 12}', "access_token: expected a string"),
        ("[1, 2]", "not a JWT (expected header.payload.signature in base64url; found no dots)"),
        ("{not json", "in.json:1:2: not a JWT and not valid JSON: Expecting property name enclosed in double quotes"),
        ('\n\n  {"sub": "x",, }', "in.json:3:15: not a JWT and not valid JSON: Expecting property name"),
        ('{"exp": NaN}', "in.json: not a JWT and not valid JSON"),
        ('{"exp": 1e999}', "in.json: not a JWT and not valid JSON"),
    ],
)
def test_json_inputs_that_cannot_be_used_are_exit_2(capsys, pem, body, message):
    assert_one_line_error(token(capsys, "--key", pem, write(Path("in.json"), body)), message)


def test_several_tokens_in_one_run_are_reported_each(capsys, pem):
    a = write(Path("a.jwt"), sign(claims(), keys().rsa))
    b = write(Path("b.jwt"), sign(claims(exp=1_700_000_000), keys().rsa))
    run = token(capsys, "--key", pem, "--format", "json", a, b)
    assert [t["source"] for t in report(run)["tokens"]] == ["a.jwt", "b.jwt"]
    assert [(f["rule"], f["subject"], f["location"]["path"]) for f in report(run)["findings"]] == [
        ("PC205", "exp", "b.jwt")
    ]
    assert run.code == 1


# --- profiles --------------------------------------------------------------------

EVERY_VENDOR = {
    "iss": ISSUER,
    "exp": 1_800_003_600,
    "scope": "scope-a scope-b",
    "scp": "scp-string-a scp-string-b",
    "roles": ["role-a"],
    "groups": ["group-a"],
    "entitlements": ["entitlement-a"],
    "permissions": ["permission-a"],
    "realm_access": {"roles": ["realm-role"]},
    "resource_access": {"account": {"roles": ["account-role"]}, "gl": {"roles": ["gl-role"]}, "x": {"nope": ["n"]}},
    "cognito:groups": ["cognito-group"],
    "client_id": "client-id",
    "azp": "azp-client",
    "cid": "okta-cid",
    "appid": "entra-appid",
}


@pytest.mark.parametrize(
    ("profile", "values", "client"),
    [
        (
            "keycloak",
            ["account-role", "gl-role", "realm-role", "scope-a", "scope-b"],
            "azp-client",
        ),
        ("entra", ["role-a", "scp-string-a", "scp-string-b"], "azp-client"),
        ("okta", ["group-a", "scp-list-a", "scp-list-b"], "okta-cid"),
        ("auth0", ["permission-a", "scope-a", "scope-b"], "azp-client"),
        ("cognito", ["cognito-group", "scope-a", "scope-b"], "client-id"),
        ("rfc9068", ["entitlement-a", "group-a", "role-a", "scope-a", "scope-b"], "client-id"),
        (
            "generic",
            ["permission-a", "role-a", "scope-a", "scope-b", "scp-string-a", "scp-string-b"],
            "client-id",
        ),
    ],
)
def test_each_built_in_profile_reads_its_vendors_claims_and_no_others(capsys, pem, profile, values, client):
    c = dict(EVERY_VENDOR)
    if profile == "okta":  # Okta sends scp as an array
        c["scp"] = ["scp-list-a", "scp-list-b"]
    path = write(Path("t.jwt"), sign(c, keys().rsa, typ="at+jwt"))
    run = token(capsys, "--key", pem, "--profile", profile, "--format", "json", path)
    t = summary(run)
    assert (t["permissions"], t["client"]) == (values, client)


def test_entra_falls_back_to_appid_and_keycloak_to_client_id(capsys, pem):
    c = {k: v for k, v in EVERY_VENDOR.items() if k != "azp"}
    path = write(Path("t.jwt"), sign(c, keys().rsa))
    assert (
        summary(token(capsys, "--key", pem, "--profile", "entra", "--format", "json", path))["client"] == "entra-appid"
    )
    assert (
        summary(token(capsys, "--key", pem, "--profile", "keycloak", "--format", "json", path))["client"] == "client-id"
    )


def test_claim_values_of_the_wrong_shape_are_ignored(capsys, pem):
    c = claims(scope=None, roles=["ok", 1, None, {"a": "b"}, ["nested"]], scp=42, permissions={"a": "b"})
    path = write(Path("t.jwt"), sign(c, keys().rsa))
    assert summary(token(capsys, "--key", pem, "--format", "json", path))["permissions"] == ["ok"]


def test_a_profile_file_is_used_when_it_is_the_only_one(capsys, here, pem):
    profile = (
        "apiVersion: policycheck/v1\nkind: TokenProfile\nname: mine\nextends: keycloak\n"
        "permission_claims: [resource_access.gl.roles]\nclient_claims: [cid]\n"
    )
    gw = gateway(here, profile=profile)
    path = write(Path("t.jwt"), sign(EVERY_VENDOR, keys().rsa))
    t = summary(token(capsys, "--policies", gw, "--key", pem, "--format", "json", path))
    assert (t["permissions"], t["client"]) == (["gl-role"], "okta-cid")


def test_an_unknown_profile_is_exit_2(capsys, pem):
    run = token(capsys, "--key", pem, "--profile", "nope", write(Path("t.jwt"), sign(claims(), keys().rsa)))
    assert_one_line_error(
        run, "unknown token profile 'nope' (known: rfc9068, keycloak, entra, okta, auth0, cognito, generic)"
    )


# --- attribution: environment and application -------------------------------------------


@pytest.fixture
def gw(here: Path) -> Path:
    return gateway(here)


def attributed(capsys: pytest.CaptureFixture[str], gw: Path, pem: Path, *options: str, **claim: Any) -> tuple[Any, Any]:
    path = write(Path("t.jwt"), sign(claims(**claim), keys().rsa, typ="at+jwt"))
    t = summary(token(capsys, "--policies", gw, "--key", pem, "--format", "json", *options, path))
    return t["application"], t["environment"]


def test_the_environment_comes_from_the_issuer_and_the_application_from_the_client(capsys, gw, pem):
    assert attributed(capsys, gw, pem) == ("app", "prod")
    assert attributed(capsys, gw, pem, iss=TEST_ISSUER, aud=TEST_AUDIENCE, client_id="app-tst") == ("app", "test")


def test_the_audience_names_the_environment_when_the_issuer_does_not(capsys, gw, pem):
    assert attributed(capsys, gw, pem, iss="https://elsewhere.test", aud=[TEST_AUDIENCE], client_id="app-tst") == (
        "app",
        "test",
    )


def test_the_client_names_the_environment_when_nothing_else_does(capsys, gw, pem):
    assert attributed(capsys, gw, pem, iss=None, aud=None, client_id="app-tst") == ("app", "test")


def test_a_client_of_another_environment_is_no_application(capsys, gw, pem):
    assert attributed(capsys, gw, pem, client_id="app-tst") == (None, "prod")
    assert attributed(capsys, gw, pem, client_id="someone-else") == (None, "prod")
    assert attributed(capsys, gw, pem, iss=None, aud=None, client_id=None) == (None, None)


def test_env_and_app_override_the_claims(capsys, gw, pem):
    assert attributed(capsys, gw, pem, "--env", "test") == (None, "test")  # app-prd is not the test client
    assert attributed(capsys, gw, pem, "--env", "test", "--app", "app") == ("app", "test")
    assert attributed(capsys, gw, pem, "--app", "app", client_id="unknown") == ("app", "prod")


def test_an_overridden_environment_is_judged_by_its_own_issuer_and_audience(capsys, gw, pem):
    path = write(Path("t.jwt"), sign(claims(scope="x:read x:write"), keys().rsa, typ="at+jwt"))
    run = token(capsys, "--policies", gw, "--key", pem, "--env", "test", "--app", "app", "--format", "json", path)
    assert [(f["rule"], f["subject"]) for f in report(run)["findings"]] == [("PC205", "aud"), ("PC205", "iss")]


def test_an_unknown_application_is_exit_2(capsys, gw, pem):
    run = token(
        capsys, "--policies", gw, "--key", pem, "--app", "nope", write(Path("t.jwt"), sign(claims(), keys().rsa))
    )
    assert_one_line_error(run, "unknown application 'nope' (not in the export)")


def test_a_client_shared_by_two_applications_names_neither(capsys, here, pem):
    export = gateway(here).joinpath("export.yaml").read_text()
    export += "  - id: twin\n    clients: {test: app-tst, prod: app-prd}\n"
    gw = gateway(here, export=export)
    assert attributed(capsys, gw, pem) == (None, "prod")


# --- the story -------------------------------------------------------------------------


@pytest.fixture
def story(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(STORY, tmp_path / "cloudsuite")
    monkeypatch.chdir(tmp_path / "cloudsuite")
    return tmp_path / "cloudsuite"


def story_run(capsys: pytest.CaptureFixture[str], *args: str) -> Run:
    return cli(capsys, "token", *args[:1], "--no-config", "--policies", ".", "--jwks", "tokens/jwks.json", *args[1:])


def test_the_story_prod_token_lacks_exactly_what_prod_needs(capsys, story):
    run = story_run(capsys, "tokens/prod.jwt", "--format", "json")
    assert run.code == 1 and run.err == ""
    data = report(run)
    assert data["verified"] is True
    assert [(f["rule"], f["subject"], f["operation"]) for f in data["findings"]] == [
        ("PC201", "CloudSuite.FinancialManagement.JournalEntry.Write", None),
        ("PC201", "gl:journal:post", None),
        ("PC201", "fm:transaction:write", "gl.journal-entries.create"),
        ("PC201", "gl:journal:write", "gl.journal-entries.create"),
    ]
    assert {(f["application"], f["environment"], f["location"]["path"]) for f in data["findings"]} == {
        ("compliance-sync", "prod", "tokens/prod.jwt")
    }
    by_subject = {f["subject"]: f for f in data["findings"]}
    assert by_subject["gl:journal:write"]["message"] == (
        f"token {data['tokens'][0]['fingerprint']} lacks 'gl:journal:write' (General Ledger - Journal Entry Create), "
        "which gl.journal-entries.create needs in prod: the call is refused (403 insufficient_scope)"
    )
    assert by_subject["CloudSuite.FinancialManagement.JournalEntry.Write"]["fix"] == (
        "request 'CloudSuite.FinancialManagement.JournalEntry.Write' in the token request of compliance-sync in prod "
        "(scope=...), then request a new token"
    )


def test_the_story_prod_token_text_report(capsys, story):
    run = story_run(capsys, "tokens/prod.jwt")
    assert run.code == 1
    lines = run.out.splitlines()
    assert lines[0] == "token ec4341b4bf21 (tokens/prod.jwt): verified, alg RS256, kid cloudsuite-example-2026"
    assert lines[1:7] == [
        "  issuer:      https://mingle-sso.inforcloudsuite.com:443/ACME_PRD/as/",
        "  audience:    https://mingle-ionapi.inforcloudsuite.com/ACME_PRD",
        "  client:      ACME_PRD~compliance-sync -> compliance-sync in prod",
        "  subject:     ACME_PRD#compliance-sync",
        "  expires:     2100-01-01 00:00:00 UTC",
        "  permissions: CloudSuite.FinancialManagement gl:journal:read",
    ]
    assert lines[-1] == "4 errors; 1 application x 2 environments x 3 operations checked (6 bindings, 3 files)"


def test_the_story_test_token_is_clean(capsys, story):
    run = story_run(capsys, "tokens/test.jwt")
    assert run.code == 0 and run.err == ""
    assert run.out.endswith(
        "no findings; 1 application x 2 environments x 3 operations checked (6 bindings, 3 files)\n"
    )
    assert "client:      ACME_TST~compliance-sync -> compliance-sync in test" in run.out


def test_the_story_token_diff(capsys, story):
    run = story_run(capsys, "diff", "tokens/test.jwt", "tokens/prod.jwt")
    assert run.code == 1 and run.err == ""
    assert run.out == (
        "A: token 9441766464e5 (tokens/test.jwt): verified, alg RS256, kid cloudsuite-example-2026\n"
        "  issuer:      https://mingle-sso.inforcloudsuite.com:443/ACME_TST/as/\n"
        "  audience:    https://mingle-ionapi.inforcloudsuite.com/ACME_TST\n"
        "  client:      ACME_TST~compliance-sync -> compliance-sync in test\n"
        "  subject:     ACME_TST#compliance-sync\n"
        "  expires:     2100-01-01 00:00:00 UTC\n"
        "  permissions: CloudSuite.FinancialManagement fm:transaction:write gl:journal:post gl:journal:read "
        "gl:journal:write\n"
        "B: token ec4341b4bf21 (tokens/prod.jwt): verified, alg RS256, kid cloudsuite-example-2026\n"
        "  issuer:      https://mingle-sso.inforcloudsuite.com:443/ACME_PRD/as/\n"
        "  audience:    https://mingle-ionapi.inforcloudsuite.com/ACME_PRD\n"
        "  client:      ACME_PRD~compliance-sync -> compliance-sync in prod\n"
        "  subject:     ACME_PRD#compliance-sync\n"
        "  expires:     2100-01-01 00:00:00 UTC\n"
        "  permissions: CloudSuite.FinancialManagement gl:journal:read\n"
        "\n"
        "permission claims:\n"
        "    CloudSuite.FinancialManagement\n"
        "  - fm:transaction:write  only in A (test)\n"
        "  - gl:journal:post  only in A (test)\n"
        "    gl:journal:read\n"
        "  - gl:journal:write  only in A (test)\n"
        "\n"
        "B (prod) lacks fm:transaction:write, gl:journal:post, gl:journal:write\n"
        "  which breaks gl.journal-entries.create, gl.journal-entries.post for compliance-sync in prod\n"
    )


def test_the_story_token_diff_the_other_way_round(capsys, story):
    run = story_run(capsys, "diff", "tokens/prod.jwt", "tokens/test.jwt")
    assert run.code == 1
    assert run.out.endswith(
        "  + fm:transaction:write  only in B (test)\n"
        "  + gl:journal:post  only in B (test)\n"
        "    gl:journal:read\n"
        "  + gl:journal:write  only in B (test)\n"
        "\n"
        "A (prod) lacks fm:transaction:write, gl:journal:post, gl:journal:write\n"
        "  which breaks gl.journal-entries.create, gl.journal-entries.post for compliance-sync in prod\n"
    )


def test_token_diff_of_a_token_with_itself(capsys, story):
    run = story_run(capsys, "diff", "tokens/test.jwt", "tokens/test.jwt")
    assert run.code == 0 and run.out.endswith("\nthe two tokens carry the same permissions\n")


def test_token_diff_unverified_says_so_first(capsys, story):
    run = cli(
        capsys, "token", "diff", "--no-config", "--policies", ".", "--no-verify", "tokens/test.jwt", "tokens/prod.jwt"
    )
    assert run.code == 1
    assert run.out.startswith("UNVERIFIED: a token was decoded without checking its signature\n\nA: token 9441766464e5")


def test_token_diff_without_attribution_says_what_it_needs(capsys, story):
    run = cli(capsys, "token", "diff", "--no-config", "--no-verify", "tokens/test.jwt", "tokens/prod.jwt")
    assert run.code == 1
    assert "(which operations that breaks needs the token's application and environment)" in run.out


def test_token_diff_needs_two_tokens(capsys, story):
    run = cli(capsys, "token", "diff", "--no-config", "--no-verify", "tokens/test.jwt")
    assert run.code == 2 and "token diff compares exactly two tokens: A B" in run.err and "Traceback" not in run.err


def test_the_story_verifies_with_the_pem_key_too(capsys, story):
    run = cli(
        capsys, "token", "--no-config", "--policies", ".", "--key", "tokens/example-public-key.pem", "tokens/test.jwt"
    )
    assert run.code == 0 and ": verified, alg RS256, kid cloudsuite-example-2026" in run.out


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_output_ever_contains_the_token_or_its_signature(capsys, story, fmt):
    prod = (story / "tokens" / "prod.jwt").read_text().strip()
    test = (story / "tokens" / "test.jwt").read_text().strip()
    runs = [
        story_run(capsys, "tokens/prod.jwt", "tokens/test.jwt", "--format", fmt),
        story_run(capsys, "diff", "tokens/test.jwt", "tokens/prod.jwt"),
        cli(capsys, "token", "--no-config", "--policies", ".", "--no-verify", "--format", fmt, "tokens/prod.jwt"),
    ]
    for run in runs:
        assert run.code == 1 and "Traceback" not in run.text
        for jwt_text in (prod, test):
            header, payload, signature = jwt_text.split(".")
            for secret in (jwt_text, payload, signature, signature[:20], f"{header}.{payload}"):
                assert secret not in run.text


def test_an_expired_story_token_is_a_401_not_a_403(capsys, story):
    run = story_run(capsys, "tokens/test.jwt", "--now", "2100-01-01T00:01:00Z", "--format", "json")
    assert run.code == 1
    assert [(f["rule"], f["subject"]) for f in report(run)["findings"]] == [("PC205", "exp")]
    assert report(run)["findings"][0]["message"].endswith(
        ": expired at 2100-01-01 00:00:00 UTC: the gateway answers 401"
    )


def test_a_tampered_story_token_is_rejected_and_its_claims_are_not_judged(capsys, story):
    header, payload, signature = (story / "tokens" / "prod.jwt").read_text().strip().split(".")
    forged = unb64(payload)  # the prod claims, given test's permissions
    forged["permissions"] = ["gl:journal:read", "gl:journal:write", "gl:journal:post", "fm:transaction:write"]
    tampered = raw(unb64(header), forged).rsplit(".", 1)[0] + "." + signature
    write(Path("tokens/forged.jwt"), tampered)
    run = story_run(capsys, "tokens/forged.jwt", "--format", "json")
    assert run.code == 1
    assert [(f["rule"], f["subject"]) for f in report(run)["findings"]] == [("PC205", "signature")]
    assert report(run)["tokens"][0]["problem"] == "the signature does not verify with the configured key"
    assert subjects(run, "PC201") == []


def unb64(segment: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    return data
