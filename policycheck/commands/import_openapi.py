"""The wiring of `policycheck import openapi`, without click."""

from __future__ import annotations

from ..loading.openapi import read_spec
from ..starter_policy import render_policy
from .common import Outcome


def run_import_openapi(spec_path: str, api: str | None, dialect: str | None) -> Outcome:
    spec = read_spec(spec_path, api=api, dialect=dialect)
    command = "policycheck import openapi " + spec_path + (f" --api {api}" if api else "")
    if dialect:
        command += f" --dialect {dialect}"
    stderr = "".join(f"policycheck: {n}\n" for n in spec.notes)
    n = len(spec.operations)
    stderr += f"policycheck: {n} operation{'s' if n != 1 else ''} read from {spec.path} (dialect {spec.dialect})\n"
    return Outcome(0, render_policy(spec, command, api), stderr)
