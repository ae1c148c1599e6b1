"""SARIF 2.1.0 for code scanning: one run, every rule, stable fingerprints, no snippets."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from .._version import __version__
from ..escaping import json_text, sarif_message
from ..findings import Finding, Result, Severity, Waived
from ..rules import REGISTRY, Rule, summary
from .budget import FULL_REPORT, SARIF_RESULTS, by_importance, counted

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


def invocation(result: Result, omitted: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"executionSuccessful": True}
    notes = []
    if not result.verified:
        notes.append({"level": "warning", "message": {"text": UNVERIFIED}, "descriptor": {"id": "unverified"}})
    if omitted:
        notes.append({"level": "warning", "message": {"text": omitted}, "descriptor": {"id": "results-left-out"}})
    if notes:
        out["toolExecutionNotifications"] = notes
    return out


def _kept(result: Result) -> tuple[list[Finding], list[Waived], str | None]:
    """At most SARIF_RESULTS results: findings most important first, then waived ones; what is left out, said."""
    findings, waived = list(result.findings), list(result.waived)
    if len(findings) + len(waived) <= SARIF_RESULTS:
        return findings, waived, None
    keep = set(map(id, by_importance(findings)[:SARIF_RESULTS]))
    findings_kept = [f for f in findings if id(f) in keep]  # in their usual order
    waived_kept = waived[: SARIF_RESULTS - len(findings_kept)]
    left = len(findings) - len(findings_kept)
    left_waived = len(waived) - len(waived_kept)
    parts = [counted(left, "finding")] if left else []
    parts += [f"{left_waived:,} waived"] if left_waived else []
    line = (
        f"{' and '.join(parts)} left out: code scanning takes {SARIF_RESULTS:,} results per run "
        f"(kept: the most severe, then the causes that break the most); {FULL_REPORT}"
    )
    return findings_kept, waived_kept, line


def report(result: Result) -> dict[str, Any]:
    rules = list(REGISTRY.values())
    index = {r.ID: i for i, r in enumerate(rules)}
    findings, waived, omitted = _kept(result)
    results = [_result(f, index) for f in findings]
    for w in waived:
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
                "properties": {"verified": result.verified}
                | ({"resultsLeftOut": len(result.findings) + len(result.waived) - len(results)} if omitted else {}),
                "invocations": [invocation(result, omitted)],
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
