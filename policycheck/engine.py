"""Runs the enabled rules over a model: stamp id and severity, filter, sort."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, time, timezone
from fnmatch import fnmatchcase

from .analysis import Analysis
from .coverage import coverage
from .errors import UsageError
from .findings import Affected, Checked, Deferred, Finding, Result, Severity, TokenSummary, Waived
from .model import Model, Token, Waiver
from .records import NEW as _NEW
from .records import Record
from .rules import REGISTRY
from .rules.context import RuleContext
from .tokens.profiles import audiences, client_of

_set = object.__setattr__


class Selection(Record):
    _fields = ("select", "ignore", "severities", "baseline")
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severities: Mapping[str, Severity]
    baseline: Counter[str] | None = None
    """Fingerprints (with counts) of findings to leave out: each entry absorbs one finding."""

    def __init__(
        self,
        select: tuple[str, ...] = (),
        ignore: tuple[str, ...] = (),
        severities: Mapping[str, Severity] = _NEW,
        baseline: Counter[str] | None = None,
    ) -> None:
        _set(self, "select", select)
        _set(self, "ignore", ignore)
        _set(self, "severities", {} if severities is _NEW else severities)
        _set(self, "baseline", baseline)


def rule_ids(names: Iterable[str]) -> list[str]:
    """Rule ids for ids or names (case-insensitive ids); unknown ones are a usage error."""
    by_name = {r.NAME: rid for rid, r in REGISTRY.items()}
    out = []
    for n in names:
        rid = n.upper() if n.upper() in REGISTRY else by_name.get(n)
        if rid is None:
            raise UsageError(f"unknown rule {n!r} (see 'policycheck rules')")
        out.append(rid)
    return out


def enabled_rules(selection: Selection) -> list[str]:
    chosen = rule_ids(selection.select) if selection.select else list(REGISTRY)
    ignored = set(rule_ids(selection.ignore))
    return [rid for rid in chosen if rid not in ignored]


def run(
    model: Model,
    selection: Selection,
    today: date,
    now: float | None = None,
    *,
    before: Model | None = None,
) -> Result:
    """One analysis; the rules over it, then waivers (and the rules about waivers), then the baseline; sorted."""
    analysis = Analysis(model, Analysis(before) if before is not None else None)
    return run_analysis(analysis, selection, today, now)


def run_analysis(analysis: Analysis, selection: Selection, today: date, now: float | None = None) -> Result:
    model = analysis.model
    moment = now if now is not None else datetime.combine(today, time(), timezone.utc).timestamp()
    severities = {
        rid: sev for rid, sev in zip(rule_ids(selection.severities), selection.severities.values(), strict=True)
    }
    ids = enabled_rules(selection)

    def findings_of(rule_ids: Iterable[str], used: frozenset[int] = frozenset()) -> Iterator[Finding]:
        for rid in rule_ids:
            rule = REGISTRY[rid]
            ctx = RuleContext(rule, severities.get(rid, rule.DEFAULT_SEVERITY), today, moment, analysis.before, used)
            yield from _unique(rule.check(analysis, ctx))

    first = [rid for rid in ids if not getattr(REGISTRY[rid], "AFTER_WAIVERS", False)]
    findings, waived, used = apply_waivers(list(findings_of(first)), model.waivers, today)
    findings.extend(findings_of((rid for rid in ids if rid not in first), frozenset(used)))
    baselined = fixed = 0
    if selection.baseline is not None:
        findings, baselined, fixed = apply_baseline(findings, selection.baseline)
    findings.sort(key=Finding.sort_key)
    waived.sort(key=lambda w: w.finding.sort_key())
    tokens = tuple(summarize(t) for t in model.tokens)
    return Result(
        tuple(findings),
        checked(model),
        tuple(ids),
        tuple(waived),
        baselined,
        fixed,
        tokens,
        Deferred(analysis.matrix),
        analysis.changes(),
        Deferred(analysis.holdings),
        model.imports,
        coverage(analysis),
    )


def summarize(token: Token) -> TokenSummary:
    c, h = token.claims, token.header

    def text(value: object) -> str | None:
        return value if isinstance(value, str) else None

    exp = c.get("exp")
    return TokenSummary(
        token.label,
        token.fingerprint,
        token.verified,
        token.problem,
        text(h.get("alg")),
        text(h.get("kid")),
        text(c.get("iss")),
        tuple(audiences(c)),
        client_of(token.profile, c),
        text(c.get("sub")),
        float(exp) if isinstance(exp, (int, float)) and not isinstance(exp, bool) else None,
        tuple(sorted(token.values)),
        token.application,
        token.environment,
    )


def apply_waivers(
    findings: list[Finding], waivers: Iterable[Waiver], today: date
) -> tuple[list[Finding], list[Waived], set[int]]:
    """Move what an unexpired waiver matches to the waived list; note which waivers matched.

    A waiver of one application takes that application's cells out of a grouped finding;
    the rest of the cause stays a finding.
    """
    active = [w for w in waivers if w.expires is None or w.expires >= today]
    kept: list[Finding] = []
    waived: list[Waived] = []
    used: set[int] = set()

    def waive(f: Finding, w: Waiver) -> None:
        used.add(id(w))
        expires = w.expires.isoformat() if w.expires else None
        waived.append(Waived(f, w.reason, w.owner, expires, w.source.location()))

    if not active:
        return list(findings), waived, used
    for f in findings:
        if not f.cells:
            match = next((w for w in active if waiver_matches(w, f)), None)
            if match is None:
                kept.append(f)
            else:
                waive(f, match)
            continue
        by_waiver: dict[int, tuple[Waiver, list[Affected]]] = {}
        left: list[Affected] = []
        for cell in f.cells:
            one = f._replace(application=cell[0], environment=cell[1], operation=cell[2])
            match = next((w for w in active if waiver_matches(w, one)), None)
            if match is None:
                left.append(cell)
            else:
                by_waiver.setdefault(id(match), (match, []))[1].append(cell)
        for w, cells in by_waiver.values():
            waive(with_cells(f, cells), w)
        if left:
            kept.append(f if len(left) == len(f.cells) else with_cells(f, left))
    return kept, waived, used


def with_cells(f: Finding, cells: list[Affected]) -> Finding:
    """The same cause, for part of its cells."""
    if len(cells) == 1:
        return f._replace(application=cells[0][0], environment=cells[0][1], operation=cells[0][2], cells=())

    def common(i: int) -> str | None:
        return cells[0][i] if all(c[i] == cells[0][i] for c in cells) else None

    return f._replace(application=common(0), environment=common(1), operation=common(2), cells=tuple(cells))


def waiver_matches(w: Waiver, f: Finding) -> bool:
    rule = {r.NAME: rid for rid, r in REGISTRY.items()}.get(w.rule, w.rule)
    return (
        fnmatchcase(f.rule, rule.upper())
        and fnmatchcase(f.application or "", w.application)
        and fnmatchcase(f.environment or "", w.environment)
        and fnmatchcase(f.operation or "", w.operation)
    )


def apply_baseline(findings: list[Finding], baseline: Counter[str]) -> tuple[list[Finding], int, int]:
    """Leave out findings the baseline records, one entry per finding, exactly by fingerprint."""
    left = Counter(baseline)
    kept = []
    for f in findings:
        fp = f.fingerprint()
        if left[fp] > 0:
            left[fp] -= 1
        else:
            kept.append(f)
    return kept, len(findings) - len(kept), sum(left.values())


def _unique(found: Iterable[Finding]) -> Iterator[Finding]:
    """Each finding once. Findings are told apart by all but their cells first: hashing the cells
    (hundreds of thousands in a large run) is left to the rare findings that agree on the rest."""
    seen: dict[tuple[object, ...], list[Finding]] = {}
    for f in found:
        alike = seen.setdefault((*f[:-1], len(f.cells)), [])
        if f not in alike:
            alike.append(f)
            yield f


def checked(model: Model) -> Checked:
    bound_apps = {b.application for b in model.bindings if b.operations}
    bound_envs = {e for b in model.bindings if b.operations for e in b.environments}
    bound_ops = {o for b in model.bindings for o in b.operations}
    return Checked(
        files=len(model.files),
        applications=len(bound_apps),
        environments=len(bound_envs),
        operations=len(bound_ops),
        bindings=sum(len(b.environments) * len(b.operations) for b in model.bindings),
        paths=model.files,
        bound=tuple((b.application, b.environments, b.operations) for b in model.bindings),
    )
