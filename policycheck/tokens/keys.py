"""Verification keys: a PEM public key or certificate, a JWKS file, or an issuer's discovery and JWKS.

Key material comes only from what the user names (never from a token's jku, x5u or
jwk header). The network is used only for an issuer URL given on the command line:
https only (plain http only for loopback addresses), no redirects, a total deadline
and a size cap. Error messages never repeat key material.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError, UsageError, line_column, quoted
from ..loading.jsondepth import MAX_JSON_DEPTH, deeper_at, too_deep
from ..loading.jsonpos import JsonIndex

PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "k", "oth"})
MAX_RESPONSE_BYTES = 1024 * 1024


@dataclass
class KeySet:
    """Keys by kid (None: the one key without a kid). Values: PyJWK or cryptography key objects."""

    keys: dict[str | None, Any] = field(default_factory=dict)
    source: str = ""
    warnings: list[str] = field(default_factory=list)
    any_kid: bool = False
    """One key named by the user (a PEM): it verifies whatever kid the token names."""
    unnamed: int = 0
    """How many usable keys have no kid (only the first is kept, under None)."""
    issuer: str | None = None
    """The issuer these keys were discovered for (--issuer): a token they verify must name it as its iss."""

    def pick(self, kid: Any) -> tuple[Any | None, str | None]:
        """(key, problem): `kid` is only a lookup key, compared exactly."""
        if kid is not None and not isinstance(kid, str):
            return None, "the token's kid is not a string"
        if self.any_kid:
            return next(iter(self.keys.values())), None
        if kid is not None:
            if kid in self.keys:
                return self.keys[kid], None
            return None, f"unknown key id (kid) {quoted(kid)} in {self.source}"
        count = len(self.keys) + max(self.unnamed - 1, 0)
        if count == 1:
            return next(iter(self.keys.values())), None
        return None, f"the token names no key id (kid) and {self.source} has {count} keys"


def load_pem(path: str) -> KeySet:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        with open(path, "rb") as f:
            data = f.read(MAX_RESPONSE_BYTES + 1)
    except OSError as e:
        raise InputError(path, f"cannot read the key: {e.strerror}") from None
    if data.count(b"-----BEGIN") != 1:
        raise InputError(path, "expected exactly one PEM public key or certificate")
    key: Any
    try:
        if b"CERTIFICATE" in data:
            key = x509.load_pem_x509_certificate(data).public_key()
        elif b"PRIVATE KEY" in data:
            raise InputError(path, "this is a private key; give the public key (never hand policycheck a private key)")
        else:
            key = serialization.load_pem_public_key(data)
    except InputError:
        raise
    except (ValueError, TypeError):
        raise InputError(path, "not a usable PEM public key or certificate") from None
    return KeySet({None: key}, path, any_kid=True)


def load_jwks(data: bytes, source: str) -> KeySet:
    import jwt

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(source, "expected a JWKS (JSON with keys): not UTF-8 text") from None
    deeper = deeper_at(text, MAX_JSON_DEPTH)
    if deeper is not None:  # counted: Python 3.13's json.loads no longer stops at the recursion limit
        raise InputError(source, "expected a JWKS (JSON with keys): nested too deeply", *line_column(text, deeper))
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:  # its message is the parser's fixed words (before any ':'), never the input
        reason = e.msg.split(":")[0]
        raise InputError(source, f"expected a JWKS (JSON with keys): {reason}", e.lineno, e.colno) from None
    except (ValueError, RecursionError):
        raise InputError(source, "expected a JWKS (JSON with keys)") from None
    index = JsonIndex(text, doc)

    def at(*path: str | int) -> str:
        line, column = index.locate(path)
        return f"{source}:{line}:{column}"

    if not isinstance(doc, dict) or not isinstance(doc.get("keys"), list):
        raise InputError(source, "expected a JWKS: an object with a list of keys", *index.locate(("keys",)))
    out = KeySet(source=source)
    not_signing = 0
    for i, jwk in enumerate(doc["keys"][:100]):
        if not isinstance(jwk, dict):
            out.warnings.append(f"{at('keys', i)}: key {i} is not an object; skipped")
            continue
        if PRIVATE_MEMBERS & set(jwk):
            out.warnings.append(
                f"{at('keys', i)}: key {i} holds private or symmetric key material; skipped "
                "(a JWKS for verification must hold public keys only)"
            )
            continue
        if jwk.get("use", "sig") != "sig":  # an encryption key beside the signing ones (Keycloak's certs): usual
            not_signing += 1
            continue
        kid = jwk.get("kid") if isinstance(jwk.get("kid"), str) else None
        if kid is not None and kid in out.keys:
            out.warnings.append(f"{at('keys', i, 'kid')}: key id {quoted(kid)} appears twice; the first is used")
            continue
        try:
            key = jwt.PyJWK(jwk)
        except (jwt.PyJWTError, ValueError, TypeError, KeyError):
            out.warnings.append(f"{at('keys', i)}: key {i} is not a usable public key; skipped")
            continue
        if kid is None:
            out.unnamed += 1
        out.keys.setdefault(kid, key)
    if not out.keys:
        reasons = [w.split(": ", 1)[1].split("; skipped")[0] for w in out.warnings]
        if not_signing:
            reasons.append(f"{not_signing} key{'s are' if not_signing > 1 else ' is'} for encryption, not signatures")
        why = "; ".join(reasons[:3]) + (f"; {len(reasons) - 3} more" if len(reasons) > 3 else "")
        because = f" ({why})" if why else " (the list of keys is empty)" if not doc["keys"] else ""
        raise InputError(source, f"the JWKS has no usable public signing key{because}", *index.locate(("keys",)))
    return out


def load_jwks_file(path: str) -> KeySet:
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_RESPONSE_BYTES + 1)
    except OSError as e:
        raise InputError(path, f"cannot read the JWKS: {e.strerror}") from None
    if len(data) > MAX_RESPONSE_BYTES:
        raise InputError(path, f"the JWKS is over {MAX_RESPONSE_BYTES} bytes")
    return load_jwks(data, path)


def _allowed_url(url: str, allow_http_loopback: bool) -> urllib.parse.SplitResult:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return parts
    if parts.scheme == "http" and parts.hostname and allow_http_loopback:
        try:
            if ipaddress.ip_address(parts.hostname).is_loopback:
                return parts
        except ValueError:
            if parts.hostname == "localhost":
                return parts
    raise UsageError(f"refusing {url!r}: key material is fetched over https only (plain http only on loopback)")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


DEADLINE_SECONDS = 10.0
"""The total time for --issuer: discovery and JWKS, each from DNS and connect to the last body byte."""


def fetch(url: str, deadline: float, allow_http_loopback: bool) -> bytes:
    """GET with no redirects, one total deadline and a size cap; any failure is a one-line UsageError.

    The deadline covers everything (name lookup, connect, TLS, status line, headers, body):
    the request runs in a worker thread that the caller waits for until the deadline, so
    a server that drips its status line or headers a byte at a time cannot hold the run.
    """
    _allowed_url(url, allow_http_loopback)
    if deadline - time.monotonic() <= 0:
        raise UsageError(f"timed out fetching {url}")
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["body"] = _get(url, deadline)
        except BaseException as e:  # handed to the caller; never left unhandled in the thread
            box["error"] = e

    worker = threading.Thread(target=work, name="policycheck-fetch", daemon=True)
    worker.start()
    worker.join(max(deadline - time.monotonic(), 0.0))
    if worker.is_alive():  # it ends by itself: every socket operation has a timeout within the deadline
        raise UsageError(f"timed out fetching {url}")
    if "error" in box:
        raise box.pop("error")  # popped: the box must not hold the exception whose traceback holds this frame
    body: bytes = box["body"]
    return body


def _get(url: str, deadline: float) -> bytes:
    opener = urllib.request.build_opener(_NoRedirect)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise UsageError(f"timed out fetching {url}")
    try:
        with opener.open(
            urllib.request.Request(url, headers={"Accept": "application/json"}), timeout=remaining
        ) as response:
            if response.status != 200:
                raise UsageError(f"{url} answered HTTP {response.status}")
            chunks, size = [], 0
            while True:
                if time.monotonic() > deadline:
                    raise UsageError(f"timed out fetching {url}")
                chunk = response.read1(65536)  # what has arrived: read() would wait for all 64 KiB
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_RESPONSE_BYTES:
                    raise UsageError(f"{url} sent more than {MAX_RESPONSE_BYTES} bytes")
                chunks.append(chunk)
            if response.length:  # read1 returns b"" at a connection closed early: the body is cut short
                raise http.client.IncompleteRead(b"".join(chunks), response.length)
            return b"".join(chunks)
    except UsageError:
        raise
    except urllib.error.HTTPError as e:
        e.close()
        raise UsageError(
            f"{url} answered HTTP {e.code}" + (" (redirects are not followed)" if 300 <= e.code < 400 else "")
        ) from None
    except ConnectionError as e:  # RemoteDisconnected too, though it is a BadStatusLine: no response at all
        raise UsageError(f"cannot fetch {url}: {type(e).__name__}") from None
    except http.client.HTTPException as e:  # BadStatusLine, LineTooLong, IncompleteRead, over 100 headers
        raise UsageError(f"malformed HTTP response from {url}: {type(e).__name__}") from None
    except TimeoutError:
        raise UsageError(f"timed out fetching {url}") from None
    except urllib.error.URLError as e:
        if isinstance(e.reason, TimeoutError):
            raise UsageError(f"timed out fetching {url}") from None
        raise UsageError(f"cannot fetch {url}: {type(e).__name__}") from None
    except (OSError, ValueError) as e:
        raise UsageError(f"cannot fetch {url}: {type(e).__name__}") from None


def _origin(url: str) -> tuple[str, str | None, int | None]:
    """(scheme, host, port) with the scheme's default port filled in; ValueError for a bad port."""
    parts = urllib.parse.urlsplit(url)
    port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    return parts.scheme, parts.hostname, port


def discover(
    issuer: str, timeout: float | None = None, allow_http_loopback: bool = True
) -> tuple[KeySet, dict[str, Any]]:
    """The issuer's OpenID discovery document and its JWKS (issuer must match exactly), within one deadline."""
    deadline = time.monotonic() + (DEADLINE_SECONDS if timeout is None else timeout)
    base = issuer.rstrip("/")
    url = f"{base}/.well-known/openid-configuration"
    try:
        text = fetch(url, deadline, allow_http_loopback).decode("utf-8-sig")
        if too_deep(text):  # counted: Python 3.13's json.loads no longer stops at the recursion limit
            raise ValueError("nested too deeply")
        doc = json.loads(text)
    except (ValueError, RecursionError):
        raise UsageError(f"{url} did not return a JSON discovery document") from None
    if not isinstance(doc, dict):
        raise UsageError(f"{url} did not return a JSON discovery document")
    if doc.get("issuer") != issuer:  # exactly, not even a trailing slash (OpenID Connect Discovery 4.3)
        raise UsageError(f"the discovery document of {issuer} names another issuer; refusing its keys")
    jwks_uri = doc.get("jwks_uri")
    if not isinstance(jwks_uri, str):
        raise UsageError(f"the discovery document of {issuer} has no jwks_uri")
    try:
        same_origin = _origin(jwks_uri) == _origin(issuer)
    except ValueError:
        same_origin = False
    if not same_origin:
        raise UsageError(f"the jwks_uri of {issuer} is not on its origin (scheme, host and port); refusing it")
    keys = load_jwks(fetch(jwks_uri, deadline, allow_http_loopback), jwks_uri)
    keys.issuer = issuer
    return keys, doc
