"""Signature verification with PyJWT, under an explicit algorithm allow-list from configuration.

The allow-list never comes from the token; `none` is refused; HMAC algorithms are
used only with a secret from an environment variable and never beside asymmetric
ones. PyJWT checks only the signature here: time, issuer and audience are checked
by policycheck itself (token health), so that a verified but expired token still
shows what it carries. PyJWT is imported only when a token is verified.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import UsageError
from .jose import Decoded
from .keys import KeySet

HMAC = frozenset({"HS256", "HS384", "HS512"})
ASYMMETRIC = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"})
DEFAULT_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
MAX_LEEWAY = 300


@dataclass(frozen=True)
class Verification:
    verify: bool = True
    algorithms: tuple[str, ...] = DEFAULT_ALGORITHMS
    keys: KeySet | None = None
    hmac_secret: bytes | None = None
    leeway: int = 60


def check_settings(v: Verification) -> None:
    """Refuse settings that would make verification unsafe: a usage error, exit 2."""
    algs = set(v.algorithms)
    if any(a.lower() == "none" for a in algs):
        raise UsageError("algorithm 'none' cannot be allowed: an unsigned token proves nothing")
    unknown = algs - HMAC - ASYMMETRIC
    if unknown:
        raise UsageError(f"unknown algorithm {sorted(unknown)[0]!r} (allowed: {', '.join(sorted(HMAC | ASYMMETRIC))})")
    if algs & HMAC and algs & ASYMMETRIC:
        raise UsageError("HMAC (HS*) and asymmetric algorithms cannot be allowed together (key confusion)")
    if algs & HMAC and not v.hmac_secret:
        raise UsageError("HS* algorithms need a secret from an environment variable (--hmac-secret-env NAME)")
    if not 0 <= v.leeway <= MAX_LEEWAY:
        raise UsageError(f"leeway must be between 0 and {MAX_LEEWAY} seconds")
    if v.verify and v.keys is None and not algs & HMAC:
        raise UsageError("no key to verify with: give --key PEM, --jwks FILE or --issuer URL, or --no-verify")


def verify(token: str, decoded: Decoded, v: Verification) -> str | None:
    """None when the signature verifies; otherwise the reason, for a finding."""
    alg = decoded.header.get("alg")
    if not isinstance(alg, str):
        return "the header names no algorithm (alg)"
    if alg.lower() == "none":
        return "alg none: an unsigned token is never accepted"
    if alg not in v.algorithms:
        return f"algorithm {alg} is not in the allowed list ({', '.join(v.algorithms)})"
    if alg in HMAC:
        key: object = v.hmac_secret
        need = int(alg[2:]) // 8
        if v.hmac_secret is not None and len(v.hmac_secret) < need:
            # PyJWT refuses it too (enforce_minimum_key_length), but calls it an unfit key
            return f"the HMAC secret is shorter than {need} bytes, too short for {alg} (RFC 7518 3.2)"
    else:
        assert v.keys is not None
        key, problem = v.keys.pick(decoded.header.get("kid"))
        if problem:
            return problem
    import jwt

    options = {
        "verify_signature": True,
        "verify_exp": False,
        "verify_nbf": False,
        "verify_iat": False,
        "verify_aud": False,
        "verify_iss": False,
        "verify_sub": False,
        "verify_jti": False,
        "enforce_minimum_key_length": True,
    }
    try:
        jwt.decode(token, key=key, algorithms=[alg], options=options)  # type: ignore[arg-type]
    except jwt.InvalidSignatureError:
        return "the signature does not verify with the configured key"
    except jwt.InvalidAlgorithmError:
        return f"algorithm {alg} does not match the configured key"
    except jwt.InvalidKeyError:
        return f"the configured key does not fit algorithm {alg} (a key-confusion attempt?)"
    except jwt.DecodeError:
        return "malformed token: it cannot be decoded for verification"
    except jwt.InvalidTokenError:
        return "the header is invalid (crit, kid or b64)"
    except jwt.PyJWTError:
        return "the token cannot be verified"
    except (ValueError, TypeError, AttributeError, KeyError, RecursionError, OverflowError):
        # PyJWT lets these escape for some keys; never echo them (they may carry key material)
        return "the configured key cannot verify this token"
    if v.keys is not None and v.keys.issuer is not None and decoded.claims.get("iss") != v.keys.issuer:
        # issuers may share signing keys (every Entra tenant does): the keys alone do not bind the token to one
        return (
            f"the signature verifies with the keys of {v.keys.issuer}, but the token's issuer (iss) is not "
            f"{v.keys.issuer} (a token of another tenant sharing its keys?)"
        )
    return None
