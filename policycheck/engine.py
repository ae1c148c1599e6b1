"""Runs the enabled rules over a model: stamp id and severity, filter, sort."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import UsageError
from .findings import Checked, Finding, Result, Severity, TokenSummary, Waived
from .model import Model, Origin, Token, Waiver
from .resolve import Resolver
from .rules import REGISTRY, Rule
from .tokens.profiles import audiences, client_of

if TYPE_CHECKING:
    from .access import Cell, Holding

T = TypeVar("T")


@dataclass(frozen=True)
class RuleContext:
    """What a rule may use besides the model: the resolver, the date, and shared work."""

    rule: Rule
    severity: Severity
    resolver: Resolver
    today: date
    now: float
    """Seconds since the epoch: token expiry is judged against it (rules read no clock)."""
    before: Model | None
    _shared: dict[str, Any] = field(default_factory=dict, repr=False)

    def finding(
        self,
        source: Origin,
        *,
        message: str,
        fix: str,
        app: str | None = None,
        env: str | None = None,
        op: str | None = None,
        subject: str | None = None,
    ) -> Finding:
        return Finding(
            self.rule.ID, self.rule.NAME, self.severity, source.location(), message, fix, app, env, op, subject
        )

    def shared(self, key: str, compute: Callable[[], T]) -> T:
        """Work several rules need (the unmet bound operations) is done once per run."""
        if key not in self._shared:
            self._shared[key] = compute()
        value: T = self._shared[key]
        return value


@dataclass(frozen=True)
class Selection:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severities: Mapping[str, Severity] = field(default_factory=dict)
    baseline: Counter[str] | None = None
    """Fingerprints (with counts) of findings to leave out: each entry absorbs one finding."""


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
    review: bool = False,
    before: Model | None = None,
) -> Result:
    """Rules, then waivers (and the rules about waivers), then the baseline; sorted."""
    resolver = Resolver(model)
    shared: dict[str, Any] = {}
    moment = now if now is not None else datetime.combine(today, time(), timezone.utc).timestamp()
    severities = {
        rid: sev for rid, sev in zip(rule_ids(selection.severities), selection.severities.values(), strict=True)
    }
    ids = enabled_rules(selection)

    def findings_of(rule_ids: Iterable[str]) -> Iterator[Finding]:
        for rid in rule_ids:
            rule = REGISTRY[rid]
            ctx = RuleContext(rule, severities.get(rid, rule.DEFAULT_SEVERITY), resolver, today, moment, before, shared)
            yield from _unique(rule.check(model, ctx))

    first = [rid for rid in ids if not getattr(REGISTRY[rid], "AFTER_WAIVERS", False)]
    findings, waived, used = apply_waivers(list(findings_of(first)), model.waivers, today)
    shared["waivers.used"] = used
    findings.extend(findings_of(rid for rid in ids if rid not in first))
    baselined = fixed = 0
    if selection.baseline is not None:
        findings, baselined, fixed = apply_baseline(findings, selection.baseline)
    findings.sort(key=Finding.sort_key)
    waived.sort(key=lambda w: w.finding.sort_key())
    tokens = tuple(summarize(t) for t in model.tokens)
    cells: tuple[Cell, ...] = ()
    held: tuple[Holding, ...] = ()
    if review or before is not None:
        from .access import holdings, matrix

        cells, held = shared.get("matrix") or matrix(model, resolver), holdings(model, resolver)
    delta = None
    if before is not None:
        from .access import changes

        delta = shared.get("changes") or changes(before, model, resolver, cells)
    return Result(
        tuple(findings), checked(model), tuple(ids), tuple(waived), baselined, fixed, tokens, cells, delta, held
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
    """Move findings that an unexpired waiver matches to the waived list; note which waivers matched."""
    active = [w for w in waivers if w.expires is None or w.expires >= today]
    kept: list[Finding] = []
    waived: list[Waived] = []
    used: set[int] = set()
    for f in findings:
        match = next((w for w in active if waiver_matches(w, f)), None)
        if match is None:
            kept.append(f)
            continue
        used.add(id(match))
        expires = match.expires.isoformat() if match.expires else None
        waived.append(Waived(f, match.reason, match.owner, expires, match.source.location()))
    return kept, waived, used


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
    seen: set[Finding] = set()
    for f in found:
        if f not in seen:
            seen.add(f)
            yield f


def checked(model: Model) -> Checked:
    bound_apps = {b.application for b in model.bindings}
    bound_envs = {e for b in model.bindings for e in b.environments}
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
