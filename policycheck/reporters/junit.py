"""JUnit XML: a test suite per rule family, a test case per (application, environment, operation).

The access family (PC1xx) has a test case for every bound (application, environment,
operation) and one for every other subject a finding names; the hygiene family
(PC9xx) has a test case per input file. Control characters that XML 1.0 cannot
carry are replaced, so the file always parses.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

from ..escaping import terminal
from ..findings import Finding, Result

FAMILIES = {"1": "access", "9": "hygiene"}
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udfff]")


def _x(text: str) -> str:
    """Terminal text (policycheck.escaping): CI viewers show test names and messages as they are."""
    return _INVALID_XML.sub("\ufffd", terminal(text))


def _case_name(f: Finding) -> str:
    if f.rule.startswith("PC9"):
        return f.location.path
    parts = [f.application or "*", f.environment or "*", f.operation or f.subject or "*"]
    return " ".join(parts)


def render(result: Result, *, color: bool = False) -> str:
    cases: dict[str, dict[str, list[Finding]]] = {family: {} for family in FAMILIES.values()}
    for app, env, op in result.checked.cases():
        cases["access"].setdefault(f"{app} {env} {op}", [])
    for path in result.checked.paths:
        cases["hygiene"].setdefault(path, [])
    for f in result.findings:
        family = FAMILIES.get(f.rule[2], "other")
        cases.setdefault(family, {}).setdefault(_case_name(f), []).append(f)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>']
    total = sum(len(c) for c in cases.values())
    failures = sum(1 for c in cases.values() for fs in c.values() if fs)
    lines.append(f'<testsuites name="policycheck" tests="{total}" failures="{failures}" errors="0">')
    for family in sorted(cases):
        suite = cases[family]
        failed = sum(1 for fs in suite.values() if fs)
        lines.append(f'  <testsuite name="{family}" tests="{len(suite)}" failures="{failed}" errors="0" skipped="0">')
        if not result.verified:
            lines.append('    <properties><property name="verified" value="false"/></properties>')
            lines.append(
                "    <system-out>UNVERIFIED: a token was decoded without checking its signature; "
                "its claims prove nothing</system-out>"
            )
        for name in sorted(suite):
            found = suite[name]
            attrs = f"classname={quoteattr('policycheck.' + family)} name={quoteattr(_x(name))}"
            if not found:
                lines.append(f"    <testcase {attrs}/>")
                continue
            lines.append(f"    <testcase {attrs}>")
            for f in found:
                message = _x(f"{f.rule} {f.name}: {f.message}")
                body = _x(f"{f.location}: {f.severity.label} {f.rule} {f.message}") + "\n" + _x(f"fix: {f.fix}")
                lines.append(
                    f"      <failure message={quoteattr(message)} type={quoteattr(f.severity.label)}>"
                    f"{escape(body)}</failure>"
                )
            lines.append("    </testcase>")
        lines.append("  </testsuite>")
    lines.append("</testsuites>")
    return "\n".join(lines) + "\n"
