"""Reading a compact JWT's header and claims without trusting them.

This is a plain base64url + JSON decode (PyJWT is imported only to verify), so a
token can be inspected and linted even when no key is at hand; duplicate names
in the header or the claims are recorded, since parsers disagree on which wins.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any

from ..errors import InputError
from ..loading.jsondepth import too_deep


@dataclass(frozen=True)
class Decoded:
    header: dict[str, Any]
    claims: dict[str, Any]
    duplicates: tuple[str, ...]
    """'header.alg', 'claims.exp', ...: names that appear twice."""


def decode(label: str, token: str) -> Decoded:
    parts = token.split(".")
    if len(parts) != 3:
        raise InputError(label, f"not a JWT: {len(parts)} segments, expected 3 (header.payload.signature)")
    duplicates: list[str] = []
    header = _segment(label, parts[0], "header", duplicates)
    claims = _segment(label, parts[1], "claims", duplicates)
    return Decoded(header, claims, tuple(duplicates))


def _segment(label: str, text: str, what: str, duplicates: list[str]) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise InputError(label, f"not a JWT: the {what} is not base64url") from None

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in items:
            if k in out and len(duplicates) < 20:
                duplicates.append(f"{what}.{k}")
            out[k] = v
        return out

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(label, f"not a JWT: the {what} is not JSON") from None
    if too_deep(text):  # counted: Python 3.13's json.loads no longer stops at the recursion limit
        raise InputError(label, f"not a usable JWT: the {what} is nested too deeply")
    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_constant=refuse, parse_float=finite, parse_int=bounded)
    except RecursionError:
        raise InputError(label, f"not a usable JWT: the {what} is nested too deeply") from None
    except (UnicodeDecodeError, ValueError):
        raise InputError(label, f"not a JWT: the {what} is not JSON") from None
    if not isinstance(data, dict):
        raise InputError(label, f"not a JWT: the {what} is not a JSON object")
    return data


def refuse(name: str) -> Any:
    raise ValueError(name)


def finite(text: str) -> float:
    """A JSON number with a fraction or exponent; 1e400 (infinity) is refused like `Infinity`."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def bounded(text: str) -> int:
    """A JSON integer that a float can hold (time claims are compared as floats)."""
    value = int(text)
    try:
        float(value)
    except OverflowError:
        raise ValueError("number out of range") from None
    return value


def fingerprint(claims: dict[str, Any]) -> str:
    """Identity of a token by its claims, never by its (malleable) encoding: 12 hex digits."""
    canonical = json.dumps(claims, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]
