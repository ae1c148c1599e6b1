"""Nothing talks `policycheck token` into yes: issuer binding, no verification downgrade, network deadlines,
no echo of a token given as an argument, `token diff` of rejected tokens, and JSON depth counted explicitly.

Every token is written to a file in tmp_path (or given as an argument where that is the point) and checked
through the real CLI; only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tokens_helpers import (
    ISSUER,
    NOW_ISO,
    SIGNING_KID,
    Run,
    assert_one_line_error,
    claims,
    cli,
    gateway,
    jwks,
    keys,
    loopback,
    public_jwk,
    public_pem,
    raw,
    sign,
    sign_raw,
    write,
)

from policycheck.loading.jsondepth import MAX_JSON_DEPTH, max_depth, too_deep

RS = {"alg": "RS256", "kid": "rs"}


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def key_set(here: Path) -> Path:
    return write(Path("jwks.json"), jwks(public_jwk(keys().rsa, kid="rs", alg="RS256", use="sig")))


def check(capsys: pytest.CaptureFixture[str], *args: str | Path) -> Run:
    return cli(capsys, "token", "--no-config", "--now", NOW_ISO, *args)


@pytest.fixture
def high_recursion_limit() -> Any:
    """What Python 3.13 does to json.loads, on every version: the recursion limit no longer stops deep JSON."""
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(max(before, 30_000))
    yield
    sys.setrecursionlimit(before)


# --- 6. JSON depth, counted explicitly (Python 3.13) ------------------------------------------------


def test_too_deep_counts_brackets_outside_strings_only():
    assert not too_deep("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH)
    assert too_deep("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1))
    assert too_deep('{"a":' * 2_000 + "1" + "}" * 2_000)
    assert not too_deep(json.dumps({"s": "[{" * 5_000, "t": 'x\\"[' * 3_000}))
    assert not too_deep(json.dumps([["[" * 3_000]] * 10))
    assert max_depth([[[]], {"a": [{}]}]) == 4
    assert max_depth("x") == 0


@pytest.mark.usefixtures("high_recursion_limit")
@pytest.mark.parametrize(
    ("header", "payload", "what"),
    [
        (RS, b"[" * 2_000 + b"]" * 2_000, "claims"),
        (RS, b'{"a":' * 2_000 + b"1" + b"}" * 2_000, "claims"),
        (b"[" * 2_000 + b"]" * 2_000, claims(), "header"),
    ],
    ids=["array-claims", "object-claims", "header"],
)
def test_a_deep_jwt_is_refused_even_where_json_loads_would_parse_it(capsys, key_set, header, payload, what):
    write(Path("t.jwt"), raw(header, payload))
    run = check(capsys, "--jwks", key_set, "t.jwt")
    assert_one_line_error(run, f"t.jwt: not a usable JWT: the {what} is nested too deeply")


@pytest.mark.usefixtures("high_recursion_limit")
def test_deep_claims_json_is_refused_even_where_json_loads_would_parse_it(capsys, here):
    write(Path("claims.json"), b'{"a":' * 2_000 + b"1" + b"}" * 2_000)
    assert_one_line_error(
        check(capsys, "--no-verify", "claims.json"), "claims.json:1:5001: token JSON is nested too deeply"
    )


@pytest.mark.usefixtures("high_recursion_limit")
def test_a_deep_jwks_is_refused_even_where_json_loads_would_parse_it(capsys, here):
    write(Path("t.jwt"), sign(claims(), keys().rsa, kid="rs"))
    write(Path("deep.json"), b'{"keys": [' + b"[" * 2_000 + b"]" * 2_000 + b"]}")
    assert_one_line_error(
        check(capsys, "--jwks", "deep.json", "t.jwt"),
        "deep.json:1:1009: expected a JWKS (JSON with keys): nested too deeply",
    )


@pytest.mark.usefixtures("high_recursion_limit")
def test_a_deep_json_export_is_still_nested_too_deeply(capsys, here):
    from policycheck.errors import InputError
    from policycheck.loading.limits import Limits
    from policycheck.loading.source import load

    with pytest.raises(InputError, match=r"^f\.json:1:1001: JSON nested too deeply$"):
        load("f.json", ("[" * 5000 + "]" * 5000).encode(), Limits())
    with pytest.raises(InputError, match=r"^f\.json:1:65: nesting deeper than 64 levels$"):
        load("f.json", ("[" * 65 + "]" * 65).encode(), Limits())


# --- 2. no verification downgrade ---------------------------------------------------------------------

UNSIGNED = [
    ("claims.json", claims(), "decoded claims JSON"),
    ("introspection.json", {"active": True, **claims()}, "an introspection response"),
    (
        "response.json",
        {"access_token": "opaque-123", "token_type": "Bearer", "scope": "x:read"},
        "an opaque token response",
    ),
]
NOT_CHECKED = "carries no signature to check against the named key; without --key, --jwks and --issuer (or with --no-verify) it is read UNVERIFIED"


@pytest.mark.parametrize(("name", "body", "what"), UNSIGNED, ids=[u[0] for u in UNSIGNED])
@pytest.mark.parametrize("source", ["--key", "--jwks"])
def test_an_input_without_a_signature_is_refused_when_a_key_is_named(capsys, here, key_set, name, body, what, source):
    write(Path("key.pem"), public_pem(keys().rsa))
    write(Path(name), json.dumps(body))
    run = check(capsys, source, "key.pem" if source == "--key" else key_set, name)
    assert_one_line_error(run, f"policycheck: {name}: {what} {NOT_CHECKED}")


@pytest.mark.parametrize(("name", "body", "what"), UNSIGNED, ids=[u[0] for u in UNSIGNED])
def test_an_input_without_a_signature_is_refused_with_an_issuer_too(capsys, here, name, body, what):
    server = loopback()
    write(Path(name), json.dumps(body))
    run = check(capsys, "--issuer", server.issuer("good"), name)
    assert_one_line_error(run, f"policycheck: {name}: {what} {NOT_CHECKED}")


@pytest.mark.parametrize(("name", "body", "what"), UNSIGNED, ids=[u[0] for u in UNSIGNED])
def test_no_verify_beside_a_key_reads_it_unverified(capsys, here, key_set, name, body, what):
    write(Path(name), json.dumps(body))
    run = check(capsys, "--jwks", key_set, "--no-verify", "--format", "json", name)
    assert run.code in (0, 1) and json.loads(run.out)["verified"] is False, run


def test_explain_with_a_key_does_not_call_unsigned_claims_allowed(capsys, here, key_set):
    folder = gateway(here)
    write(Path("claims.json"), json.dumps(claims()))
    args = ["explain", "app", "items.list", "--env", "prod", "--policies", str(folder), "--no-config", "--token"]
    run = cli(capsys, *args, "claims.json", "--jwks", key_set)
    assert_one_line_error(run, f"claims.json: decoded claims JSON {NOT_CHECKED}")
    assert "ALLOWED" not in run.text
    unverified = cli(capsys, *args, "claims.json")  # no key named: read, and said to be unverified
    assert "UNVERIFIED" in unverified.out, unverified


# --- 4. a token given on the command line is never echoed -------------------------------------------


def _argv_tokens() -> dict[str, str]:
    good = sign(claims(), keys().rsa, kid="rs")
    header, payload, signature = good.split(".")
    return {
        "stray-character": good + "!",
        "stray-character-inside": f"{header}.{payload}.{signature[:10]}~{signature[10:]}",
        "jwe-5-parts": f"{header}.{payload[:40]}.{payload[40:80]}.{payload[80:]}.{signature}",
        "4-parts": f"{good}.{signature}",
        "line-break": f"{header}.{payload[:50]}\n{payload[50:]}.{signature}",
        "space": f"{header}.{payload} .{signature}",
        "bearer-twice": f"Bearer Bearer {good}",
        "broken-json": '{"access_token": "' + good + '"',
        "not-base64": f"{header}.{payload}.{signature[:-4]}/+/+",
        "bad-header": f"eyJub3Rqc29u.{payload}.{signature}",
    }


def _secrets(text: str) -> list[str]:
    """The argument and every piece of it long enough to matter (segments and halves of segments)."""
    pieces = [text]
    for part in text.replace("\n", ".").replace(" ", ".").replace('"', ".").split("."):
        if len(part) >= 16:
            pieces += [part, part[: len(part) // 2], part[len(part) // 2 :]]
    return pieces


@pytest.mark.parametrize("name", list(_argv_tokens()))
def test_a_malformed_token_argument_is_named_by_position_and_fingerprint(capsys, key_set, name):
    import hashlib

    text = _argv_tokens()[name]
    run = check(capsys, "--jwks", key_set, text)
    assert run.code == 2 and "Traceback" not in run.text, run
    for secret in _secrets(text):
        assert secret not in run.text, (name, secret)
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    error = run.err.splitlines()[-1]
    assert re.match(rf"policycheck: argument 1, sha256 {digest}(:\d+:\d+)?: ", error), run.err  # where in it, if JSON
    assert run.err.count("policycheck: ") == 1


@pytest.mark.parametrize("name", ["stray-character", "jwe-5-parts", "line-break"])
def test_the_position_is_the_arguments_among_the_tokens(capsys, key_set, name):
    text = _argv_tokens()[name]
    write(Path("ok.jwt"), sign(claims(), keys().rsa, kid="rs"))
    run = check(capsys, "--jwks", key_set, "ok.jwt", text)
    assert "policycheck: argument 2, sha256 " in run.err and run.code == 2
    assert all(secret not in run.text for secret in _secrets(text))
    run = cli(capsys, "token", "diff", "--no-config", "--jwks", key_set, text, "ok.jwt")
    assert "policycheck: argument 1, sha256 " in run.err and run.code == 2
    assert all(secret not in run.text for secret in _secrets(text))


def test_a_third_argument_to_token_diff_is_not_echoed(capsys, key_set):
    good = sign(claims(), keys().rsa, kid="rs")
    header, payload, signature = good.split(".")
    run = cli(capsys, "token", "diff", "--no-config", "--jwks", key_set, f"{header}.{payload}", signature, good)
    assert_one_line_error(run, "token diff compares exactly two tokens: A B")
    assert all(secret not in run.text for secret in _secrets(good))


def test_a_valid_token_argument_is_named_by_position_in_the_report(capsys, key_set):
    good = sign(claims(), keys().rsa, kid="rs")
    run = check(capsys, "--jwks", key_set, good)
    assert run.code == 0 and "(argument 1, sha256 " in run.out, run
    assert all(secret not in run.text for secret in _secrets(good))


@pytest.mark.parametrize("path", ["no-such-file", "tokens/prod.jwt", "../x.json", "C:tok.txt"])
def test_a_mistyped_path_is_still_shown(capsys, key_set, path):
    assert_one_line_error(check(capsys, "--jwks", key_set, path), f"policycheck: {path}: no such file")


# --- 1. issuer binding ------------------------------------------------------------------------------


def _issuer_run(capsys: pytest.CaptureFixture[str], issuer: str, *options: str | Path, **claim: Any) -> Run:
    write(Path("t.jwt"), sign_raw({"alg": "RS256", "kid": SIGNING_KID}, claims(**claim), keys().rsa, "RS256"))
    return check(capsys, "--issuer", issuer, *options, "t.jwt")


def test_a_token_of_another_tenant_sharing_the_keys_is_rejected(capsys, here):
    """Every Entra tenant signs with the same keys: the keys verify, the issuer does not match."""
    server = loopback()
    issuer = server.issuer("good")
    for iss in (ISSUER, issuer + "/", issuer.upper(), issuer[:-1], None, 42):
        run = _issuer_run(capsys, issuer, iss=iss)  # None: no iss at all
        assert run.code == 1 and "REJECTED" in run.out, (iss, run)
        assert (
            f"rejected: the signature verifies with the keys of {issuer}, but the token's issuer (iss) is not {issuer}"
            in run.out
        )
    assert _issuer_run(capsys, issuer, iss=issuer).code == 0


@pytest.mark.parametrize(("name", "given"), [("good", "good/"), ("slash", "slash"), ("noslash", "noslash/")])
def test_the_discovery_issuer_must_be_the_url_exactly(capsys, here, name, given):
    server = loopback()
    before = server.hits.get("/good/jwks", 0)
    run = _issuer_run(capsys, f"{server.base}/{given}", iss=f"{server.base}/{given}")
    assert_one_line_error(run, f"the discovery document of {server.base}/{given} names another issuer")
    assert server.hits.get("/good/jwks", 0) == before


def test_a_token_in_no_environment_of_the_profile_is_a_finding(capsys, here, key_set):
    folder = gateway(here)
    other = claims(iss="https://login.example.test/another-tenant/v2.0", aud="api://another", client_id="x")
    write(Path("t.jwt"), sign(other, keys().rsa, kid="rs"))
    run = check(capsys, "--policies", folder, "--jwks", key_set, "--format", "json", "t.jwt")
    assert run.code == 1, run
    found = [f for f in json.loads(run.out)["findings"] if f["rule"] == "PC205"]
    assert [f["subject"] for f in found] == ["environment"]
    assert found[0]["message"].endswith(
        "its issuer, audience and client match no environment of token profile acme (test, prod): the gateway answers 401"
    )


def test_an_environment_the_profile_does_not_declare_is_a_finding(capsys, here, key_set):
    folder = gateway(here)
    write(Path("t.jwt"), sign(claims(), keys().rsa, kid="rs"))
    run = check(capsys, "--policies", folder, "--jwks", key_set, "--env", "staging", "t.jwt")
    assert run.code == 1 and "environment staging is not one of token profile acme (test, prod)" in run.out, run


def test_a_token_matching_a_declared_environment_passes(capsys, here, key_set):
    folder = gateway(here)
    write(Path("t.jwt"), sign(claims(scope="x:read x:write"), keys().rsa, kid="rs"))
    run = check(capsys, "--policies", folder, "--jwks", key_set, "t.jwt")
    assert run.code == 0, run


def test_without_declared_environments_nothing_changes(capsys, here, key_set):
    folder = gateway(here, profile=None)
    other = claims(iss="https://login.example.test/another-tenant/v2.0", aud="api://another", client_id="x")
    write(Path("t.jwt"), sign(other, keys().rsa, kid="rs"))
    run = check(capsys, "--policies", folder, "--jwks", key_set, "t.jwt")
    assert run.code == 0, run


# --- 5. token diff of rejected tokens ----------------------------------------------------------------


def _diff(capsys: pytest.CaptureFixture[str], key_set: Path, a: str, b: str) -> Run:
    write(Path("a.jwt"), a)
    write(Path("b.jwt"), b)
    return cli(capsys, "token", "diff", "--no-config", "--now", NOW_ISO, "--jwks", key_set, "a.jwt", "b.jwt")


def test_token_diff_of_an_unsigned_token_and_its_genuine_twin_is_not_called_the_same(capsys, key_set):
    genuine = sign(claims(scope="x:read x:write"), keys().rsa, kid="rs")
    unsigned = raw({"alg": "none", "kid": "rs"}, claims(scope="x:read x:write"), b"")
    run = _diff(capsys, key_set, unsigned, genuine)
    assert run.code == 1, run
    assert run.out.startswith(
        "REJECTED: A (a.jwt) fails verification (PC205): alg none: an unsigned token is never accepted\n"
        "NOT TRUSTWORTHY: the comparison below takes a rejected token's claims as given; they prove nothing\n\n"
    )
    assert "carry the same permissions" not in run.out
    assert run.out.endswith(
        "\nthe two tokens claim the same permissions, but A is rejected: the comparison is not trustworthy\n"
    )


def test_token_diff_of_two_tokens_signed_with_the_wrong_key(capsys, key_set):
    forged = sign(claims(scope="x:read"), keys().rsa_other, kid="rs")
    run = _diff(capsys, key_set, forged, forged)
    assert run.code == 1, run
    assert "REJECTED: A (a.jwt) fails verification (PC205): the signature does not verify" in run.out
    assert "REJECTED: B (b.jwt) fails verification (PC205): the signature does not verify" in run.out
    assert run.out.endswith("but A and B are rejected: the comparison is not trustworthy\n")


def test_token_diff_of_a_rejected_token_that_differs_says_so_too(capsys, key_set):
    genuine = sign(claims(scope="x:read"), keys().rsa, kid="rs")
    forged = sign(claims(scope="x:read x:admin"), keys().rsa_other, kid="rs")
    run = _diff(capsys, key_set, genuine, forged)
    assert run.code == 1 and run.out.startswith("REJECTED: B (b.jwt) fails verification (PC205)"), run
    assert "  + x:admin  only in B (b.jwt)" in run.out


def test_token_diff_of_two_genuine_twins_is_still_exit_0(capsys, key_set):
    genuine = sign(claims(scope="x:read"), keys().rsa, kid="rs")
    run = _diff(capsys, key_set, genuine, genuine)
    assert run.code == 0 and "REJECTED" not in run.out and run.out.endswith("carry the same permissions\n"), run


# --- 3. network: one total deadline, malformed HTTP, the jwks_uri's origin -------------------------------


@contextlib.contextmanager
def raw_server(respond: Callable[[socket.socket, threading.Event], None]) -> Iterator[RawServer]:
    """A TCP server on 127.0.0.1 that reads a request and answers with `respond(conn, stop)`, byte by byte if it likes."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.05)
    stop = threading.Event()
    state = RawServer(f"http://127.0.0.1:{listener.getsockname()[1]}")

    def handle(conn: socket.socket) -> None:
        with conn:
            try:
                conn.settimeout(5)
                request = b""
                while b"\r\n\r\n" not in request:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    request += chunk
                respond(conn, stop)
            except OSError:
                pass  # the client hung up (its deadline): expected

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            state.connections += 1
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        stop.set()
        thread.join()
        listener.close()


@dataclass
class RawServer:
    base: str
    connections: int = 0


def drip(data: bytes, every: float = 0.02) -> Callable[[socket.socket, threading.Event], None]:
    def respond(conn: socket.socket, stop: threading.Event) -> None:
        for i in range(len(data)):
            if stop.is_set():
                return
            conn.sendall(data[i : i + 1])
            time.sleep(every)

    return respond


def answer(data: bytes) -> Callable[[socket.socket, threading.Event], None]:
    return lambda conn, stop: conn.sendall(data)


HEADERS = b"".join(b"X-Drip-%d: y\r\n" % i for i in range(60))


@pytest.fixture
def short_deadline(monkeypatch: pytest.MonkeyPatch) -> float:
    from policycheck.tokens import keys as keys_module

    monkeypatch.setattr(keys_module, "DEADLINE_SECONDS", 0.5, raising=False)  # without the knob: fails by time
    return 0.5


@pytest.mark.usefixtures("short_deadline")
@pytest.mark.parametrize(
    "script",
    [
        drip(b"HTTP/1.1 200 OK\r\n" + HEADERS + b"\r\n{}"),  # the status line, a byte at a time
        lambda conn, stop: (conn.sendall(b"HTTP/1.1 200 OK\r\n"), drip(HEADERS + b"\r\n{}")(conn, stop)),  # headers
        lambda conn, stop: stop.wait(10),  # connected, and then nothing at all
    ],
    ids=["status-line", "headers", "silence"],
)
def test_a_server_that_drips_its_status_line_or_headers_hits_the_total_deadline(capsys, here, script):
    with raw_server(script) as server:
        started = time.monotonic()
        run = check(capsys, "--issuer", f"{server.base}/x", "t.jwt")
        elapsed = time.monotonic() - started
    assert_one_line_error(run, f"timed out fetching {server.base}/x/.well-known/openid-configuration")
    assert elapsed < 2.0, elapsed  # the drip would take 20 s, silence 10 s


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (b"NOT-HTTP\r\n\r\n", "BadStatusLine"),
        (b"HTTP/1.1 2OO OK\r\n\r\n", "BadStatusLine"),
        (b"HTTP/1.1 200 " + b"O" * 70_000 + b"\r\n\r\n", "LineTooLong"),
        (b"HTTP/1.1 200 OK\r\nX-Long: " + b"y" * 70_000 + b"\r\n\r\n", "LineTooLong"),
        (b"HTTP/1.1 200 OK\r\n" + b"X-A: b\r\n" * 101 + b"\r\n{}", "HTTPException"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{", "IncompleteRead"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "IncompleteRead"),
    ],
    ids=["garbage", "bad-status", "long-status", "long-header", "101-headers", "short-body", "bad-chunk"],
)
def test_malformed_http_is_one_line_exit_2(capsys, here, response, error):
    with raw_server(answer(response)) as server:
        run = check(capsys, "--issuer", f"{server.base}/x", "t.jwt")
    assert_one_line_error(
        run, f"policycheck: malformed HTTP response from {server.base}/x/.well-known/openid-configuration: {error}"
    )


def test_a_server_that_hangs_up_without_an_answer_is_exit_2(capsys, here):
    with raw_server(lambda conn, stop: None) as server:
        run = check(capsys, "--issuer", f"{server.base}/x", "t.jwt")
    assert_one_line_error(run, f"cannot fetch {server.base}/x/.well-known/openid-configuration: RemoteDisconnected")


@pytest.mark.parametrize("where", ["other-port", "https", "default-port", "localhost"])
def test_a_jwks_uri_off_the_issuers_origin_is_refused_unfetched(capsys, here, where):
    reply: dict[str, bytes] = {}
    with (
        raw_server(answer(b"HTTP/1.1 500 No\r\nContent-Length: 0\r\n\r\n")) as keys_server,
        raw_server(lambda conn, stop: conn.sendall(reply["discovery"])) as issuer_server,
    ):
        issuer = f"{issuer_server.base}/t"
        port = issuer_server.base.rsplit(":", 1)[1]
        jwks_uri = {
            "other-port": f"{keys_server.base}/jwks",  # same host, another port
            "https": f"https://127.0.0.1:{port}/jwks",
            "default-port": "http://127.0.0.1/jwks",
            "localhost": f"http://localhost:{port}/jwks",
        }[where]
        document = json.dumps({"issuer": issuer, "jwks_uri": jwks_uri}).encode()
        reply["discovery"] = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(document), document)
        run = check(capsys, "--issuer", issuer, "t.jwt")
        assert_one_line_error(
            run, f"policycheck: the jwks_uri of {issuer} is not on its origin (scheme, host and port); refusing it"
        )
        assert keys_server.connections == 0 and issuer_server.connections == 1


def test_a_jwks_uri_on_the_issuers_origin_is_fetched(capsys, here):
    server = loopback()
    write(Path("t.jwt"), sign(claims(iss=server.issuer("good")), keys().rsa, kid=SIGNING_KID))
    assert check(capsys, "--issuer", server.issuer("good"), "t.jwt").code == 0


@pytest.mark.usefixtures("high_recursion_limit")
def test_a_deep_baseline_is_refused_even_where_json_loads_would_parse_it(here):
    from policycheck import baseline
    from policycheck.errors import InputError

    shallow = json.dumps({"version": baseline.VERSION, "findings": [{"fingerprint": "f", "x": []}]})
    write(Path("baseline.json"), shallow)
    assert baseline.read("baseline.json") == {"f": 1}
    write(Path("baseline.json"), shallow.replace("[]", "[" * 1_100 + "]" * 1_100))  # past the limit
    with pytest.raises(InputError, match="expected a baseline written by --write-baseline"):
        baseline.read("baseline.json")
