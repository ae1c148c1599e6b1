"""The JSON Schemas shipped with policycheck, by short name."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

NAMES = {
    "policy": "policy-v1.schema.json",
    "export": "export-v1.schema.json",
    "waivers": "waivers-v1.schema.json",
    "token-profile": "token-profile-v1.schema.json",
    "report": "report-v1.schema.json",
}


def schema_text(name: str) -> str:
    from importlib import resources  # pathlib and urllib come with it: only when a schema is read

    return resources.files("policycheck.schemas").joinpath(NAMES[name]).read_text(encoding="utf-8")


@cache
def schema(name: str) -> Any:
    return json.loads(schema_text(name))
