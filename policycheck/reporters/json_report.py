"""The JSON report, version 1 (schemas/report-v1.schema.json): sorted, no timestamps."""

from __future__ import annotations

import json
import re
import secrets
from datetime import datetime, timezone
from json.encoder import encode_basestring
from operator import methodcaller
from typing import Any

from .._version import __version__
from ..escaping import printable_json
from ..findings import Affected, Coverage, Finding, Location, Result, Severity, Share, TokenSummary

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
    """Indented JSON; each affected cell on one line, written from each distinct name encoded once
    (the cells are most of a large report)."""
    cells: list[Any] = []
    data = report(result, cells)
    nonce = secrets.token_hex(8)
    text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False, default=lambda c: f"\0{nonce}{c.index}")
    if not cells:
        return printable_json(text) + "\n"
    names = _Names()
    pieces: list[str] = []
    end = 0
    for m in re.finditer(f'"\\\\u0000{nonce}(\\d+)"', text):
        indent = " " * (m.start() - text.rfind("\n", 0, m.start()) - 1 - len('"cells": ') + 2)
        pieces += (text[end : m.start()], _listed(cells[int(m.group(1))], indent, names))
        end = m.end()
    pieces += (text[end:], "\n")
    if names.printable and text.replace("\n", "").isprintable():  # as printable_json finds it, without a copy
        return "".join(pieces)
    return printable_json("".join(pieces[:-1])) + "\n"  # non-printables (and lone surrogates) as escapes


def _listed(cells: tuple[Affected, ...], indent: str, names: _Names) -> str:
    """The cells as json.dumps writes them, then each cell that starts with a name on a line of its own."""
    if not all(len(c) == 3 for c in cells):
        body = json.dumps(cells, ensure_ascii=False, allow_nan=False)
        names.printable = names.printable and body.isprintable()
        body = _NEXT_CELL.sub("],\n" + indent + "[", body[1:-1])
    else:
        code = names.code
        lines = [f"[{code(a)}, {code(e)}, {code(o)}]" for a, e, o in cells]
        if all(map(_NAMED, lines)):  # each cell names its application: always, in practice
            body = (",\n" + indent).join(lines)
        else:
            body = lines[0] + "".join((",\n" + indent if _NAMED(c) else ", ") + c for c in lines[1:])
    return "[\n" + indent + body + "\n" + indent[:-2] + "]"


_NAMED = methodcaller("startswith", '["')
_NEXT_CELL = re.compile(r'\], \[(?=")')
"""Between two cells: outside any string, as a JSON string cannot hold an unescaped '["'."""


class _Names:
    """Cell values as json.dumps writes them (ensure_ascii off), each name encoded once; whether all are printable."""

    __slots__ = ("_codes", "printable")

    def __init__(self) -> None:
        self._codes: dict[str, str] = {}
        self.printable = True

    def code(self, value: str | None) -> str:
        if type(value) is str:
            found = self._codes.get(value)
            if found is None:
                found = self._codes[value] = encode_basestring(value)
                self.printable = self.printable and found.isprintable()
            return found
        if value is None:
            return "null"
        other = json.dumps(value, ensure_ascii=False, allow_nan=False)  # not in an Affected: as json writes it
        self.printable = self.printable and other.isprintable()
        return other


class _Cells:
    """Where a finding's cells go in the indented text."""

    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index
