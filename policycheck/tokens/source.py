"""Where a token comes from, and what shape it has: JWT, claims, token response, introspection.

A token is read from a file, from stdin (`-`) or from an environment variable
(`env:NAME`); a token written on the command line itself is accepted with a
warning, since it shows up in `ps` and CI logs. One `Bearer ` prefix and the
surrounding whitespace are stripped. Input larger than the cap is refused before
anything parses it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass
from typing import Any

from ..errors import InputError, line_column
from ..loading.jsondepth import MAX_JSON_DEPTH, deeper_at
from . import jose

DEFAULT_MAX_BYTES = 16 * 1024
_COMPACT = re.compile(r"^[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_=-]*$")


@dataclass(frozen=True)
class TokenInput:
    label: str
    """Where it came from, for messages: a path, 'stdin' or 'env:NAME' (never the token)."""
    jwt: str | None
    """The compact JWT, when there is one."""
    claims: dict[str, Any] | None
    """Claims given as JSON (decoded claims or an introspection response)."""
    kind: str
    """jwt | claims | token-response | introspection"""
    response_scope: str | None = None
    """The `scope` of a token response: what the server says it granted."""
    warning: str | None = None


def read(spec: str, max_bytes: int = DEFAULT_MAX_BYTES, stdin: Any = None, position: int = 1) -> TokenInput:
    """Read the token named by `spec`: a path, '-', 'env:NAME', or the token itself (warned).

    `position` is the argument's place among the tokens: a token given on the command line
    is named by it and a short fingerprint in messages, never by its text.
    """
    warning = None
    if spec == "-":
        label, raw = "stdin", (stdin or sys.stdin.buffer).read(max_bytes + 1)
    elif spec.startswith("env:"):
        label = spec
        value = os.environ.get(spec[4:])
        if value is None:
            raise InputError(label, "the environment variable is not set")
        raw = value.encode("utf-8", "replace")
    elif os.path.exists(spec) and not os.path.isfile(spec):
        raise InputError(spec, "not a regular file (a token is read from a file, '-' for stdin, or env:NAME)")
    elif os.path.isfile(spec):
        label = spec
        with open(spec, "rb") as f:
            raw = f.read(max_bytes + 1)
    elif not _pathlike(spec):
        raw = spec.encode("utf-8", "replace")
        label = argument_label(position, raw)
        warning = (
            "a token given on the command line shows up in `ps` and CI logs; pass a file, "
            "'-' (stdin) or env:NAME instead"
        )
    else:
        raise InputError(spec, "no such file (a token is read from a file, '-' for stdin, or env:NAME)")
    if len(raw) > max_bytes:
        raise InputError(label, f"token input is over {max_bytes} bytes (raise it with --max-token-bytes)")
    try:
        decoded = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(label, "a token is text (UTF-8); this is not") from None
    text = _strip(decoded)
    return _classify(label, text, warning, decoded[: decoded.find(text)])


def argument_label(position: int, raw: bytes) -> str:
    """How a token given on the command line is named: its position and a sha256 prefix, never its text."""
    return f"argument {position}, sha256 {hashlib.sha256(raw).hexdigest()[:12]}"


_BASE64_RUN = re.compile(r"[A-Za-z0-9_=+-]{40,}")


def _pathlike(spec: str) -> bool:
    """Whether an argument that names no file may be shown as a mistyped path.

    Anything that may be a token (a JWT, JWS or JWE starts with 'eyJ'; JSON; a Bearer
    value; a long base64 run; whitespace or control characters from pasting) is not:
    it is then read as a token and named by its position.
    """
    text = spec.strip()
    return (
        0 < len(spec) <= 255
        and all(c.isprintable() and not c.isspace() for c in spec)
        and not text.startswith(("eyJ", "{"))
        and text[:7].lower() != "bearer "
        and not _COMPACT.match(text)
        and not _BASE64_RUN.search(text)
    )


def _strip(text: str) -> str:
    text = text.strip()
    if text[:7].lower() == "bearer ":
        text = text[7:].strip()
    return text


def _classify(label: str, text: str, warning: str | None, lead: str = "") -> TokenInput:
    if not text:
        raise InputError(label, "empty token")
    if not text.startswith("{"):
        if not _COMPACT.match(text):
            segments = text.count(".") + 1
            what = f"{segments} segment{'s' if segments != 1 else ''}" if "." in text else "no dots"
            if segments == 3:
                what = "3 segments, with a character outside base64url (a stray character or line break?)"
            raise InputError(label, f"not a JWT (expected header.payload.signature in base64url; found {what})")
        return TokenInput(label, text, None, "jwt", warning=warning)

    def at(offset: int) -> tuple[int, int]:  # in the input, before which `lead` was stripped
        return line_column(lead + text, len(lead) + offset)

    deeper = deeper_at(text, MAX_JSON_DEPTH)
    if deeper is not None:  # counted: Python 3.13's json.loads no longer stops at the recursion limit
        raise InputError(label, "token JSON is nested too deeply", *at(deeper))
    try:
        data = json.loads(text, parse_constant=jose.refuse, parse_float=jose.finite, parse_int=jose.bounded)
    except RecursionError:
        raise InputError(label, "token JSON is nested too deeply") from None
    except json.JSONDecodeError as e:  # its message is the parser's fixed words (before any ':'), never the input
        reason = e.msg.split(":")[0]
        raise InputError(label, f"not a JWT and not valid JSON: {reason}", *at(e.pos)) from None
    except ValueError:
        raise InputError(label, "not a JWT and not valid JSON") from None
    if not isinstance(data, dict):
        raise InputError(label, "expected a JSON object (claims, a token response or an introspection response)")
    if "access_token" in data:
        inner = data["access_token"]
        if not isinstance(inner, str):
            raise InputError(label, "access_token: expected a string")
        scope = data.get("scope") if isinstance(data.get("scope"), str) else None
        if _COMPACT.match(_strip(inner)):
            return TokenInput(label, _strip(inner), None, "token-response", scope, warning)
        # an opaque token: only the response's scope says what it carries
        return TokenInput(label, None, {"scope": scope or ""}, "token-response", scope, warning)
    if "active" in data:
        if data.get("active") is not True:
            raise InputError(label, "the introspection response says the token is not active")
        return TokenInput(label, None, data, "introspection", warning=warning)
    return TokenInput(label, None, data, "claims", warning=warning)
