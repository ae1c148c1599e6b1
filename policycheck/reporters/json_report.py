"""The JSON report, version 1 (schemas/report-v1.schema.json): sorted, no timestamps."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from .._version import __version__
from ..escaping import json_text
from ..findings import Finding, Location, Result, Severity, TokenSummary

VERSION = "1"


def _s(text: str | None) -> str | None:
    """Lone surrogates (valid in JSON escapes, invalid in UTF-8) are replaced."""
    return None if text is None else text.encode("utf-8", "replace").decode("utf-8")


def location(loc: Location) -> dict[str, Any]:
    return {"path": _s(loc.path), "line": loc.line, "column": loc.column}


def finding(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "name": f.name,
        "severity": f.severity.label,
        "application": _s(f.application),
        "environment": _s(f.environment),
        "operation": _s(f.operation),
        "subject": _s(f.subject),
        "message": _s(f.message),
        "fix": _s(f.fix),
        "location": location(f.location),
        "fingerprint": f.fingerprint(),
        "count": f.breaks,
        **({"cells": [[_s(a), _s(e), _s(o)] for a, e, o in f.cells]} if f.cells else {}),
    }


def report(result: Result) -> dict[str, Any]:
    c = result.checked
    return {
        "version": VERSION,
        "tool": {"name": "policycheck", "version": __version__},
        "verified": result.verified,
        "summary": {
            "errors": result.count(Severity.ERROR),
            "warnings": result.count(Severity.WARNING),
            "notes": result.count(Severity.NOTE),
            "waived": len(result.waived),
            "baselined": result.baselined,
            "fixed": result.fixed,
            "files": c.files,
            "applications": c.applications,
            "environments": c.environments,
            "operations": c.operations,
            "bindings": c.bindings,
        },
        "findings": [finding(f) for f in result.findings],
        "waived": [
            {
                "finding": finding(w.finding),
                "reason": _s(w.reason),
                "owner": _s(w.owner),
                "expires": w.expires,
                "waiver": location(w.waiver),
            }
            for w in result.waived
        ],
        "tokens": [token(t) for t in result.tokens],
    }


def token(t: TokenSummary) -> dict[str, Any]:
    expires = None
    if t.expires is not None:
        try:
            expires = datetime.fromtimestamp(t.expires, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        except (OverflowError, OSError, ValueError):
            expires = f"{t.expires:.0f} (out of range)"
    return {
        "source": _s(t.label),
        "fingerprint": t.fingerprint,
        "verified": t.verified,
        "problem": t.problem,
        "alg": _s(t.alg),
        "kid": _s(t.kid),
        "issuer": _s(t.issuer),
        "audience": [_s(a) for a in t.audience],
        "client": _s(t.client),
        "subject": _s(t.subject),
        "expires": expires,
        "permissions": [_s(v) for v in t.values],
        "application": _s(t.application),
        "environment": _s(t.environment),
    }


def render(result: Result, *, color: bool = False) -> str:
    return json_text(report(result), indent=2, allow_nan=False) + "\n"
