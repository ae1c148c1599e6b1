"""Human text: `path:line:col: severity ID [app env op] message`, the fix beneath, a summary."""

from __future__ import annotations

from datetime import datetime, timezone

from ..escaping import log_line, terminal
from ..findings import Checked, Finding, Result, Severity, TokenSummary, Waived

clean = terminal
"""Untrusted text cannot move the cursor, forge lines or reorder what is read (policycheck.escaping)."""

_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.NOTE: "36"}


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def render_finding(f: Finding, color: bool = False) -> str:
    context = " ".join(clean(x) for x in (f.application, f.environment, f.operation) if x)
    head = (
        f"{clean(str(f.location))}: {_paint(f.severity.label, _COLORS[f.severity], color)} "
        f"{_paint(f.rule, '1', color)} " + (f"[{context}] " if context else "") + clean(f.message)
    )
    if len(f.cells) > 1:
        head += f" ({_breaks(f)})"
    return f"{head}\n    {_paint('fix:', '2', color)} {clean(f.fix)}"


def _breaks(f: Finding) -> str:
    apps = len(f.applications)
    calls = sum(1 for c in f.cells if c[2] is not None)
    what = f"{calls:,} call{'s' if calls != 1 else ''} of " if calls else ""
    return f"breaks {what}{apps:,} application{'s' if apps != 1 else ''}" + (
        "" if f.environment else f" in {len({c[1] for c in f.cells})} environments"
    )


def summary(result: Result) -> str:
    """'3 errors, 1 warning, 2 waived; 12 applications x 2 environments x 40 operations checked ...'"""
    counts = [(result.count(s), s.label) for s in (Severity.ERROR, Severity.WARNING, Severity.NOTE)]
    parts = [f"{n} {label}{'s' if n != 1 else ''}" for n, label in counts if n]
    if result.waived:
        parts.append(f"{len(result.waived)} waived")
    if result.baselined or result.fixed:
        parts.append(f"{result.baselined} in the baseline ({result.fixed} baseline entries fixed)")
    return f"{', '.join(parts) or 'no findings'}; {scope(result.checked)}"


def scope(c: Checked) -> str:
    def n(count: int, word: str) -> str:
        return f"{count} {word}{'s' if count != 1 else ''}"

    return (
        f"{n(c.applications, 'application')} x {n(c.environments, 'environment')} x "
        f"{n(c.operations, 'operation')} checked ({n(c.bindings, 'binding')}, "
        f"{n(c.files, 'file')})"
    )


def imports(result: Result) -> list[str]:
    """One compact line per imported vendor file (per vendor for files that are one thing each, as .ionapi).

    Every section the importer reads is listed, an empty one as "no ..."; an incomplete export shows.
    """
    by_file: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for vendor, path, section, n in result.imports:
        by_file.setdefault((vendor, path), []).append((section, n))
    whole: dict[str, list[str]] = {}  # vendor -> files, where a file is counted only as a file
    lines = []
    for (vendor, path), sections in by_file.items():
        if [s for s, _ in sections] == ["files"]:
            whole.setdefault(vendor, []).append(path)
            continue
        lines.append(f"imported {clean(path)} ({vendor}): {', '.join(_count(n, s) for s, n in sections)}")
    for vendor, paths in whole.items():
        lines.append(f"imported {_count(len(paths), vendor + ' files')}: {', '.join(clean(p) for p in paths)}")
    return lines


def _count(n: int, section: str) -> str:
    """ "3 routes", "1 route", "no routes": section names are plural ("operations served", "product entries")."""
    if n == 0:
        return f"no {section}"
    return f"{n:,} {section if n != 1 else _singular(section)}"


def _singular(plural: str) -> str:
    words = plural.split(" ")
    at = len(words) - 1 if words[-1].endswith("s") else 0  # "operations served": the noun comes first
    word = words[at]
    if word.endswith("ies"):
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    words[at] = word
    return " ".join(words)


def render_waived(w: Waived) -> str:
    f = w.finding
    context = " ".join(clean(x) for x in (f.application, f.environment, f.operation) if x)
    until = f", until {w.expires}" if w.expires else ""
    return (
        f"{clean(str(f.location))}: waived {f.rule} "
        + (f"[{context}] " if context else "")
        + clean(f.message)
        + f"\n    waiver: {clean(w.reason)} (owner {clean(w.owner)}{until}; {clean(str(w.waiver))})"
    )


def render_token(t: TokenSummary, color: bool = False) -> str:
    state = "verified" if t.verified else ("REJECTED" if t.problem else "UNVERIFIED (signature not checked)")
    head = f"token {t.fingerprint} ({clean(t.label)}): {_paint(state, '1', color)}"
    if t.alg:
        head += f", alg {clean(t.alg)}" + (f", kid {clean(t.kid)}" if t.kid else "")
    who = clean(t.client or "?")
    if t.application or t.environment:
        who += f" -> {clean(t.application or '?')} in {clean(t.environment or '?')}"
    lines = [
        head,
        f"  issuer:      {clean(t.issuer or '-')}",
        f"  audience:    {clean(' '.join(t.audience) or '-')}",
        f"  client:      {who}",
        f"  subject:     {clean(t.subject or '-')}",
        f"  expires:     {expiry(t.expires)}",
        f"  permissions: {clean(' '.join(t.values) or '(none)')}",
    ]
    return "\n".join(lines)


def expiry(ts: float | None) -> str:
    if ts is None:
        return "never (no exp)"
    try:
        return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return f"{ts:.0f} (out of range)"


def render(result: Result, *, color: bool = False) -> str:
    blocks = [render_token(t, color) for t in result.tokens]
    if result.tokens and not result.verified:
        blocks.insert(
            0, "UNVERIFIED: at least one token was decoded without checking its signature; its claims prove nothing"
        )
    blocks += [render_finding(f, color) for f in result.findings]
    blocks += [render_waived(w) for w in result.waived]
    if result.coverage is not None:
        from ..coverage import text as coverage_text

        blocks.append(coverage_text(result.coverage))
    text = "\n".join([*blocks, *imports(result), summary(result)])
    return "\n".join(log_line(line) for line in text.split("\n")) + "\n"
