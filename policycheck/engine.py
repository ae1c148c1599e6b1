"""Runs the enabled rules over a model: stamp id and severity, filter, sort."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from .errors import UsageError
from .findings import Checked, Finding, Result, Severity
from .model import Model, Origin
from .resolve import Resolver
from .rules import REGISTRY, Rule

T = TypeVar("T")


@dataclass(frozen=True)
class RuleContext:
    """What a rule may use besides the model: the resolver, the date, and shared work."""

    rule: Rule
    severity: Severity
    resolver: Resolver
    today: date
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


def run(model: Model, selection: Selection, today: date) -> Result:
    resolver = Resolver(model)
    shared: dict[str, Any] = {}
    severities = {
        rid: sev for rid, sev in zip(rule_ids(selection.severities), selection.severities.values(), strict=True)
    }
    findings: list[Finding] = []
    ids = enabled_rules(selection)
    for rid in ids:
        rule = REGISTRY[rid]
        ctx = RuleContext(rule, severities.get(rid, rule.DEFAULT_SEVERITY), resolver, today, shared)
        findings.extend(_unique(rule.check(model, ctx)))
    findings.sort(key=Finding.sort_key)
    return Result(tuple(findings), checked(model), tuple(ids))


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
    )
