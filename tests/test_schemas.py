"""The shipped schemas: valid, self-contained, and agreeing with the generated fast validators."""

from __future__ import annotations

import copy
import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry

from policycheck.loading.export import SECRET_KEYS
from policycheck.loading.inputs import KINDS
from policycheck.loading.limits import Limits
from policycheck.loading.schemas import NAMES, schema
from policycheck.loading.source import load

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", sorted(NAMES))
def test_schema_is_valid_2020_12_and_resolves_every_ref(name: str) -> None:
    s = schema(name)
    Draft202012Validator.check_schema(s)
    assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "$ref" in node:
                assert node["$ref"].startswith("#/"), "no remote references"
                _lookup(s, node["$ref"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(s)


def _lookup(s: dict[str, Any], ref: str) -> None:
    node: Any = s
    for part in ref[2:].split("/"):
        node = node[part]


def test_the_wheel_copy_is_the_repository_copy() -> None:
    for name, filename in NAMES.items():
        assert schema(name) == json.loads((ROOT / "schemas" / filename).read_text())


def test_generated_validators_are_fresh() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/generate_validators.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _examples() -> list[tuple[str, Any]]:
    """Every example and case input, as the loader sees it (secret keys dropped)."""
    out = []
    files = [*(ROOT / "policies" / "examples").rglob("*.yaml"), *(ROOT / "tests" / "cases" / "clean").rglob("*.*")]
    for path in sorted(files):
        if path.suffix not in (".yaml", ".json"):
            continue
        data = load(str(path), path.read_bytes(), Limits(), SECRET_KEYS).data
        if isinstance(data, dict) and data.get("apiVersion") == "policycheck/v1":  # not vendor exports, config
            out.append((KINDS[data["kind"]], data))
    return out


def _mutations(data: Any) -> list[Any]:
    """Small breakages of a valid document: each must be rejected by both validators."""
    out = []
    for key in list(data):
        broken = copy.deepcopy(data)
        broken[key] = 42
        out.append(broken)
    extra = copy.deepcopy(data)
    extra["unexpected"] = True
    out.append(extra)
    return out


@pytest.mark.parametrize("kind,data", _examples(), ids=lambda x: x if isinstance(x, str) else "")
def test_fast_and_reference_validators_agree(kind: str, data: Any) -> None:
    fast = importlib.import_module(f"policycheck.loading._validate_{kind.replace('-', '_')}_v1").validate
    reference = Draft202012Validator(schema(kind), registry=Registry())
    rust = jsonschema_rs.validator_for(schema(kind))  # the fast path for large files
    fast(data)
    assert reference.is_valid(data) and rust.is_valid(data)
    for broken in _mutations(data):
        assert not reference.is_valid(broken)
        assert not rust.is_valid(broken)
        with pytest.raises(ValueError):
            fast(broken)


def test_rules_doc_is_fresh() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/generate_rules_doc.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
