"""The JWT attack table (security-hazards A.2, J01-J29) and the key table (A.3, K01-K17), through the real CLI.

Every token is written to a file in tmp_path and checked with `policycheck token`;
every key is generated in the session (tokens_helpers.keys). A token that must be
refused is a PC205 'rejected' finding (exit 1); input policycheck cannot use is exit
2 with one line on stderr. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import builtins
import io
import json
import re
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from tokens_helpers import (
    AUDIENCE,
    ISSUER,
    NOW,
    NOW_ISO,
    ROOT,
    SIGNING_KID,
    TEST_ISSUER,
    Run,
    assert_one_line_error,
    b64,
    certificate_pem,
    claims,
    cli,
    gateway,
    hs256,
    jwks,
    keys,
    loopback,
    private_jwk,
    private_pem,
    public_jwk,
    public_pem,
    raw,
    refuse_network,
    report,
    sign,
    sign_raw,
    write,
)

from policycheck.errors import UsageError
from policycheck.tokens import jose
from policycheck.tokens import keys as keys_module
from policycheck.tokens.verify import Verification, check_settings

RS = {"alg": "RS256", "kid": "rs"}


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    return refuse_network(monkeypatch)


@pytest.fixture
def key_set(here: Path) -> Path:
    """jwks.json: RSA 'rs', P-256 'ec256', P-384 'ec384', Ed25519 'ed', each with its alg."""
    k = keys()
    return write(
        Path("jwks.json"),
        jwks(
            public_jwk(k.rsa, kid="rs", alg="RS256", use="sig"),
            public_jwk(k.p256, kid="ec256", alg="ES256"),
            public_jwk(k.p384, kid="ec384", alg="ES384"),
            public_jwk(k.ed25519, kid="ed", alg="EdDSA"),
        ),
    )


def token_file(folder: Path, text: str | bytes, name: str = "t.jwt") -> Path:
    """The token as a file in the working directory (`folder`, tmp_path), named relatively for messages."""
    assert folder.resolve() == Path.cwd().resolve()
    return write(Path(name), text)


def check(capsys: pytest.CaptureFixture[str], token: Path, *options: str | Path) -> Run:
    return cli(capsys, "token", "--no-config", "--now", NOW_ISO, *options, token)


def with_jwks(capsys: pytest.CaptureFixture[str], key_set: Path, text: str | bytes, *options: str | Path) -> Run:
    return check(capsys, token_file(key_set.parent, text), "--jwks", key_set, *options)


def health(run: Run) -> list[str]:
    """The PC205 messages of a text report, without the 'token <fingerprint>: ' prefix."""
    out = []
    for line in run.out.splitlines():
        m = re.match(r"^\S+:1:1: error PC205 (?:\[[^\]]*\] )?token [0-9a-f]{12}: (.*)$", line)
        if m:
            out.append(m.group(1))
    return out


def rejected(run: Run, reason: str) -> None:
    assert run.code == 1, run
    assert f"rejected: {reason}" in health(run), run.out
    assert "REJECTED" in run.out
    assert "Traceback" not in run.text


def verified(run: Run) -> None:
    assert run.code == 0, run
    assert ": verified, alg " in run.out and "no findings" in run.out, run.out


# --- J01: the allow-list is never missing -------------------------------------


def test_j01_every_jwt_decode_call_in_policycheck_passes_an_algorithm_allow_list():
    calls = []
    for path in (ROOT / "policycheck").rglob("*.py"):
        text = path.read_text()
        for m in re.finditer(r"jwt\.decode\((.*?)\)\s*(?:#.*)?$", text, re.MULTILINE):
            calls.append((path.name, m.group(1)))
    assert calls, "verification must go through jwt.decode"
    for name, args in calls:
        assert "algorithms=" in args, (name, args)
    assert not re.search(r"get_default_algorithms|get_unverified_header", _source())


def _source() -> str:
    return "".join(p.read_text() for p in (ROOT / "policycheck").rglob("*.py"))


# --- J02: alg none ------------------------------------------------------------


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
def test_j02_alg_none_in_any_casing_is_rejected(capsys, key_set, alg):
    run = with_jwks(capsys, key_set, raw({"alg": alg, "kid": "rs"}, claims(), b""))
    rejected(run, "alg none: an unsigned token is never accepted")
    assert "alg none: the token is unsigned" in health(run)


def test_j02_missing_alg_is_rejected(capsys, key_set):
    rejected(
        with_jwks(capsys, key_set, raw({"kid": "rs", "typ": "JWT"}, claims(), b"")),
        "the header names no algorithm (alg)",
    )


def test_j02_an_alg_that_is_not_a_string_is_rejected(capsys, key_set):
    rejected(
        with_jwks(capsys, key_set, raw({"alg": ["RS256"], "kid": "rs"}, claims())),
        "the header names no algorithm (alg)",
    )


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_j02_allowing_none_is_a_usage_error(capsys, key_set, alg):
    run = with_jwks(capsys, key_set, sign(claims(), keys().rsa, kid="rs"), "--algorithm", alg)
    assert_one_line_error(run, "algorithm 'none' cannot be allowed")


# --- J03-J05: algorithm and key confusion ----------------------------------------------


def _confusion_secrets() -> dict[str, bytes]:
    k = keys()
    return {
        "rsa-pem": public_pem(k.rsa),
        "ec-pem": public_pem(k.p256),
        "certificate": certificate_pem(k.rsa),
        "ssh-ed25519": k.ed25519.public_key().public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        ),
        "ecdsa-ssh": k.p256.public_key().public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        ),
    }


@pytest.mark.parametrize("secret_name", ["rsa-pem", "ec-pem", "certificate", "ssh-ed25519", "ecdsa-ssh"])
def test_j03_hs256_signed_with_the_public_key_is_rejected_by_the_default_allow_list(capsys, key_set, secret_name):
    token = hs256({"alg": "HS256", "kid": "rs"}, claims(), _confusion_secrets()[secret_name])
    rejected(
        with_jwks(capsys, key_set, token),
        "algorithm HS256 is not in the allowed list (RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, "
        "ES512, EdDSA)",
    )


def test_j03_hs256_with_the_public_key_pem_against_an_explicit_rs256_list_and_a_pem_key(capsys, here):
    pem = write(Path("pub.pem"), public_pem(keys().rsa))
    token = token_file(here, hs256({"alg": "HS256"}, claims(), public_pem(keys().rsa)))
    rejected(
        check(capsys, token, "--key", pem, "--algorithm", "RS256"), "algorithm HS256 is not in the allowed list (RS256)"
    )


def test_j03_mixing_hmac_and_asymmetric_algorithms_is_a_usage_error(capsys, here, monkeypatch):
    monkeypatch.setenv("HS_SECRET", "s" * 32)
    pem = write(Path("pub.pem"), public_pem(keys().rsa))
    token = token_file(here, hs256({"alg": "HS256"}, claims(), public_pem(keys().rsa)))
    for extra in (("--key", pem), ("--hmac-secret-env", "HS_SECRET")):
        run = check(capsys, token, "--algorithm", "RS256", "--algorithm", "HS256", *extra)
        assert_one_line_error(run, "HMAC (HS*) and asymmetric algorithms cannot be allowed together")


@pytest.mark.parametrize("secret_name", ["rsa-pem", "certificate", "ssh-ed25519"])
def test_j03_a_public_key_configured_as_the_hmac_secret_does_not_verify(capsys, here, monkeypatch, secret_name):
    """Even a user who puts the public key into the HS secret gets no forgery: PyJWT refuses such a key."""
    secret = _confusion_secrets()[secret_name]
    monkeypatch.setenv("HS_SECRET", secret.decode())
    token = token_file(here, hs256({"alg": "HS256"}, claims(), secret))
    run = check(capsys, token, "--algorithm", "HS256", "--hmac-secret-env", "HS_SECRET")
    rejected(run, "the configured key does not fit algorithm HS256 (a key-confusion attempt?)")


def test_j04_a_jwk_json_used_as_the_hmac_secret_does_not_verify(capsys, here, key_set, monkeypatch):
    jwk_text = json.dumps(public_jwk(keys().rsa, kid="rs", alg="RS256"))
    token = hs256({"alg": "HS256", "kid": "rs"}, claims(), jwk_text.encode())
    rejected(
        with_jwks(capsys, key_set, token),
        "algorithm HS256 is not in the allowed list (RS256, RS384, RS512, "
        "PS256, PS384, PS512, ES256, ES384, ES512, EdDSA)",
    )
    monkeypatch.setenv("HS_SECRET", jwk_text)
    run = check(capsys, token_file(here, token), "--algorithm", "HS256", "--hmac-secret-env", "HS_SECRET")
    rejected(run, "the configured key does not fit algorithm HS256 (a key-confusion attempt?)")


def test_j05_a_jwks_key_binds_its_algorithm(capsys, key_set):
    """The RS256 key of the JWKS does not verify an RS384 (or PS256) token, though both are allowed."""
    k = keys()
    rejected(
        with_jwks(capsys, key_set, sign(claims(), k.rsa, "RS384", kid="rs")),
        "algorithm RS384 does not match the configured key",
    )
    rejected(
        with_jwks(capsys, key_set, sign(claims(), k.rsa, "PS256", kid="rs")),
        "algorithm PS256 does not match the configured key",
    )
    verified(with_jwks(capsys, key_set, sign(claims(), k.rsa, "RS256", kid="rs")))


def test_j05_hs256_naming_the_kid_of_an_rsa_jwk_is_rejected(capsys, key_set):
    token = hs256({"alg": "HS256", "kid": "rs"}, claims(), json.dumps(public_jwk(keys().rsa)).encode())
    rejected(
        with_jwks(capsys, key_set, token),
        "algorithm HS256 is not in the allowed list (RS256, RS384, RS512, PS256, "
        "PS384, PS512, ES256, ES384, ES512, EdDSA)",
    )


# --- J06: key family and curve -------------------------------------------------------


def test_j06_each_key_family_verifies_its_own_tokens(capsys, key_set):
    k = keys()
    for key, alg, kid in (
        (k.rsa, "RS256", "rs"),
        (k.p256, "ES256", "ec256"),
        (k.p384, "ES384", "ec384"),
        (k.ed25519, "EdDSA", "ed"),
    ):
        verified(with_jwks(capsys, key_set, sign(claims(), key, alg, kid=kid)))


def test_j06_wrong_key_family_is_rejected(capsys, key_set):
    k = keys()
    # an ES384 token naming the RSA key; an RS256 token naming the EC key
    rejected(
        with_jwks(capsys, key_set, sign(claims(), k.p384, "ES384", kid="rs")),
        "algorithm ES384 does not match the configured key",
    )
    rejected(
        with_jwks(capsys, key_set, sign(claims(), k.rsa, "RS256", kid="ec256")),
        "algorithm RS256 does not match the configured key",
    )


def test_j06_wrong_family_against_a_pem_key(capsys, here):
    """PyJWT lets a raw exception escape for some of these; policycheck turns it into a finding, never a crash."""
    k = keys()
    pem = write(Path("rsa.pem"), public_pem(k.rsa))
    found = {}
    for key, alg in ((k.p384, "ES384"), (k.ed25519, "EdDSA")):
        run = check(capsys, token_file(here, sign(claims(), key, alg)), "--key", pem)
        assert run.code == 1 and "Traceback" not in run.text
        found[alg] = health(run)
    assert found == {
        "ES384": ["rejected: the configured key cannot verify this token"],
        "EdDSA": ["rejected: the configured key does not fit algorithm EdDSA (a key-confusion attempt?)"],
    }


def test_j06_an_es256_label_on_a_p384_key_is_rejected(capsys, here):
    k = keys()
    pem = write(Path("p384.pem"), public_pem(k.p384))
    token = sign_raw({"alg": "ES256"}, claims(), k.p384, "ES256")  # ECDSA-SHA256 over P-384
    rejected(
        check(capsys, token_file(here, token), "--key", pem),
        "the configured key does not fit algorithm ES256 (a key-confusion attempt?)",
    )
    verified(check(capsys, token_file(here, sign(claims(), k.p384, "ES384")), "--key", pem))


# --- J07: kid is only a lookup key ---------------------------------------------------


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every path opened through open()/io.open during the test."""
    paths: list[str] = []
    real = builtins.open

    def recording(file: Any, *args: Any, **kwargs: Any) -> Any:
        paths.append(str(file))
        return real(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", recording)
    monkeypatch.setattr(io, "open", recording)
    return paths


@pytest.mark.parametrize(
    ("kid", "shown"),
    [
        ("../../../../../etc/passwd", "'../../../../../etc/passwd'"),
        ("/etc/shadow", "'/etc/shadow'"),
        ("' OR 1=1 --", '"\' OR 1=1 --"'),
        ("https://attacker.test/jwks.json", "'https://attacker.test/jwks.json'"),
        ("rs\x00../x", "'rs\\x00../x'"),
        ("rs\n", "'rs\\x0a'"),
        ("RS", "'RS'"),  # exact match: no case folding
        ("k" * 10_000, "'" + "k" * 37 + "...'"),
    ],
)
def test_j07_a_hostile_kid_is_an_unknown_key_id_and_never_a_file(capsys, key_set, opened, no_network, kid, shown):
    token = sign(claims(), keys().rsa, kid=kid)
    assert len(token) < 16 * 1024
    run = with_jwks(capsys, key_set, token)
    rejected(run, f"unknown key id (kid) {shown} in jwks.json")
    assert sorted(set(opened)) == ["jwks.json", "t.jwt"], opened
    assert no_network == []


@pytest.mark.parametrize("kid", [123, [1], {"a": 1}, True])
def test_j07_a_kid_that_is_not_a_string_is_rejected(capsys, key_set, opened, kid):
    token = sign_raw({"alg": "RS256", "kid": kid}, claims(), keys().rsa, "RS256")
    rejected(with_jwks(capsys, key_set, token), "the token's kid is not a string")
    assert sorted(set(opened)) == ["jwks.json", "t.jwt"]


def test_j07_a_pem_key_verifies_whatever_kid_the_token_names(capsys, here):
    """--key is one key chosen by the user: the kid selects nothing (and opens nothing)."""
    pem = write(Path("pub.pem"), public_pem(keys().rsa))
    verified(check(capsys, token_file(here, sign(claims(), keys().rsa, kid="../../etc/passwd")), "--key", pem))
    run = check(capsys, token_file(here, sign(claims(), keys().rsa_other, kid="rs")), "--key", pem)
    rejected(run, "the signature does not verify with the configured key")


# --- J08: embedded key headers are never followed --------------------------------


@pytest.mark.parametrize(
    "header",
    [
        {"jwk": "attacker"},
        {"jku": "https://attacker.test/jwks.json"},
        {"x5u": "https://attacker.test/cert.pem"},
        {"x5c": ["attacker"]},
        {"jku": "http://127.0.0.1:1/jwks.json", "jwk": "attacker", "x5u": "file:///etc/passwd"},
    ],
)
def test_j08_jwk_jku_x5u_x5c_headers_are_ignored(capsys, key_set, no_network, header):
    attacker = keys().rsa_other
    extra = {k: (public_jwk(attacker) if v == "attacker" else v) for k, v in header.items()}
    if "x5c" in extra:
        extra["x5c"] = [b64(certificate_pem(attacker))]
    token = sign(claims(), attacker, "RS256", kid="rs", **extra)
    rejected(with_jwks(capsys, key_set, token), "the signature does not verify with the configured key")
    assert no_network == []


def test_j08_an_embedded_jwk_without_kid_does_not_select_a_key(capsys, key_set, no_network):
    token = sign(claims(), keys().rsa_other, "RS256", jwk=public_jwk(keys().rsa_other))
    rejected(with_jwks(capsys, key_set, token), "the token names no key id (kid) and jwks.json has 4 keys")
    assert no_network == []


# --- J09, J10: crit and b64 ----------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        {"crit": ["exp-ext"], "exp-ext": 1},
        {"crit": []},
        {"crit": "exp-ext", "exp-ext": 1},
        {"crit": [1]},
        {"crit": ["absent"]},
    ],
)
def test_j09_crit_headers_are_rejected(capsys, key_set, extra):
    token = sign_raw({**RS, **extra}, claims(), keys().rsa, "RS256")
    rejected(with_jwks(capsys, key_set, token), "the header is invalid (crit, kid or b64)")


@pytest.mark.parametrize("extra", [{"b64": False}, {"b64": False, "crit": ["b64"]}], ids=["without-crit", "with-crit"])
def test_j10_b64_false_with_a_payload_is_rejected(capsys, key_set, extra):
    token = sign_raw({**RS, **extra}, claims(), keys().rsa, "RS256")
    rejected(with_jwks(capsys, key_set, token), "malformed token: it cannot be decoded for verification")


# --- J11-J13: time claims, boundaries, leeway, --now --------------------------------


def _times(capsys: pytest.CaptureFixture[str], key_set: Path, *options: str, **claim: Any) -> list[str]:
    run = with_jwks(capsys, key_set, sign(claims(**claim), keys().rsa, kid="rs"), *options)
    assert run.code == (1 if health(run) else 0), run
    return health(run)


def test_j11_expiry_boundaries_with_the_default_leeway(capsys, key_set):
    assert _times(capsys, key_set, exp=NOW - 60) == [
        "expired at 2027-01-15 07:59:00 UTC: the gateway answers 401"
    ]  # exp <= now - leeway is expired, as in PyJWT
    assert _times(capsys, key_set, exp=NOW - 59) == []
    assert _times(capsys, key_set, exp=NOW - 3600) == ["expired at 2027-01-15 07:00:00 UTC: the gateway answers 401"]


def test_j11_expiry_boundaries_with_an_explicit_leeway(capsys, key_set):
    assert _times(capsys, key_set, "--leeway", "0", exp=NOW) == [
        "expired at 2027-01-15 08:00:00 UTC: the gateway answers 401"
    ]
    assert _times(capsys, key_set, "--leeway", "0", exp=NOW + 1) == []
    assert _times(capsys, key_set, "--leeway", "0", exp=NOW - 30) != []  # within the default 60 s, not within 0
    assert _times(capsys, key_set, "--leeway", "300", exp=NOW - 299) == []
    assert _times(capsys, key_set, "--leeway", "300", exp=NOW - 300) != []


def test_j11_now_moves_the_clock(capsys, key_set):
    token = sign(claims(exp=NOW, iat=NOW - 7200), keys().rsa, kid="rs")
    path = token_file(key_set.parent, token)
    early = cli(capsys, "token", "--no-config", "--jwks", key_set, "--now", "2027-01-15T07:00:00Z", path)
    late = cli(capsys, "token", "--no-config", "--jwks", key_set, "--now", "2027-01-15T09:00+00:00", path)
    assert early.code == 0 and late.code == 1
    naive = cli(capsys, "token", "--no-config", "--jwks", key_set, "--now", "2027-01-15T09:00:00", path)
    assert naive.code == 1  # a time without zone is UTC
    assert_one_line_error(
        cli(capsys, "token", "--no-config", "--jwks", key_set, "--now", "tomorrow", path), "--now expects"
    )


def test_j12_not_before_boundaries(capsys, key_set):
    assert _times(capsys, key_set, nbf=NOW + 61) == ["not valid before 2027-01-15 08:01:01 UTC"]
    assert _times(capsys, key_set, nbf=NOW + 60) == []
    assert _times(capsys, key_set, "--leeway", "0", nbf=NOW + 1) == ["not valid before 2027-01-15 08:00:01 UTC"]
    assert _times(capsys, key_set, "--leeway", "0", nbf=NOW) == []


def test_j13_issued_in_the_future(capsys, key_set):
    assert _times(capsys, key_set, iat=NOW + 61) == ["issued in the future (2027-01-15 08:01:01 UTC)"]
    assert _times(capsys, key_set, iat=NOW + 60) == []
    assert _times(capsys, key_set, "--leeway", "0", iat=NOW + 1) == ["issued in the future (2027-01-15 08:00:01 UTC)"]


# --- J14: leeway range -----------------------------------------------------------------


@pytest.mark.parametrize("value", ["-1", "301", "1e9", "1000000000", "nan", "inf"])
def test_j14_leeway_out_of_range_is_a_usage_error(capsys, key_set, value):
    run = with_jwks(capsys, key_set, sign(claims(), keys().rsa, kid="rs"), "--leeway", value)
    assert run.code == 2 and run.out == ""
    assert "Invalid value for '--leeway'" in run.err and "Traceback" not in run.err


def test_j14_leeway_usage_error_is_one_policycheck_line(capsys, key_set):
    assert_one_line_error(with_jwks(capsys, key_set, sign(claims(), keys().rsa, kid="rs"), "--leeway", "301"))


@pytest.mark.parametrize("leeway", [-1, 301, 10**9])
def test_j14_the_library_refuses_a_leeway_out_of_range(leeway):
    ks = keys_module.KeySet({None: object()}, "k")
    with pytest.raises(UsageError, match="leeway must be between 0 and 300 seconds"):
        check_settings(Verification(keys=ks, leeway=leeway))
    check_settings(Verification(keys=ks, leeway=300))


# --- J15, J16: missing and malformed time claims ------------------------------------------


def test_j15_a_token_without_exp_is_a_finding(capsys, key_set):
    assert _times(capsys, key_set, exp=None) == ["no expiry (exp): the token never expires"]


@pytest.mark.parametrize("value", ["abc", "9999999999", [1], {"t": 1}, True, False], ids=repr)
def test_j16_a_non_numeric_exp_is_a_finding(capsys, key_set, value):
    assert _times(capsys, key_set, exp=value) == ["'exp' is not a number (RFC 7519 NumericDate)"]


@pytest.mark.parametrize("name", ["nbf", "iat"])
def test_j16_non_numeric_nbf_and_iat_are_findings(capsys, key_set, name):
    assert _times(capsys, key_set, **{name: "soon"}) == [f"'{name}' is not a number (RFC 7519 NumericDate)"]


def test_j16_exp_null_is_a_token_without_expiry(capsys, key_set):
    token = sign_raw(RS, json.dumps({**claims(exp=None), "exp": None}).encode(), keys().rsa, "RS256")
    run = with_jwks(capsys, key_set, token)
    assert health(run) == ["no expiry (exp): the token never expires"], run.out


@pytest.mark.parametrize("number", [b"1e400", b"-1e400", b"NaN", b"Infinity", b"-Infinity", b"1" + b"0" * 400])
def test_j16_infinite_or_unrepresentable_numbers_are_refused(capsys, key_set, number):
    payload = json.dumps(claims(exp=None))[:-1].encode() + b', "exp": ' + number + b"}"
    run = with_jwks(capsys, key_set, sign_raw(RS, payload, keys().rsa, "RS256"))
    assert_one_line_error(run, "t.jwt: not a JWT: the claims is not JSON")


@pytest.mark.parametrize("exp", [10**20, -(10**20), 1e300])
def test_j16_an_exp_beyond_any_calendar_is_reported_not_crashed_in_the_health_rule(capsys, key_set, exp):
    """The rule itself copes (its message shows the raw number); the reports too (below)."""
    run = with_jwks(capsys, key_set, sign(claims(exp=exp), keys().rsa, kid="rs"), "--format", "sarif")
    assert run.code in (0, 1) and "Traceback" not in run.text, run
    messages = [r["message"]["text"] for r in json.loads(run.out)["runs"][0]["results"]]
    assert all("out of range" in m for m in messages if "expired" in m)
    assert (exp < 0) == any("expired at" in m for m in messages)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_j16_an_exp_beyond_any_calendar_is_shown_in_the_text_and_json_reports(capsys, key_set, fmt):
    run = with_jwks(capsys, key_set, sign(claims(exp=10**20), keys().rsa, kid="rs"), "--format", fmt)
    assert run.code == 0, run


# --- J17, J18: audience and issuer of the token's environment --------------------------------


@pytest.fixture
def gw(here: Path) -> Path:
    return gateway(here)


def _env_check(capsys: pytest.CaptureFixture[str], gw: Path, key_set: Path, *options: str, **claim: Any) -> list[str]:
    token = token_file(gw.parent, sign_raw(RS, claims(**claim), keys().rsa, "RS256"))
    run = check(capsys, token, "--policies", gw, "--jwks", key_set, *options)
    assert "Traceback" not in run.text
    return health(run)


@pytest.mark.parametrize(
    ("aud", "ok"),
    [
        (AUDIENCE, True),
        ([AUDIENCE, "https://other.test"], True),
        ("https://api.example.test/test", False),  # the test environment's audience
        ("https://api.example.test/", False),
        (AUDIENCE.upper(), False),
        ([], False),
        ("", False),
        (123, False),
        (None, False),
    ],
    ids=repr,
)
def test_j17_the_audience_must_be_the_environments(capsys, gw, key_set, aud, ok):
    found = _env_check(capsys, gw, key_set, "--env", "prod", aud=aud)
    assert found == ([] if ok else [f"audience is not {AUDIENCE}: the gateway answers 401"])


@pytest.mark.parametrize(
    ("iss", "ok"),
    [
        (ISSUER, True),
        (ISSUER + "/", True),  # a trailing slash is the same issuer
        (ISSUER[:-1], False),  # a prefix
        (ISSUER + "-evil", False),  # a suffix
        (ISSUER + "/../acme", False),
        (ISSUER.upper(), False),
        (TEST_ISSUER, False),  # the other tenant
        (None, False),
        (42, False),
    ],
    ids=repr,
)
def test_j18_the_issuer_must_be_the_environments_exactly(capsys, gw, key_set, iss, ok):
    found = _env_check(capsys, gw, key_set, "--env", "prod", iss=iss)
    expected = f"issuer is not {ISSUER}, which prod expects (wrong tenant?): the gateway answers 401"
    assert found == ([] if ok else [expected])


# --- J19: sub and jti of the wrong type ---------------------------------------------------


def test_j19_odd_sub_and_jti_types_are_shown_safely(capsys, key_set):
    run = with_jwks(capsys, key_set, sign(claims(sub=123, jti=["a"]), keys().rsa, kid="rs"))
    verified(run)
    assert "  subject:     -\n" in run.out


# --- J20: typ ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typ", "ok"),
    [("at+jwt", True), ("AT+JWT", True), ("application/at+jwt", True), ("JWT", False), (None, False), (1, False)],
    ids=repr,
)
def test_j20_the_rfc9068_profile_requires_typ_at_jwt(capsys, key_set, typ, ok):
    header = {**RS} if typ is None else {**RS, "typ": typ}
    run = with_jwks(capsys, key_set, sign_raw(header, claims(), keys().rsa, "RS256"), "--profile", "rfc9068")
    message = "the header typ is not at+jwt (an ID token or another token used as an access token?)"
    assert health(run) == ([] if ok else [message])
    generic = with_jwks(capsys, key_set, sign_raw(header, claims(), keys().rsa, "RS256"), "--profile", "generic")
    assert health(generic) == []


# --- J21-J23: malformed input -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "t.jwt: empty token"),
        ("   \n\t\n", "t.jwt: empty token"),
        ("Bearer ", "found no dots"),  # 'Bearer' alone: the prefix needs its space and a token
        ("a.b", "not a JWT (expected header.payload.signature in base64url; found 2 segments)"),
        ("a.b.c.d", "not a JWT (expected header.payload.signature in base64url; found 4 segments)"),
        ("a.b.c.d.e", "found 5 segments"),
        ("!!!!", "not a JWT (expected header.payload.signature in base64url; found no dots)"),
        ("eyJ!.eyJ.x", "found 3 segments"),
        ("a b.c.d", "not a JWT"),
        ("abcde.abcde.x", "t.jwt: not a JWT: the header is not base64url"),
    ],
)
def test_j21_malformed_structure_is_one_line_exit_2(capsys, key_set, text, message):
    run = with_jwks(capsys, key_set, text.encode("latin-1"))
    assert_one_line_error(run, message)


def test_j21_a_token_that_is_not_utf8_is_refused(capsys, key_set):
    assert_one_line_error(
        with_jwks(capsys, key_set, b"\xff\xfe\x00a.b.c"), "t.jwt: a token is text (UTF-8); this is not"
    )


@pytest.mark.parametrize(
    "wrap",
    ["{}", "{}\n", "\n\n  {}  \n", "Bearer {}", "bearer {}\n", "BEARER   {}", "\ufeff{}"],
    ids=["bare", "newline", "whitespace", "bearer", "lower", "upper-spaces", "bom"],
)
def test_j21_one_bearer_prefix_and_whitespace_are_accepted(capsys, key_set, wrap):
    verified(with_jwks(capsys, key_set, wrap.format(sign(claims(), keys().rsa, kid="rs"))))


def test_j21_a_non_canonical_signature_encoding_is_rejected(capsys, key_set):
    """Bits set past the end of the last base64url character: another string for the same bytes."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    token = sign(claims(), keys().rsa, kid="rs")
    assert len(token.rsplit(".", 1)[1]) % 4 == 2  # 256 bytes: the last character carries 2 bits and 4 spare ones
    mangled = token[:-1] + alphabet[alphabet.index(token[-1]) ^ 1]
    rejected(with_jwks(capsys, key_set, mangled), "malformed token: it cannot be decoded for verification")


def test_j21_two_bearer_prefixes_are_not(capsys, key_set):
    run = with_jwks(capsys, key_set, "Bearer Bearer " + sign(claims(), keys().rsa, kid="rs"))
    assert_one_line_error(run, "not a JWT")


@pytest.mark.parametrize(
    ("header", "payload", "message"),
    [
        (b"not json", claims(), "not a JWT: the header is not JSON"),
        (b"[1, 2]", claims(), "not a JWT: the header is not a JSON object"),
        (b'"RS256"', claims(), "not a JWT: the header is not a JSON object"),
        (b'{"alg": "\xff"}', claims(), "not a JWT: the header is not JSON"),
        (RS, b"not json", "not a JWT: the claims is not JSON"),
        (RS, b"[1, 2]", "not a JWT: the claims is not a JSON object"),
        (RS, b"null", "not a JWT: the claims is not a JSON object"),
        (RS, b'{"a": "\xff"}', "not a JWT: the claims is not JSON"),
        (RS, b'{"a": 1', "not a JWT: the claims is not JSON"),
        (RS, b"", "not a JWT: the claims is not JSON"),
    ],
)
def test_j22_header_or_payload_that_is_not_a_json_object_is_exit_2(capsys, key_set, header, payload, message):
    assert_one_line_error(with_jwks(capsys, key_set, raw(header, payload)), f"t.jwt: {message}")


@pytest.mark.parametrize(
    ("header", "payload", "what"),
    [
        (RS, b"[" * 5_000 + b"]" * 5_000, "claims"),
        (RS, b'{"a":' * 1_500 + b"1" + b"}" * 1_500, "claims"),
        (b"[" * 5_000 + b"]" * 5_000, claims(), "header"),
    ],
    ids=["array-claims", "object-claims", "header"],
)
def test_j23_deeply_nested_json_is_exit_2_without_recursion_error(capsys, key_set, header, payload, what):
    run = with_jwks(capsys, key_set, raw(header, payload))
    assert_one_line_error(run, f"not a usable JWT: the {what} is nested too deeply")
    assert "RecursionError" not in run.text


def test_j23_hundred_thousand_levels_under_a_raised_size_cap(capsys, key_set):
    payload = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
    run = with_jwks(capsys, key_set, raw(RS, payload), "--max-token-bytes", "2000000")
    assert_one_line_error(run, "not a usable JWT: the claims is nested too deeply")
    assert "RecursionError" not in run.text


def test_j23_a_claims_json_input_nested_too_deeply(capsys, here):
    path = token_file(here, b'{"a":' * 2_000 + b"1" + b"}" * 2_000, "claims.json")
    assert_one_line_error(check(capsys, path, "--no-verify"), "token JSON is nested too deeply")


# --- J24: duplicate names -----------------------------------------------------------------


def test_j24_a_duplicate_header_name_is_a_finding_and_the_last_alg_is_judged(capsys, key_set):
    header = b'{"alg":"RS256","kid":"rs","alg":"none"}'
    run = with_jwks(capsys, key_set, sign_raw(header, claims(), keys().rsa, "RS256"))
    assert sorted(health(run)) == [
        "alg none: the token is unsigned",
        "rejected: alg none: an unsigned token is never accepted",
        "repeats header.alg: parsers disagree on which value wins",
    ]


def test_j24_a_duplicate_claim_in_a_verified_token_is_a_finding(capsys, key_set):
    payload = json.dumps(claims(exp=None))[:-1].encode() + b', "exp": 1, "exp": 9999999999}'
    run = with_jwks(capsys, key_set, sign_raw(RS, payload, keys().rsa, "RS256"))
    assert ": verified, alg RS256" in run.out
    assert health(run) == ["repeats claims.exp: parsers disagree on which value wins"]
    assert run.code == 1


def test_j24_a_duplicate_inside_a_nested_claim_object_is_found_too(capsys, key_set):
    payload = json.dumps(claims())[:-1].encode() + b', "realm_access": {"roles": ["a"], "roles": ["b"]}}'
    run = with_jwks(capsys, key_set, sign_raw(RS, payload, keys().rsa, "RS256"))
    assert health(run) == ["repeats claims.roles: parsers disagree on which value wins"]


# --- J25: size cap before parsing -------------------------------------------------------------


@pytest.fixture
def parse_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    import jwt

    calls: list[str] = []
    real_decode = jose.decode

    def record(name: str, real: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(jose, "decode", record("jose.decode", real_decode))
    monkeypatch.setattr(jwt, "decode", record("jwt.decode", jwt.decode))
    return calls


def test_j25_a_token_over_16_kib_is_refused_before_parsing(capsys, key_set, parse_calls):
    token = sign(claims(pad="x" * 17_000), keys().rsa, kid="rs")
    run = with_jwks(capsys, key_set, token)
    assert_one_line_error(run, "t.jwt: token input is over 16384 bytes (raise it with --max-token-bytes)")
    assert "jose.decode" not in parse_calls and "jwt.decode" not in parse_calls


def test_j25_the_cap_counts_the_raw_input_and_is_settable(capsys, key_set, parse_calls):
    token = sign(claims(), keys().rsa, kid="rs")
    at_cap = with_jwks(capsys, key_set, token.encode(), "--max-token-bytes", str(len(token)))
    verified(at_cap)
    parse_calls.clear()
    over = with_jwks(capsys, key_set, token.encode() + b"\n", "--max-token-bytes", str(len(token)))
    assert_one_line_error(over, f"token input is over {len(token)} bytes")
    assert parse_calls == []  # neither jose.decode nor jwt.decode
    huge = with_jwks(capsys, key_set, b"a." * 700_000 + b"a")  # 1.4 MB: read stops at the cap
    assert_one_line_error(huge, "token input is over 16384 bytes")


def test_j25_max_token_bytes_below_64_is_a_usage_error(capsys, key_set):
    run = with_jwks(capsys, key_set, "a.b.c", "--max-token-bytes", "10")
    assert run.code == 2 and "--max-token-bytes" in run.err and "Traceback" not in run.err


# --- J26: --no-verify is labelled everywhere ---------------------------------------------------


def _unverified(capsys: pytest.CaptureFixture[str], here: Path, fmt: str, **claim: Any) -> Run:
    token = token_file(here, sign(claims(**claim), keys().rsa_other, kid="nobody"))
    return check(capsys, token, "--no-verify", "--format", fmt)


def test_j26_no_verify_text_report(capsys, here):
    run = _unverified(capsys, here, "text")
    assert run.out.startswith(
        "UNVERIFIED: at least one token was decoded without checking its signature; its claims prove nothing\n"
    )
    assert ": UNVERIFIED (signature not checked), alg RS256, kid nobody" in run.out
    assert run.code == 0  # nothing else is wrong with it


def test_j26_no_verify_json_report(capsys, here):
    data = report(_unverified(capsys, here, "json"))
    assert data["verified"] is False
    assert [t["verified"] for t in data["tokens"]] == [False]


def test_j26_no_verify_sarif_report(capsys, here):
    data = json.loads(_unverified(capsys, here, "sarif").out)
    assert data["runs"][0]["properties"]["verified"] is False


def test_j26_no_verify_markdown_report(capsys, here):
    assert (
        "**UNVERIFIED**: a token was decoded without checking its signature"
        in _unverified(capsys, here, "markdown").out
    )


def test_j26_no_verify_github_report(capsys, here):
    out = _unverified(capsys, here, "github").out
    assert out.startswith("::warning title=UNVERIFIED::a token was decoded without checking its signature")


def test_j26_no_verify_junit_report(capsys, here):
    out = _unverified(capsys, here, "junit").out
    assert '<property name="verified" value="false"/>' in out


@pytest.mark.parametrize("fmt", ["sarif", "junit"])
def test_j26_no_verify_sarif_and_junit_say_unverified_in_words(capsys, here, fmt):
    assert "UNVERIFIED" in _unverified(capsys, here, fmt, exp=NOW - 3600).out


def test_j26_no_verify_still_judges_expiry(capsys, here):
    run = _unverified(capsys, here, "text", exp=NOW - 3600)
    assert health(run) == ["expired at 2027-01-15 07:00:00 UTC: the gateway answers 401"]
    assert run.code == 1


def test_j26_a_verified_run_is_not_labelled(capsys, key_set):
    run = with_jwks(capsys, key_set, sign(claims(), keys().rsa, kid="rs"), "--format", "json")
    assert report(run)["verified"] is True and "UNVERIFIED" not in run.out


# --- J27: HMAC secrets ------------------------------------------------------------------------


@pytest.mark.parametrize(("alg", "need"), [("HS256", 32), ("HS384", 48), ("HS512", 64)])
def test_j27_a_short_hmac_secret_is_a_finding(capsys, here, monkeypatch, alg, need):
    import hashlib
    import hmac

    secret = b"s" * (need - 1)
    monkeypatch.setenv("HS_SECRET", secret.decode())
    header = {"alg": alg}
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims()).encode())}"
    digest = getattr(hashlib, f"sha{alg[2:]}")
    token = signing_input + "." + b64(hmac.new(secret, signing_input.encode(), digest).digest())
    run = check(capsys, token_file(here, token), "--algorithm", alg, "--hmac-secret-env", "HS_SECRET")
    rejected(run, f"the HMAC secret is shorter than {need} bytes, too short for {alg} (RFC 7518 3.2)")
    assert secret.decode() not in run.text


def test_j27_a_long_enough_hmac_secret_verifies_and_is_never_printed(capsys, here, monkeypatch):
    secret = "correct-horse-battery-staple-0123456789"
    monkeypatch.setenv("HS_SECRET", secret)
    token = hs256({"alg": "HS256"}, claims(), secret.encode())
    for fmt in ("text", "json", "sarif", "markdown", "github", "junit"):
        run = check(
            capsys, token_file(here, token), "--algorithm", "HS256", "--hmac-secret-env", "HS_SECRET", "--format", fmt
        )
        assert run.code == 0 and secret not in run.text, run
    wrong = hs256({"alg": "HS256"}, claims(), b"another-secret-of-enough-length-000")
    rejected(
        check(capsys, token_file(here, wrong), "--algorithm", "HS256", "--hmac-secret-env", "HS_SECRET"),
        "the signature does not verify with the configured key",
    )


@pytest.mark.parametrize("value", [None, ""])
def test_j27_an_empty_or_unset_secret_is_a_usage_error(capsys, here, monkeypatch, value):
    if value is None:
        monkeypatch.delenv("HS_SECRET", raising=False)
    else:
        monkeypatch.setenv("HS_SECRET", value)
    token = token_file(here, hs256({"alg": "HS256"}, claims(), b"s" * 32))
    run = check(capsys, token, "--algorithm", "HS256", "--hmac-secret-env", "HS_SECRET")
    assert_one_line_error(run, "the environment variable HS_SECRET is not set or empty")


def test_j27_hs_without_a_secret_is_a_usage_error(capsys, here):
    token = token_file(here, hs256({"alg": "HS256"}, claims(), b"s" * 32))
    assert_one_line_error(check(capsys, token, "--algorithm", "HS256"), "HS* algorithms need a secret")


# --- J28: identity by claims ----------------------------------------------------------------


def _fingerprint(capsys: pytest.CaptureFixture[str], here: Path, token: str) -> str:
    run = check(capsys, token_file(here, token), "--no-verify", "--format", "json")
    assert run.code in (0, 1), run
    fingerprint: str = report(run)["tokens"][0]["fingerprint"]
    return fingerprint


def test_j28_two_encodings_of_the_same_claims_have_one_fingerprint(capsys, here):
    k = keys()
    c = claims()
    compact = json.dumps(c, separators=(",", ":")).encode()
    spaced = json.dumps(dict(reversed(list(c.items()))), indent=2).encode()
    escaped = json.dumps(c, ensure_ascii=True).replace('"svc"', '"\\u0073vc"').encode()
    encodings = [
        sign(c, k.rsa, kid="rs"),
        sign(c, k.rsa_other, "PS256", kid="other"),  # another key and algorithm
        sign_raw(RS, compact, k.rsa, "RS256"),
        sign_raw(RS, spaced, k.rsa, "RS256"),
        sign_raw(RS, escaped, k.rsa, "RS256"),
        sign(c, k.p256, "ES256"),
        sign(c, k.p256, "ES256"),  # ECDSA: another signature each time
        raw(RS, compact, b"x") + "==",  # padding on the signature
    ]
    prints = {_fingerprint(capsys, here, t) for t in encodings}
    assert len(prints) == 1 and re.fullmatch(r"[0-9a-f]{12}", prints.pop())
    assert _fingerprint(capsys, here, sign(claims(jti="t-2"), k.rsa, kid="rs")) != jose.fingerprint(c)


# --- J29: a token on the command line ----------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "markdown", "github", "junit"])
def test_j29_a_token_on_argv_is_warned_about_and_never_echoed(capsys, key_set, fmt):
    token = sign(claims(exp=NOW - 3600), keys().rsa, kid="rs")
    run = cli(capsys, "token", "--no-config", "--now", NOW_ISO, "--jwks", key_set, "--format", fmt, token)
    assert run.code == 1, run
    assert run.err == (
        "warning: a token given on the command line shows up in `ps` and CI logs; pass a file, '-' (stdin) "
        "or env:NAME instead\n"
    )
    _, payload, signature = token.split(".")
    for secret in (token, payload, signature, payload[:24], signature[:24]):
        assert secret not in run.text
    assert "argument" in run.out


def test_j29_a_rejected_token_on_argv_is_not_echoed_either(capsys, key_set):
    token = raw({"alg": "none", "kid": "x"}, claims(), b"")
    run = cli(capsys, "token", "--no-config", "--jwks", key_set, token)
    assert run.code == 1 and token not in run.text and token.split(".")[1] not in run.text


def test_j29_an_argument_that_is_neither_a_file_nor_a_token_is_not_echoed_as_a_token(capsys, key_set):
    run = cli(capsys, "token", "--no-config", "--jwks", key_set, "no-such-file")
    assert_one_line_error(run, "no-such-file: no such file")


# --- K01-K03: PEM keys ------------------------------------------------------------------------


def _pem_run(capsys: pytest.CaptureFixture[str], here: Path, pem: bytes, token: str | None = None) -> Run:
    path = write(Path("key.pem"), pem)
    return check(capsys, token_file(here, token or sign(claims(), keys().rsa, kid="rs")), "--key", path)


def _traditional(key: Any) -> bytes:
    return bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        )
    )


@pytest.mark.parametrize("which", ["rsa-pkcs8", "rsa-pkcs1", "ec", "ed25519", "encrypted"])
def test_k01_a_private_key_is_refused_without_showing_it(capsys, here, which):
    k = keys()
    pem = {
        "rsa-pkcs8": lambda: private_pem(k.rsa),
        "rsa-pkcs1": lambda: _traditional(k.rsa),
        "ec": lambda: private_pem(k.p256),
        "ed25519": lambda: private_pem(k.ed25519),
        "encrypted": lambda: k.rsa.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"pw"),
        ),
    }[which]()
    run = _pem_run(capsys, here, pem)
    assert_one_line_error(
        run, "key.pem: this is a private key; give the public key (never hand policycheck a private key)"
    )
    for line in pem.decode().splitlines()[1:-1]:
        assert line not in run.text


@pytest.mark.parametrize("which", ["rsa", "p256", "ed25519"])
def test_k02_a_certificate_is_accepted(capsys, here, which):
    k = keys()
    key, alg = {"rsa": (k.rsa, "RS256"), "p256": (k.p256, "ES256"), "ed25519": (k.ed25519, "EdDSA")}[which]
    run = _pem_run(capsys, here, certificate_pem(key), sign(claims(), key, alg, kid="anything"))
    verified(run)


@pytest.mark.parametrize(
    ("pem", "message"),
    [
        ("two", "expected exactly one PEM public key or certificate"),
        ("key-and-cert", "expected exactly one PEM public key or certificate"),
        ("empty", "expected exactly one PEM public key or certificate"),
        ("garbage", "expected exactly one PEM public key or certificate"),
        ("bad-base64", "not a usable PEM public key or certificate"),
        ("truncated", "not a usable PEM public key or certificate"),
        ("binary", "expected exactly one PEM public key or certificate"),
    ],
)
def test_k03_several_keys_garbage_or_empty_pem_is_exit_2(capsys, here, pem, message):
    k = keys()
    text = {
        "two": public_pem(k.rsa) + public_pem(k.rsa_other),
        "key-and-cert": public_pem(k.rsa) + certificate_pem(k.rsa),
        "empty": b"",
        "garbage": b"hello, I am not a key\n",
        "bad-base64": b"-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n",
        "truncated": public_pem(k.rsa)[:120],
        "binary": bytes(range(256)),
    }[pem]
    assert_one_line_error(_pem_run(capsys, here, text), f"key.pem: {message}")


def test_k03_a_crlf_pem_and_a_missing_key_file(capsys, here):
    verified(_pem_run(capsys, here, public_pem(keys().rsa).replace(b"\n", b"\r\n")))
    run = check(capsys, token_file(here, sign(claims(), keys().rsa)), "--key", Path("absent.pem"))
    assert_one_line_error(run, "absent.pem: cannot read the key: No such file or directory")


def test_k03_only_one_key_source(capsys, here, key_set):
    pem = write(Path("key.pem"), public_pem(keys().rsa))
    run = check(capsys, token_file(here, sign(claims(), keys().rsa)), "--key", pem, "--jwks", key_set)
    assert_one_line_error(run, "give one of --key, --jwks and --issuer")
    run = check(capsys, token_file(here, sign(claims(), keys().rsa)))
    assert_one_line_error(run, "no key to verify with: give --key PEM, --jwks FILE or --issuer URL, or --no-verify")


# --- K04-K06: JWKS files ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "bad.json:1:1: expected a JWKS (JSON with keys): Expecting value"),
        (b"", "bad.json:1:1: expected a JWKS (JSON with keys): Expecting value"),
        (b"\xff\xfe", "bad.json: expected a JWKS (JSON with keys): not UTF-8 text"),
        (b"[]", "bad.json:1:1: expected a JWKS: an object with a list of keys"),
        (b'{"keys": {}}', "bad.json:1:2: expected a JWKS: an object with a list of keys"),  # at "keys"
        (b'{"kty": "RSA"}', "bad.json:1:1: expected a JWKS: an object with a list of keys"),
        (b'{"keys": []}', "bad.json:1:2: the JWKS has no usable public signing key (the list of keys is empty)"),
        (
            b'{"keys": [1, "a", null]}',
            "bad.json:1:2: the JWKS has no usable public signing key "
            "(key 0 is not an object; key 1 is not an object; key 2 is not an object)",
        ),
        (b"[" * 50_000 + b"]" * 50_000, "bad.json:1:1001: expected a JWKS (JSON with keys): nested too deeply"),
        # a value left out (not a trailing comma: Python 3.13 words and places that one differently)
        (
            b'{"keys": [\n  {"kty": "RSA", "n": }\n]}',
            "bad.json:2:23: expected a JWKS (JSON with keys): Expecting value",
        ),
    ],
    ids=[
        "not-json",
        "empty-file",
        "not-utf8",
        "array",
        "keys-object",
        "a-single-jwk",
        "empty",
        "no-objects",
        "deep",
        "value-left-out",
    ],
)
def test_k04_jwks_that_cannot_be_used_is_exit_2(capsys, here, body, message):
    """Each a line:column in the file and the reason (why no key of the list could be used)."""
    path = write(Path("bad.json"), body)
    run = check(capsys, token_file(here, sign(claims(), keys().rsa, kid="rs")), "--jwks", path)
    assert assert_one_line_error(run) == f"policycheck: {message}"


def test_k04_only_encryption_keys_is_exit_2(capsys, here):
    path = write(Path("enc.json"), jwks(public_jwk(keys().rsa, kid="rs", use="enc")))
    run = check(capsys, token_file(here, sign(claims(), keys().rsa, kid="rs")), "--jwks", path)
    assert_one_line_error(run, "enc.json:1:2: the JWKS has no usable public signing key (1 key is for encryption, not")


def _column(body: bytes, member: bytes) -> int:
    """The column of `member` in a JWKS written on one line."""
    assert b"\n" not in body
    return body.index(member) + 1


def test_k04_bad_members_are_skipped_with_a_warning(capsys, here):
    k = keys()
    body = jwks({"kty": "RSA", "kid": "broken"}, {"kty": "XYZ"}, public_jwk(k.rsa, kid="rs", alg="RS256"))
    body = body.replace(b'{"keys": [', b'{"keys": [7, ')
    path = write(Path("mixed.json"), body)
    run = check(capsys, token_file(here, sign(claims(), k.rsa, kid="rs")), "--jwks", path)
    verified(run)
    broken, xyz = _column(body, b'{"kty": "RSA", "kid": "broken"'), _column(body, b'{"kty": "XYZ"')
    assert run.err == (
        f"warning: mixed.json:1:{_column(body, b'7, ')}: key 0 is not an object; skipped\n"
        f"warning: mixed.json:1:{broken}: key 1 is not a usable public key; skipped\n"
        f"warning: mixed.json:1:{xyz}: key 2 is not a usable public key; skipped\n"
    )


def test_k04_a_jwks_with_a_byte_order_mark_is_read(capsys, here):
    path = write(Path("bom.json"), b"\xef\xbb\xbf" + jwks(public_jwk(keys().rsa, kid="rs", alg="RS256")))
    verified(check(capsys, token_file(here, sign(claims(), keys().rsa, kid="rs")), "--jwks", path))


def test_k04_an_oversized_jwks_file_is_exit_2(capsys, here):
    path = write(Path("big.json"), b'{"keys": [' + b" " * (1024 * 1024) + b"]}")
    run = check(capsys, token_file(here, sign(claims(), keys().rsa, kid="rs")), "--jwks", path)
    assert_one_line_error(run, "big.json: the JWKS is over 1048576 bytes")


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "markdown", "github", "junit"])
def test_k05_private_and_symmetric_members_are_skipped_and_never_shown(capsys, here, fmt):
    k = keys()
    private = private_jwk(k.rsa_other, "leaky")
    oct_key = {"kty": "oct", "kid": "hs", "k": "c3VwZXItc2VjcmV0LWhtYWMta2V5LXZhbHVlLTEyMzQ1Ng", "alg": "HS256"}
    path = write(Path("leaky.json"), jwks(private, oct_key, public_jwk(k.rsa, kid="rs", alg="RS256")))
    tokens = [
        token_file(here, sign(claims(), k.rsa, kid="rs"), "ok.jwt"),
        token_file(here, sign(claims(), k.rsa_other, kid="leaky"), "leaky.jwt"),
        token_file(
            here, hs256({"alg": "HS256", "kid": "hs"}, claims(), b"super-secret-hmac-key-value-123456"), "hs.jwt"
        ),
    ]
    run = cli(capsys, "token", "--no-config", "--now", NOW_ISO, "--jwks", path, "--format", fmt, *tokens)
    assert run.code == 1 and "Traceback" not in run.text
    body = path.read_bytes()
    first, second = len(b'{"keys": [') + 1, _column(body, b'{"kty": "oct"')
    assert run.err == (
        f"warning: leaky.json:1:{first}: key 0 holds private or symmetric key material; skipped (a JWKS for "
        "verification must hold public keys only)\n"
        f"warning: leaky.json:1:{second}: key 1 holds private or symmetric key material; skipped (a JWKS for "
        "verification must hold public keys only)\n"
    )
    for member in ("d", "p", "q", "dp", "dq", "qi"):
        assert private[member] not in run.text
        assert private[member][:16] not in run.text
    assert oct_key["k"] not in run.text and "super-secret" not in run.text
    if fmt == "text":
        assert "unknown key id (kid) 'leaky' in leaky.json" in run.out


def test_k06_a_token_without_kid_against_several_keys_is_a_finding(capsys, key_set):
    run = with_jwks(capsys, key_set, sign(claims(), keys().rsa))
    rejected(run, "the token names no key id (kid) and jwks.json has 4 keys")


def test_k06_several_keys_without_kid_are_ambiguous_too(capsys, here):
    k = keys()
    path = write(Path("nokids.json"), jwks(public_jwk(k.rsa, alg="RS256"), public_jwk(k.rsa_other, alg="RS256")))
    for key in (k.rsa, k.rsa_other):
        run = check(capsys, token_file(here, sign(claims(), key)), "--jwks", path)
        rejected(run, "the token names no key id (kid) and nokids.json has 2 keys")
        assert run.err == ""


def test_k06_one_key_without_kid_verifies_a_token_without_kid(capsys, here):
    path = write(Path("one.json"), jwks(public_jwk(keys().rsa, alg="RS256")))
    verified(check(capsys, token_file(here, sign(claims(), keys().rsa)), "--jwks", path))
    rejected(
        check(capsys, token_file(here, sign(claims(), keys().rsa, kid="rs")), "--jwks", path),
        "unknown key id (kid) 'rs' in one.json",
    )


def test_k06_a_duplicate_kid_is_warned_about_and_the_first_key_is_used(capsys, here):
    k = keys()
    path = write(
        Path("dup.json"), jwks(public_jwk(k.rsa, kid="rs", alg="RS256"), public_jwk(k.rsa_other, kid="rs", alg="RS256"))
    )
    run = check(capsys, token_file(here, sign(claims(), k.rsa, kid="rs")), "--jwks", path)
    verified(run)
    second_kid = path.read_bytes().rindex(b'"kid"') + 1
    assert run.err == f"warning: dup.json:1:{second_kid}: key id 'rs' appears twice; the first is used\n"
    rejected(
        check(capsys, token_file(here, sign(claims(), k.rsa_other, kid="rs")), "--jwks", path),
        "the signature does not verify with the configured key",
    )


# --- K07: key sources come from the command line only --------------------------------------------


def test_k07_a_token_profile_cannot_name_a_key_url(capsys, here, no_network):
    profile = "apiVersion: policycheck/v1\nkind: TokenProfile\nname: evil\njwks_url: http://169.254.169.254/latest\n"
    gw = gateway(here, profile=profile)
    run = check(capsys, token_file(here, sign(claims(), keys().rsa)), "--policies", "gw", "--no-verify")
    assert gw.name == "gw"
    assert_one_line_error(run, "gw/token-profile.yaml:4:1: unknown key 'jwks_url' (expected one of apiVersion,")
    assert no_network == []


# --- K08-K17: issuer discovery over the network ----------------------------------------------------


@pytest.mark.parametrize(
    "issuer",
    [
        "file:///etc",
        "file://localhost/etc/passwd",
        "ftp://127.0.0.1/x",
        "data:application/json,{}",
        "http://example.com",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.1",
        "http://127.0.0.1.nip.io",
        "gopher://127.0.0.1:70/x",
        "https://",
        "//127.0.0.1/x",
    ],
)
def test_k08_non_https_issuers_are_refused_without_a_connection(capsys, here, no_network, issuer):
    run = check(capsys, token_file(here, sign(claims(), keys().rsa, kid=SIGNING_KID)), "--issuer", issuer)
    assert_one_line_error(run, "key material is fetched over https only (plain http only on loopback)")
    assert no_network == []


def _discover(capsys: pytest.CaptureFixture[str], here: Path, name: str, **claim: Any) -> Run:
    server = loopback()
    token = token_file(here, sign(claims(**claim), keys().rsa, kid=SIGNING_KID))
    return check(capsys, token, "--issuer", server.issuer(name))


def test_k_good_discovery_over_loopback_verifies(capsys, here):
    run = _discover(capsys, here, "good", iss=loopback().issuer("good"))  # the token names that issuer
    verified(run)


def test_k_loopback_http_is_allowed_by_name_too(capsys, here):
    server = loopback()
    token = token_file(here, sign(claims(), keys().rsa, kid=SIGNING_KID))
    run = check(capsys, token, "--issuer", f"http://localhost:{server.port}/good")
    # the discovery document names 127.0.0.1, so localhost is another issuer: refused, after one request
    assert_one_line_error(run, "names another issuer; refusing its keys")


def test_k09_a_redirect_is_not_followed(capsys, here):
    server = loopback()
    before = server.hits.get("/good/.well-known/openid-configuration", 0)
    run = _discover(capsys, here, "redirect")
    assert_one_line_error(
        run, "/redirect/.well-known/openid-configuration answered HTTP 302 (redirects are not followed)"
    )
    assert server.hits.get("/good/.well-known/openid-configuration", 0) == before


@pytest.mark.parametrize("name", ["html", "array", "badutf8", "deep"])
def test_k10_a_discovery_document_that_is_not_a_json_object_is_exit_2(capsys, here, name):
    run = _discover(capsys, here, name)
    assert_one_line_error(run, f"/{name}/.well-known/openid-configuration did not return a JSON discovery document")
    assert "RecursionError" not in run.text


def test_k10_a_jwks_uri_that_is_not_json_is_exit_2(capsys, here):
    assert_one_line_error(
        _discover(capsys, here, "badjwks"), "/badjwks/jwks:1:1: expected a JWKS (JSON with keys): Expecting value"
    )


def test_k11_a_huge_body_is_cut_off_at_the_cap(capsys, here):
    started = time.monotonic()
    run = _discover(capsys, here, "huge")
    assert_one_line_error(run, "/huge/.well-known/openid-configuration sent more than 1048576 bytes")
    assert time.monotonic() - started < 5


def test_k12_a_slow_drip_hits_the_total_deadline(capsys, here, monkeypatch):
    monkeypatch.setattr(keys_module.discover, "__defaults__", (0.5, True))
    started = time.monotonic()
    run = _discover(capsys, here, "slow")
    elapsed = time.monotonic() - started
    assert_one_line_error(run, "timed out fetching")
    assert elapsed < 2.5, elapsed  # the drip would take 10 s


def test_k13_a_server_error_is_exit_2(capsys, here):
    assert_one_line_error(_discover(capsys, here, "500"), "/500/.well-known/openid-configuration answered HTTP 500")
    assert_one_line_error(_discover(capsys, here, "absent"), "answered HTTP 404")


def test_k13_connection_refused_is_exit_2(capsys, here):
    with socket.socket() as s:  # a port that was free a moment ago
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = token_file(here, sign(claims(), keys().rsa, kid=SIGNING_KID))
    run = check(capsys, token, "--issuer", f"http://127.0.0.1:{port}/x")
    assert_one_line_error(run, f"cannot fetch http://127.0.0.1:{port}/x/.well-known/openid-configuration: URLError")


def test_k14_many_unknown_kids_fetch_the_keys_once(capsys, here):
    server = loopback()
    before = server.hits.get("/good/jwks", 0)
    tokens = [token_file(here, sign(claims(), keys().rsa, kid=f"random-{i}"), f"t{i}.jwt") for i in range(5)]
    run = cli(capsys, "token", "--no-config", "--now", NOW_ISO, "--issuer", server.issuer("good"), *tokens)
    assert run.code == 1 and len(health(run)) == 5
    assert server.hits["/good/jwks"] == before + 1


@pytest.mark.parametrize("name", ["other", "prefix"])
def test_k16_a_discovery_document_naming_another_issuer_is_refused(capsys, here, name):
    server = loopback()
    before = server.hits.get("/good/jwks", 0)
    run = _discover(capsys, here, name)
    assert_one_line_error(
        run, f"the discovery document of {server.issuer(name)} names another issuer; refusing its keys"
    )
    assert server.hits.get("/good/jwks", 0) == before  # its jwks_uri is never fetched


def test_k16_a_jwks_uri_on_another_host_is_refused(capsys, here):
    run = _discover(capsys, here, "foreignjwks")
    assert_one_line_error(run, "/foreignjwks is not on its origin (scheme, host and port); refusing it")


def test_k17_algorithms_advertised_by_discovery_do_not_widen_the_allow_list(capsys, here):
    """The good discovery document advertises none and HS256: both stay refused."""
    server = loopback()
    for token in (
        raw({"alg": "none", "kid": SIGNING_KID}, claims(), b""),
        hs256({"alg": "HS256", "kid": SIGNING_KID}, claims(), public_pem(keys().rsa)),
    ):
        run = check(capsys, token_file(here, token), "--issuer", server.issuer("good"))
        assert run.code == 1 and "REJECTED" in run.out
