"""The JSON report, version 1 (schemas/report-v1.schema.json): sorted, no timestamps."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from .._version import __version__
from ..escaping import printable_json
from ..findings import Coverage, Finding, Location, Result, Severity, Share, TokenSummary

VERSION = "1"


def _s(text: str | None) -> str | None:
    """Lone surrogates (valid in JSON escapes, invalid in UTF-8) are replaced."""
    return None if text is None else text.encode("utf-8", "replace").decode("utf-8")


def location(loc: Location) -> dict[str, Any]:
    return {"path": _s(loc.path), "line": loc.line, "column": loc.column}


def finding(f: Finding, cells: list[Any] | None = None) -> dict[str, Any]:
    """One finding; with `cells`, its cells are left to the caller: a placeholder stands in the dict."""
    if f.cells and cells is not None:
        cells.append(f.cells)
        listed: Any = _Cells(len(cells) - 1)
    else:
        listed = [[_s(a), _s(e), _s(o)] for a, e, o in f.cells]
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
        **({"cells": listed} if f.cells else {}),
    }


def report(result: Result, cells: list[Any] | None = None) -> dict[str, Any]:
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
        "findings": [finding(f, cells) for f in result.findings],
        "waived": [
            {
                "finding": finding(w.finding, cells),
                "reason": _s(w.reason),
                "owner": _s(w.owner),
                "expires": w.expires,
                "waiver": location(w.waiver),
            }
            for w in result.waived
        ],
        "tokens": [token(t) for t in result.tokens],
        "coverage": None if result.coverage is None else coverage(result.coverage),
        "imports": imports(result),
    }


def coverage(c: Coverage) -> dict[str, Any]:
    def share(s: Share | None) -> dict[str, Any] | None:
        return None if s is None else {"covered": s.covered, "total": s.total, "percent": s.percent}

    return {
        "spec_operations": share(c.spec_operations),
        "policy_operations": share(c.policy_operations),
        "bound_calls": share(c.bound_calls),
    }


def imports(result: Result) -> list[dict[str, Any]]:
    """Each imported vendor file with its section counts, in the order read (0 for an empty section)."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for vendor, path, section, n in result.imports:
        entry = out.setdefault((vendor, path), {"vendor": vendor, "file": _s(path), "sections": {}})
        entry["sections"][section] = n
    return list(out.values())


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
    """Indented JSON; each affected cell on one line, encoded at C speed (they are most of a large report)."""
    cells: list[Any] = []
    data = report(result, cells)
    nonce = secrets.token_hex(8)
    text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False, default=lambda c: f"\0{nonce}{c.index}")
    if not cells:
        return printable_json(text) + "\n"
    printable = text.replace("\n", "").isprintable()
    pieces: list[str] = []
    end = 0
    for m in re.finditer(f'"\\\\u0000{nonce}(\\d+)"', text):
        indent = " " * (m.start() - text.rfind("\n", 0, m.start()) - 1 - len('"cells": ') + 2)
        # tuples of names: no cycle to look for
        body = json.dumps(cells[int(m.group(1))], ensure_ascii=False, allow_nan=False, check_circular=False)
        printable = printable and body.isprintable()
        listed = _one_a_line(body, cells[int(m.group(1))], indent)
        pieces += (text[end : m.start()], "[\n", indent, listed, "\n", indent[:-2], "]")
        end = m.end()
    pieces += (text[end:], "\n")
    if printable:  # what printable_json would find, without copying a large report to find it
        return "".join(pieces)
    return printable_json("".join(pieces[:-1])) + "\n"  # non-printables (and lone surrogates) as escapes


def _one_a_line(body: str, cells: Sequence[Any], indent: str) -> str:
    """The cells of `body` (json.dumps of `cells`), each that names its application on a line of its own."""
    if body.count("], [") == len(cells) - 1:  # between two cells only: no name holds it
        return body[1:-1].replace('], ["', "],\n" + indent + '["')
    each = [json.dumps(c, ensure_ascii=False, allow_nan=False) for c in cells]  # a name that holds it: one by one
    return each[0] + "".join((",\n" + indent if c.startswith('["') else ", ") + c for c in each[1:])


class _Cells:
    """Where a finding's cells go in the indented text."""

    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index
