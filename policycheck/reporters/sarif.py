"""SARIF 2.1.0 for code scanning: one run, every rule, stable fingerprints, no snippets."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from .._version import __version__
from ..escaping import json_text, sarif_message
from ..findings import Finding, Result, Severity
from ..rules import REGISTRY, Rule, summary

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
DOCS_URL = "https://github.com/policycheck/policycheck/blob/main/docs/rules.md"
UNVERIFIED = "UNVERIFIED: a token was decoded without checking its signature; its claims prove nothing"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}
SECURITY_SEVERITY = {Severity.ERROR: "8.0", Severity.WARNING: "5.0", Severity.NOTE: "2.0"}


def anchor(rule: Rule) -> str:
    return f"{DOCS_URL}#{rule.ID.lower()}-{rule.NAME}"


def _rule(rule: Rule) -> dict[str, Any]:
    doc = (rule.__doc__ or "").strip()
    body = doc.split("\n", 1)[1].strip() if "\n" in doc else doc
    return {
        "id": rule.ID,
        "name": rule.NAME,
        "shortDescription": {"text": summary(rule)},
        "fullDescription": {"text": body.split("\n\n", 1)[0].replace("\n", " ")[:1024]},
        "help": {"text": body, "markdown": body},
        "helpUri": anchor(rule),
        "defaultConfiguration": {"level": LEVELS[rule.DEFAULT_SEVERITY]},
        "properties": {
            "tags": ["security", "access-control", "policycheck"],
            "precision": "very-high",
            "security-severity": SECURITY_SEVERITY[rule.DEFAULT_SEVERITY],
        },
    }


def _uri(path: str) -> str:
    return quote(path.replace("\\", "/"), safe="/")


def _result(f: Finding, index: dict[str, int], suppression: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": index[f.rule],
        "level": LEVELS[f.severity],
        "message": {"text": sarif_message(f"{f.message}{_breaks(f)}. Fix: {f.fix}")},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(f.location.path)},
                    "region": {
                        "startLine": f.location.line,
                        "startColumn": f.location.column,
                        "endLine": f.location.line,
                        "endColumn": f.location.column + 1,
                    },
                }
            }
        ],
        "partialFingerprints": {"policycheck/v1": f.fingerprint()},
        "properties": {
            "fix": f.fix,
            "application": f.application,
            "environment": f.environment,
            "operation": f.operation,
        },
    }
    if suppression is not None:
        out["suppressions"] = [suppression]
    return out


def invocation(result: Result) -> dict[str, Any]:
    out: dict[str, Any] = {"executionSuccessful": True}
    if not result.verified:
        out["toolExecutionNotifications"] = [
            {"level": "warning", "message": {"text": UNVERIFIED}, "descriptor": {"id": "unverified"}}
        ]
    return out


def report(result: Result) -> dict[str, Any]:
    rules = list(REGISTRY.values())
    index = {r.ID: i for i, r in enumerate(rules)}
    results = [_result(f, index) for f in result.findings]
    for w in result.waived:
        justification = sarif_message(f"{w.reason} (owner {w.owner}" + (f", until {w.expires})" if w.expires else ")"))
        results.append(
            _result(w.finding, index, {"kind": "external", "status": "accepted", "justification": justification})
        )
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "policycheck",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": "https://github.com/policycheck/policycheck",
                        "rules": [_rule(r) for r in rules],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "properties": {"verified": result.verified},
                "invocations": [invocation(result)],
                "results": results,
            }
        ],
    }


def render(result: Result, *, color: bool = False) -> str:
    return json_text(report(result), indent=2) + "\n"


def _breaks(f: Finding) -> str:
    """A grouped cause says how much it breaks: the calls themselves are in the JSON report."""
    if len(f.cells) < 2:
        return ""
    return f" (breaks {len(f.cells):,} calls of {len(f.applications):,} applications)"
