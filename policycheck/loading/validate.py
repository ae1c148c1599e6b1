"""Schema validation of a loaded document, with errors at file:line:col.

The fast path for the small files a pre-commit run reads is plain generated code
(scripts/generate_validators.py: no schema library to import); for large exports it
is jsonschema-rs, which validates at several hundred MB/s (the generated code does
about 10, jsonschema 2). When the fast path rejects a document, jsonschema (the
reference implementation, imported only then) finds every error with its path.
Messages say what was expected and never repeat an input value, which may be a secret.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from functools import cache
from typing import Any

from ..errors import InputError, InputErrors, quoted, shown
from .schemas import schema
from .source import Document

MAX_ERRORS = 10
_SCHEMA_TYPES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "boolean": "a boolean",
    "integer": "an integer",
    "number": "a number",
    "null": "null",
}
_JSON_TYPES = {
    dict: "a mapping",
    list: "a list",
    str: "a string",
    bool: "a boolean",
    int: "a number",
    float: "a number",
    type(None): "null",
}


LARGE = 256 * 1024
"""From this many bytes on, jsonschema-rs is worth its import (about 20 ms)."""


def validate(doc: Document, name: str) -> None:
    """Raise InputErrors naming every schema violation of `doc` against schema `name`."""
    if _fast_path_accepts(doc, name):
        return
    errors = reference_errors(doc, name)
    if errors:
        raise InputErrors(errors[:MAX_ERRORS])


def _fast_path_accepts(doc: Document, name: str) -> bool:
    if doc.size >= LARGE:
        return bool(_rust_validator(name).is_valid(doc.data))
    fast = importlib.import_module(f"{__package__}._validate_{name.replace('-', '_')}_v1").validate
    try:
        fast(doc.data)
        return True
    except Exception:  # the generated code's exception, or a type it did not expect
        return False


@cache
def _rust_validator(name: str) -> Any:
    import jsonschema_rs

    return jsonschema_rs.validator_for(schema(name))


def reference_errors(doc: Document, name: str) -> list[InputError]:
    from jsonschema import Draft202012Validator
    from referencing import Registry

    validator = Draft202012Validator(schema(name), registry=Registry())
    found = sorted(validator.iter_errors(doc.data), key=lambda e: [str(p) for p in e.absolute_path])
    mistyped = {tuple(e.absolute_path) for e in found if e.validator == "type"}
    # a value of the wrong type: that is the one thing to say of it (its other checks follow from it)
    found = [e for e in found if e.validator == "type" or tuple(e.absolute_path) not in mistyped]
    return [_input_error(doc, e) for e in found]


def _input_error(doc: Document, error: Any) -> InputError:
    path = list(error.absolute_path)
    message, at = _describe(error, path)
    line, column = doc.locate(at)
    where = _pointer(path)
    return InputError(doc.path, f"{where}: {message}" if where else message, line, column)


def _describe(error: Any, path: list[Any]) -> tuple[str, Sequence[Any]]:
    kind, expected, instance, sub = error.validator, error.validator_value, error.instance, error.schema
    if kind == "required":
        missing = [k for k in expected if isinstance(instance, dict) and k not in instance]
        return f"missing required key {_names(missing)}", path
    if kind == "additionalProperties" and isinstance(instance, dict):
        allowed = set(sub.get("properties", {}))
        unknown = sorted(k for k in instance if k not in allowed and not k.startswith("x-"))
        known = ", ".join(sorted(k for k in allowed if not k.startswith("$")))
        return f"unknown key {_names(unknown)} (expected one of {known})", [*path, *unknown[:1]]
    if kind == "type":
        wants = [expected] if isinstance(expected, str) else list(expected)
        want = " or ".join(_SCHEMA_TYPES.get(w, w) for w in wants)
        return f"expected {want}, got {_json_type(instance)}", path
    if kind == "enum":
        return f"expected one of {', '.join(map(str, expected))}", path
    if kind == "const":
        return f"expected {expected}", path
    if kind == "pattern":
        hint = sub.get("description") or (
            "a name without control characters" if "u0000" in expected else f"text matching {expected}"
        )
        return f"expected {hint}", path
    if kind in ("minItems", "minLength"):
        return ("must not be empty" if expected == 1 else f"needs at least {expected} items"), path
    if kind == "maxLength":
        return f"longer than {expected} characters", path
    if kind == "uniqueItems":
        return "has duplicate items", path
    if kind in ("oneOf", "anyOf"):
        return f"expected {sub.get('title', 'a different shape')}", path
    if kind == "not" and "pattern" in expected:
        return "expected a name without control characters (no tabs or line breaks)", path
    if kind == "propertyNames":
        return "has a key that is not a valid name", path
    return f"does not match the schema ({kind})", path


def _names(keys: Sequence[Any]) -> str:
    return ", ".join(quoted(str(k), 60) for k in keys)


def _json_type(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _pointer(path: Sequence[Any]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{shown(str(p), 60)}" if out else shown(str(p), 60))
    return out
