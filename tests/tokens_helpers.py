"""Shared helpers for the token tests: a raw token builder, session keys, a loopback HTTP server, the CLI.

The raw builder (security-hazards A.1) writes tokens that `jwt.encode` refuses to
produce: `alg: none`, duplicate names, arbitrary bytes for the header or payload.
Keys are generated once per test session with `cryptography` (no private key is
committed). The loopback server listens on 127.0.0.1:0 only; tests never contact
any other host.
"""

from __future__ import annotations

import base64
import datetime
import functools
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.x509.oid import NameOID

from policycheck.cli import main

ROOT = Path(__file__).resolve().parent.parent
STORY = ROOT / "policies" / "examples" / "cloudsuite"

# --- raw tokens (hazards A.1) -------------------------------------------------


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _bytes(part: dict[str, Any] | bytes) -> bytes:
    return part if isinstance(part, bytes) else json.dumps(part).encode()


def raw(header: dict[str, Any] | bytes, payload: dict[str, Any] | bytes, sig: bytes = b"x") -> str:
    """header.payload.signature from dicts or raw bytes, with an arbitrary signature."""
    return f"{b64(_bytes(header))}.{b64(_bytes(payload))}.{b64(sig)}"


def hs256(header: dict[str, Any] | bytes, claims: dict[str, Any] | bytes, secret: bytes) -> str:
    """An HS256 token signed with an arbitrary HMAC 'secret' (e.g. a public key PEM)."""
    signing_input = f"{b64(_bytes(header))}.{b64(_bytes(claims))}".encode()
    return signing_input.decode() + "." + b64(hmac.new(secret, signing_input, hashlib.sha256).digest())


def sign_raw(header: dict[str, Any] | bytes, claims: dict[str, Any] | bytes, key: Any, alg: str) -> str:
    """A correctly signed token over arbitrary header/payload bytes (duplicate names, crit, b64)."""
    signing_input = f"{b64(_bytes(header))}.{b64(_bytes(claims))}".encode()
    algorithm = jwt.get_algorithm_by_name(alg)
    return signing_input.decode() + "." + b64(algorithm.sign(signing_input, key))


def sign(claims: dict[str, Any], key: Any, alg: str = "RS256", **headers: Any) -> str:
    return jwt.encode(claims, key, algorithm=alg, headers=headers or None)


# --- keys, generated once per session ----------------------------------------


@dataclass(frozen=True)
class Keys:
    rsa: RSAPrivateKey
    rsa_other: RSAPrivateKey
    p256: ec.EllipticCurvePrivateKey
    p384: ec.EllipticCurvePrivateKey
    ed25519: ed25519.Ed25519PrivateKey


@functools.lru_cache(maxsize=1)
def keys() -> Keys:
    return Keys(
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
        ec.generate_private_key(ec.SECP256R1()),
        ec.generate_private_key(ec.SECP384R1()),
        ed25519.Ed25519PrivateKey.generate(),
    )


def public_pem(key: Any) -> bytes:
    return bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def private_pem(key: Any) -> bytes:
    return bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )


def certificate_pem(key: Any) -> bytes:
    """A self-signed certificate for the key's public half."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "policycheck test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def public_jwk(key: Any, kid: str | None = None, alg: str | None = None, **extra: Any) -> dict[str, Any]:
    """The public JWK of a private key (never with private members)."""
    public = key.public_key()
    if isinstance(public, rsa.RSAPublicKey):
        jwk: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(public))
    elif isinstance(public, ec.EllipticCurvePublicKey):
        jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(public))
    else:
        jwk = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(public))
    if kid is not None:
        jwk["kid"] = kid
    if alg is not None:
        jwk["alg"] = alg
    jwk.update(extra)
    return jwk


def private_jwk(key: RSAPrivateKey, kid: str) -> dict[str, Any]:
    jwk: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key))
    jwk["kid"] = kid
    return jwk


def jwks(*members: dict[str, Any]) -> bytes:
    return json.dumps({"keys": list(members)}).encode()


# --- claims ------------------------------------------------------------------

NOW = 1_800_000_000  # 2027-01-15 08:00:00 UTC: every time test passes --now
NOW_ISO = "2027-01-15T08:00:00Z"
ISSUER = "https://idp.example.test/realms/acme"
AUDIENCE = "https://api.example.test"


def claims(**over: Any) -> dict[str, Any]:
    """Plain valid claims around NOW; keyword None removes a claim."""
    out: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "svc",
        "client_id": "app-prd",
        "scope": "x:read",
        "iat": NOW - 60,
        "exp": NOW + 3600,
        "jti": "t-1",
    }
    for k, v in over.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = v
    return out


# --- the CLI -----------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> Run:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return Run(code, out, err)


def assert_one_line_error(run: Run, *fragments: str) -> str:
    """Exit 2, stdout empty, one line on stderr starting 'policycheck: ', no traceback; returns the line."""
    assert run.code == 2, run
    assert "Traceback" not in run.text
    assert run.out == "", run
    assert run.err.startswith("policycheck: "), run
    assert run.err.endswith("\n") and run.err.count("\n") == 1, run
    for fragment in fragments:
        assert fragment in run.err, (fragment, run.err)
    return run.err.rstrip("\n")


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


# --- the loopback server -------------------------------------------------------


Handler = Callable[[BaseHTTPRequestHandler, "Loopback"], None]


@dataclass
class Loopback:
    """A ThreadingHTTPServer on 127.0.0.1:0: `routes` maps a path to a handler; `hits` counts requests."""

    server: ThreadingHTTPServer
    routes: dict[str, Handler] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def issuer(self, name: str) -> str:
        return f"{self.base}/{name}"


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: Sequence[tuple[str, str]] = ()) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    for k, v in headers:
        handler.send_header(k, v)
    handler.end_headers()
    handler.wfile.write(body)


def discovery(issuer: str, jwks_uri: str) -> bytes:
    return json.dumps(
        {"issuer": issuer, "jwks_uri": jwks_uri, "id_token_signing_alg_values_supported": ["none", "HS256", "RS256"]}
    ).encode()


def huge(handler: BaseHTTPRequestHandler, state: Loopback) -> None:
    size = 3 * 1024 * 1024
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(size))
    handler.end_headers()
    chunk = b" " * 65536
    for _ in range(size // len(chunk)):
        handler.wfile.write(chunk)


def slow(handler: BaseHTTPRequestHandler, state: Loopback) -> None:
    """Valid bytes, one every 50 ms: each read succeeds, the whole never arrives in time."""
    body = b'{"issuer": "x"' + b" " * 200 + b"}"
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.flush()
    for i in range(len(body)):
        handler.wfile.write(body[i : i + 1])
        handler.wfile.flush()
        time.sleep(0.05)


def loopback_routes(server: Loopback, key_set: bytes) -> dict[str, Handler]:
    base = server.base
    well_known = "/.well-known/openid-configuration"

    def static(status: int, body: bytes, *headers: tuple[str, str]) -> Handler:
        return lambda h, _: send(h, status, body, headers)

    return {
        f"/good{well_known}": static(200, discovery(f"{base}/good", f"{base}/good/jwks")),
        "/good/jwks": static(200, key_set),
        f"/other{well_known}": static(200, discovery("https://idp.attacker.test", f"{base}/good/jwks")),
        f"/prefix{well_known}": static(200, discovery(f"{base}/pre", f"{base}/good/jwks")),
        f"/slash{well_known}": static(200, discovery(f"{base}/slash/", f"{base}/good/jwks")),
        f"/noslash{well_known}": static(200, discovery(f"{base}/noslash", f"{base}/good/jwks")),
        f"/foreignjwks{well_known}": static(
            200, discovery(f"{base}/foreignjwks", f"http://localhost:{server.port}/good/jwks")
        ),
        f"/redirect{well_known}": static(302, b"", ("Location", f"http://localhost:{server.port}/good{well_known}")),
        f"/huge{well_known}": huge,
        f"/slow{well_known}": slow,
        f"/html{well_known}": static(200, b"<html><body>Sign in</body></html>"),
        f"/array{well_known}": static(200, b"[1, 2]"),
        f"/badutf8{well_known}": static(200, b'{"issuer": "\xff"}'),
        f"/deep{well_known}": static(200, b"[" * 200_000 + b"]" * 200_000),
        f"/500{well_known}": static(500, b'{"error": "boom"}'),
        f"/badjwks{well_known}": static(200, discovery(f"{base}/badjwks", f"{base}/badjwks/jwks")),
        "/badjwks/jwks": static(200, b"<html></html>"),
    }


@functools.lru_cache(maxsize=1)
def _server() -> Loopback:
    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # a client that hangs up early (size cap, deadline) is expected

    state: Loopback

    class RequestHandler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            state.hits[path] = state.hits.get(path, 0) + 1
            route = state.routes.get(path)
            if route is None:
                send(self, 404, b"{}")
            else:
                route(self, state)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = Server(("127.0.0.1", 0), RequestHandler)
    state = Loopback(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return state


SIGNING_KID = "loopback-rs"


def loopback() -> Loopback:
    """The session's loopback server, its routes set up with a JWKS of keys().rsa under SIGNING_KID."""
    state = _server()
    if not state.routes:
        state.routes.update(
            loopback_routes(state, jwks(public_jwk(keys().rsa, kid=SIGNING_KID, alg="RS256", use="sig")))
        )
    return state


def refuse_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """From now on every outgoing connection fails (AssertionError) and is recorded in the returned list."""
    import socket

    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


# --- a small gateway: policy, export and token profile (shapes of tests/rules/base.py) -------------

POLICY = """\
apiVersion: policycheck/v1
kind: Policy
permissions:
  - name: Read
    claims: [x:read]
  - name: Write
    claims: [x:write]
operations:
  - id: items.list
    request: GET /items
    requires:
      permissions: Read
  - id: items.create
    request: POST /items
    requires:
      permissions: [Read, Write]
environments:
  - name: test
  - name: prod
bindings:
  - application: app
    environments: [test, prod]
    operations: [items.list, items.create]
"""

EXPORT = """\
apiVersion: policycheck/v1
kind: GatewayExport
permission_sets:
  - name: Readers
    permissions: [Read]
  - name: Writers
    permissions: [Write]
    includes: [Readers]
environments:
  - name: test
    permission_sets: [Readers, Writers]
  - name: prod
    permission_sets: [Readers, Writers]
applications:
  - id: app
    clients: {test: app-tst, prod: app-prd}
    grants:
      - permission_set: Writers
        status: approved
"""

TEST_ISSUER = "https://idp.example.test/realms/acme-test"
TEST_AUDIENCE = "https://api.example.test/test"

PROFILE = f"""\
apiVersion: policycheck/v1
kind: TokenProfile
name: acme
extends: generic
environments:
  - name: test
    issuer: {TEST_ISSUER}
    audience: {TEST_AUDIENCE}
  - name: prod
    issuer: {ISSUER}
    audience: {AUDIENCE}
"""


def gateway(root: Path, policy: str = POLICY, export: str = EXPORT, profile: str | None = PROFILE) -> Path:
    """Write policy.yaml, export.yaml and token-profile.yaml under root/gw; returns the folder."""
    folder = root / "gw"
    write(folder / "policy.yaml", policy)
    write(folder / "export.yaml", export)
    if profile is not None:
        write(folder / "token-profile.yaml", profile)
    return folder


def report(run: Run) -> dict[str, Any]:
    """The JSON report of a run with --format json."""
    data: dict[str, Any] = json.loads(run.out)
    return data


def subjects(run: Run, rule: str) -> list[str | None]:
    """Subjects of the findings of `rule` in a JSON report."""
    return [f["subject"] for f in report(run)["findings"] if f["rule"] == rule]


TEST_TOKEN = {"iss": TEST_ISSUER, "aud": TEST_AUDIENCE, "client_id": "app-tst"}
"""Claims that make a token the test environment's (with `claims(**TEST_TOKEN)`)."""


def at_jwt(c: dict[str, Any], key: Any = None) -> str:
    """An access token (typ at+jwt) with claims `c`, signed with `key` (default: the session RSA key)."""
    return sign(c, key or keys().rsa, typ="at+jwt")


def token_json(
    capsys: pytest.CaptureFixture[str],
    here: Path,
    tokens: Sequence[tuple[str, str]],
    *options: str,
    policy: str = POLICY,
    export: str = EXPORT,
    verify: bool = True,
) -> Run:
    """`policycheck token --format json` against `gateway(here, policy, export)` on each (file name, text) of
    `tokens`, verified with the session RSA key's public PEM (or --no-verify)."""
    gw = gateway(here, policy, export)
    key = ("--key", write(here / "pub.pem", public_pem(keys().rsa))) if verify else ("--no-verify",)
    paths = [write(Path(name), text) for name, text in tokens]
    return cli(capsys, "token", "--no-config", "--policies", gw, *key, "--now", NOW_ISO, "--format", "json",
               *options, *paths)  # fmt: skip


def numbered(*texts: str) -> list[tuple[str, str]]:
    """Token texts as the files t1.jwt, t2.jwt, ..."""
    return [(f"t{i}.jwt", text) for i, text in enumerate(texts, 1)]


def findings_of(run: Run, rule: str) -> list[dict[str, Any]]:
    """The findings of `rule` in a JSON report."""
    return [f for f in report(run)["findings"] if f["rule"] == rule]


def where(f: dict[str, Any]) -> tuple[str, str, int, str | None, str | None, str | None, str]:
    """A JSON finding's rule, place, cell and subject, for comparing in one assertion."""
    return (f["rule"], f["location"]["path"], f["location"]["line"], f["application"], f["environment"],
            f["operation"], f["subject"])  # fmt: skip
