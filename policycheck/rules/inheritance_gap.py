"""PC103 inheritance-gap: a permission is granted, but does not reach the environment.

What it means: one of these breaks the chain from a grant to an environment in
which a bound operation needs it:
- the grant applies to other environments, and this one does not inherit from them;
- the granted permission set is not mapped to this environment, nor to one it
  inherits from (it is mapped elsewhere);
- the application is bound to the environment but not assigned to it (no client);
- the policy says the environment must inherit another one, and the export's does not;
- a permission set includes a set that does not exist (the set chain is broken).

Failing example: the set `GL Journal Posting` is granted to `compliance-sync` for
`test` and `prod` but mapped only to `base`, which `test` inherits and `prod`
does not.

Passing example: `prod` inherits `base` (or `GL Journal Posting` is mapped to `prod`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Finding, Severity
from ..model import Grant, Model
from ..resolve import Block
from .bound import blockers, gaps, listing

if TYPE_CHECKING:
    from ..engine import RuleContext

ID = "PC103"
NAME = "inheritance-gap"
DEFAULT_SEVERITY = Severity.ERROR


def check(model: Model, ctx: RuleContext) -> Iterator[Finding]:
    yield from _grant_gaps(model, ctx)
    yield from _expected_inheritance(model, ctx)
    for ref in model.references:
        if ref.kind == "included set" and ref.name not in model.permission_sets:
            yield ctx.finding(
                ref.source,
                subject=ref.name,
                message=f"set chain broken: {ref.where} includes '{ref.name}', which is not defined",
                fix=f"define permission set '{ref.name}' in the export, or remove the include",
            )


def _grant_gaps(model: Model, ctx: RuleContext) -> Iterator[Finding]:
    seen: dict[tuple[str, str, int, Block], tuple[Grant | None, dict[str, None], tuple[str, ...]]] = {}
    for gap in gaps(model, ctx):
        for permission in gap.missing:
            for b in blockers(model, ctx, gap, permission):
                if Block.REVOKED in b.reasons or b.reasons[:2] == (Block.PENDING, Block.OTHER_ENVIRONMENT):
                    continue  # not granted for this environment at all: a missing grant (PC101)
                for reason in b.reasons:
                    if reason is Block.PENDING:
                        continue
                    if reason is Block.SET_NOT_MAPPED and Block.OTHER_ENVIRONMENT in b.reasons:
                        continue  # the grant does not apply here at all: its set's mapping is beside the point
                    key = (gap.binding.application, gap.environment, id(b.grant), reason)
                    seen.setdefault(key, (b.grant, {}, b.environments))[1][permission] = None
    for (app, env, _, reason), (grant, perms, where) in seen.items():
        application = model.applications[app]
        elsewhere = ", ".join(where) or "no environment"
        if reason is Block.NOT_ASSIGNED or grant is None:
            yield ctx.finding(
                application.source,
                app=app,
                env=env,
                subject=env,
                message=f"{app} is bound to {env} but not assigned to it (it has clients in {elsewhere})",
                fix=f"register {app} in {env}: add a client for {env} to the application",
            )
        elif reason is Block.OTHER_ENVIRONMENT:
            yield ctx.finding(
                grant.source,
                app=app,
                env=env,
                subject=grant.target,
                message=f"{app} is granted {listing(list(perms))} in {elsewhere} but not in {env}, "
                f"and {env} does not inherit from {elsewhere}",
                fix=(
                    f"grant it in {env} as well (in {env}'s own realm or tenant)"
                    if grant.per_environment
                    else f"add {env} to the environments of this grant"
                ),
            )
        else:
            set_name = grant.permission_set
            parents = _inherit_hint(model, ctx, env, where)
            yield ctx.finding(
                grant.source,
                app=app,
                env=env,
                subject=grant.target,
                message=f"permission set '{set_name}' is granted to {app} for {env} but is not "
                f"mapped to {env} or to any environment it inherits (it is mapped in "
                f"{elsewhere}), so {listing(list(perms))} do not reach {env}",
                fix=f"map permission set '{set_name}' to {env}{parents}",
            )


def _inherit_hint(model: Model, ctx: RuleContext, env: str, where: tuple[str, ...]) -> str:
    """Suggest inheriting a parent that other environments inherit and that maps the set."""
    parents = [e for e in where if any(e in model.environments[o].inherits for o in model.environments if o != e)]
    return f", or make {env} inherit {parents[0]}" if parents else ""


def _expected_inheritance(model: Model, ctx: RuleContext) -> Iterator[Finding]:
    if not model.has_export:
        return
    for name, expected in sorted(model.policy_environments.items()):
        if not expected.inherits:
            continue
        actual = model.environments.get(name)
        if actual is None:
            yield ctx.finding(
                expected.source,
                env=name,
                subject=name,
                message=f"the policy requires {name} to inherit {listing(list(expected.inherits))}, "
                f"but the export has no environment {name}",
                fix=f"add environment {name} to the export with inherits: [{', '.join(expected.inherits)}]",
            )
            continue
        chain = ctx.resolver.chain(name)
        absent = [p for p in expected.inherits if p not in chain]
        if absent:
            yield ctx.finding(
                actual.source,
                env=name,
                subject=",".join(absent),
                message=f"{name} does not inherit {listing(absent)}, as the policy requires; "
                f"what is mapped or granted there does not reach {name}",
                fix=f"make {name} inherit {listing(absent)} in the gateway's environment "
                f"configuration (export: inherits: [{', '.join(actual.inherits + tuple(absent))}])",
            )
