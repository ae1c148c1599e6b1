"""Baseline files: the fingerprints of findings accepted when a repository adopts policycheck.

A baseline entry absorbs exactly one finding with the same fingerprint (rule, file,
application, environment, operation and subject; not the line), so a new finding
elsewhere, even of the same rule, is never hidden by an old entry.
"""

from __future__ import annotations

import json
from collections import Counter

from .errors import InputError
from .findings import Result
from .loading.inputs import display_path
from .loading.jsondepth import too_deep

VERSION = "1"


def render(result: Result) -> str:
    entries = sorted(
        (
            {
                "fingerprint": f.fingerprint(),
                "rule": f.rule,
                "path": f.location.path,
                "application": f.application,
                "environment": f.environment,
                "operation": f.operation,
                "subject": f.subject,
            }
            for f in result.findings
        ),
        key=lambda e: (e["fingerprint"], e["path"]),
    )
    return json.dumps({"version": VERSION, "tool": "policycheck", "findings": entries}, indent=2) + "\n"


def read(path: str) -> Counter[str]:
    shown = display_path(path)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if too_deep(text):  # counted: Python 3.13's json.loads no longer stops at the recursion limit
            raise ValueError("nested too deeply")
        data = json.loads(text)
    except FileNotFoundError:
        raise InputError(shown, "no such baseline file (write one with --write-baseline)") from None
    except json.JSONDecodeError as e:
        raise InputError(shown, "expected a baseline written by --write-baseline (JSON)", e.lineno, e.colno) from None
    except (OSError, ValueError, RecursionError):
        raise InputError(shown, "expected a baseline written by --write-baseline (JSON)") from None
    entries = data.get("findings") if isinstance(data, dict) and data.get("version") == VERSION else None
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries
    ):
        raise InputError(shown, f"expected a baseline version {VERSION} with a list of findings and fingerprints")
    return Counter(e["fingerprint"] for e in entries)
