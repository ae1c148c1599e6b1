"""PC205 token-health: a token the gateway would reject (401) or that is unsafe to rely on.

Through `policycheck token` with tokens signed in the test (tests/tokens_helpers.py
keys), and through the library, where the clock leeway travels on each Token.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from tokens_helpers import (
    NOW,
    TEST_AUDIENCE,
    TEST_ISSUER,
    Run,
    at_jwt,
    claims,
    findings_of,
    gateway,
    raw,
    report,
    token_json,
    write,
)

from policycheck.engine import Selection, run
from policycheck.loading.inputs import load_model
from policycheck.records import replace
from policycheck.tokens import source
from policycheck.tokens.build import build, pick_profile
from policycheck.tokens.verify import Verification

GOOD = "x:read x:write"


def token_run(capsys: pytest.CaptureFixture[str], here: Path, text: str, *options: str) -> Run:
    """`policycheck token` (JSON) on one token t.jwt, verified with the session RSA key unless --no-verify."""
    rest = [o for o in options if o != "--no-verify"]
    return token_json(capsys, here, [("t.jwt", text)], *rest, verify="--no-verify" not in options)


def pc205(run: Run) -> list[dict[str, Any]]:
    return findings_of(run, "PC205")


def signed(**over: Any) -> str:
    return at_jwt(claims(scope=GOOD, **over))


def test_fails_for_an_expired_token_with_a_401_and_a_new_token_as_the_fix(capsys, here):
    run = token_run(capsys, here, signed(exp=NOW - 7200))
    fp = report(run)["tokens"][0]["fingerprint"]
    found = pc205(run)
    assert [
        (f["rule"], f["location"]["path"], f["location"]["line"], f["application"], f["environment"], f["operation"])
        for f in found
    ] == [("PC205", "t.jwt", 1, "app", "prod", None)]
    assert (found[0]["subject"], found[0]["severity"]) == ("exp", "error")
    assert found[0]["message"] == f"token {fp}: expired at 2027-01-15 06:00:00 UTC: the gateway answers 401"
    assert found[0]["fix"] == "request a new token"
    assert run.code == 1


def test_passes_for_a_token_within_its_validity_for_its_environments_issuer_and_audience(capsys, here):
    test_token = {"iss": TEST_ISSUER, "aud": TEST_AUDIENCE, "client_id": "app-tst"}
    run = token_run(capsys, here, signed(**test_token))
    assert report(run)["tokens"][0]["environment"] == "test"
    assert pc205(run) == [] and run.code == 0
    # the test issuer with the prod audience: the test environment expects another audience
    wrong = pc205(token_run(capsys, here, signed(**{**test_token, "aud": "https://api.example.test"})))
    assert [(f["environment"], f["subject"]) for f in wrong] == [("test", "aud")]
    assert wrong[0]["message"].endswith(f": audience is not {TEST_AUDIENCE}: the gateway answers 401")
    assert wrong[0]["fix"] == f"request the token for audience {TEST_AUDIENCE}"


@pytest.mark.parametrize(
    ("over", "expected"),
    [
        ({"exp": NOW - 120}, [("exp", "expired at 2027-01-15 07:58:00 UTC: the gateway answers 401")]),
        ({"exp": NOW - 119}, []),
        ({"nbf": NOW + 121}, [("nbf", "not valid before 2027-01-15 08:02:01 UTC")]),
        ({"nbf": NOW + 120}, []),
        ({"iat": NOW + 121}, [("iat", "issued in the future (2027-01-15 08:02:01 UTC)")]),
        ({"iat": NOW + 120}, []),
    ],
    ids=["exp-at-leeway", "exp-inside", "nbf-past-leeway", "nbf-at-leeway", "iat-past-leeway", "iat-at-leeway"],
)
def test_the_leeway_boundary(capsys, here, over, expected):
    """--leeway 120: expired when exp <= now - 120; too early when nbf or iat > now + 120."""
    run = token_run(capsys, here, signed(**over), "--leeway", "120")
    fp = report(run)["tokens"][0]["fingerprint"]
    assert [(f["subject"], f["message"]) for f in pc205(run)] == [(s, f"token {fp}: {m}") for s, m in expected]


def test_the_leeway_is_each_tokens_own(here):
    """Library: two tokens expired 30 s ago in one model, one read with leeway 0, one with the default 60."""
    gateway(here)
    model = load_model(["gw/policy.yaml", "gw/export.yaml", "gw/token-profile.yaml"])
    profile = pick_profile(model, None)
    token = signed(exp=NOW - 30)
    strict, lenient = (
        build(source.read(str(write(Path(name), token))), model, profile, Verification(verify=False, leeway=leeway))
        for name, leeway in (("t.jwt", 0), ("u.jwt", 60))
    )
    assert (strict.leeway, lenient.leeway) == (0, 60)
    found = run(replace(model, tokens=(strict, lenient)), Selection(select=("PC205",)), date(2027, 1, 15), NOW)
    assert [(f.location.path, f.subject, f.message) for f in found.findings] == [
        ("t.jwt", "exp", f"token {strict.fingerprint}: expired at 2027-01-15 07:59:30 UTC: the gateway answers 401")
    ]


def test_alg_none_is_unsigned_even_when_not_verified(capsys, here):
    """--no-verify skips the signature check, not the health check: alg none is still a finding (no 'rejected')."""
    token = raw({"alg": "none", "typ": "at+jwt"}, claims(scope=GOOD), b"")
    run = token_run(capsys, here, token, "--no-verify")
    fp = report(run)["tokens"][0]["fingerprint"]
    assert [(f["subject"], f["message"], f["fix"]) for f in pc205(run)] == [
        (
            "alg",
            f"token {fp}: alg none: the token is unsigned",
            "never accept unsigned tokens; fix the issuer's signing setup",
        )
    ]
    assert run.code == 1
    verified = pc205(token_run(capsys, here, token))
    assert [f["subject"] for f in verified] == ["alg", "signature"]
    assert [f["message"] for f in verified if f["subject"] == "signature"] == [
        f"token {fp}: rejected: alg none: an unsigned token is never accepted"
    ]


def test_a_token_without_exp_never_expires(capsys, here):
    run = token_run(capsys, here, signed(exp=None))
    fp = report(run)["tokens"][0]["fingerprint"]
    assert [(f["subject"], f["message"], f["fix"]) for f in pc205(run)] == [
        ("exp", f"token {fp}: no expiry (exp): the token never expires", "configure the issuer to set exp")
    ]
    assert run.code == 1
