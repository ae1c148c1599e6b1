"""Nothing talks `policycheck token` into yes: issuer binding, no verification downgrade, network deadlines,
no echo of a token given as an argument, `token diff` of rejected tokens, and JSON depth counted explicitly.

Every token is written to a file in tmp_path (or given as an argument where that is the point) and checked
through the real CLI; only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from tokens_helpers import (
    NOW_ISO,
    Run,
    assert_one_line_error,
    claims,
    cli,
    jwks,
    keys,
    public_jwk,
    raw,
    sign,
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
    assert_one_line_error(check(capsys, "--no-verify", "claims.json"), "claims.json: token JSON is nested too deeply")


@pytest.mark.usefixtures("high_recursion_limit")
def test_a_deep_jwks_is_refused_even_where_json_loads_would_parse_it(capsys, here):
    write(Path("t.jwt"), sign(claims(), keys().rsa, kid="rs"))
    write(Path("deep.json"), b'{"keys": [' + b"[" * 2_000 + b"]" * 2_000 + b"]}")
    assert_one_line_error(check(capsys, "--jwks", "deep.json", "t.jwt"), "deep.json: expected a JWKS (JSON with keys)")


@pytest.mark.usefixtures("high_recursion_limit")
def test_a_deep_json_export_is_still_nested_too_deeply(capsys, here):
    from policycheck.errors import InputError
    from policycheck.loading.limits import Limits
    from policycheck.loading.source import load

    with pytest.raises(InputError, match=r"^f\.json: JSON nested too deeply$"):
        load("f.json", ("[" * 5000 + "]" * 5000).encode(), Limits())
    with pytest.raises(InputError, match=r"^f\.json: nesting deeper than 64 levels$"):
        load("f.json", ("[" * 65 + "]" * 65).encode(), Limits())
