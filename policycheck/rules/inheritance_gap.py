"""PC103 inheritance-gap: a permission is granted, but does not reach the environment.

What it means: one of these breaks the chain from a grant to an environment in
which a bound operation needs it:
- the grant applies to other environments, and this one does not inherit from them;
- the granted permission set is not mapped to this environment, nor to one it
  inherits from (it is mapped elsewhere);
- the application is bound to the environment but not assigned to it (no client);
- the policy says the environment must inherit another one, and the export's does not;
- a permission set includes a set that does not exist (the set chain is broken);
- the set is in force, but this environment's own definition of it (a realm's
  composite role, a tenant's role) lacks the permission that another environment's
  definition includes: the fix is in this environment's definition, not in
  inheritance between separate realms or tenants.

Failing example: the set `GL Journal Posting` is granted to `compliance-sync` for
`test` and `prod` but mapped only to `base`, which `test` inherits and `prod`
does not.

Passing example: `prod` inherits `base` (or `GL Journal Posting` is mapped to `prod`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Affected, Finding, Severity
from ..model import Grant, Model
from ..resolve import Block
from .bound import app_origin, definition_gap, listing, who

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC103"
NAME = "inheritance-gap"
DEFAULT_SEVERITY = Severity.ERROR


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    model = analysis.model
    yield from _grant_gaps(analysis, ctx)
    yield from _expected_inheritance(analysis, ctx)
    undefined = {n for n in model.references.names("included set") if not model.set_defined(n)}
    for ref in model.references.of("included set", undefined):
        yield ctx.finding(
            ref.source,
            subject=ref.name,
            message=f"set chain broken: {ref.where} includes '{ref.name}', which is not defined",
            fix=f"define permission set '{ref.name}' in the export, or remove the include",
        )


Key = tuple[Block, str, str, tuple[str, ...]]
"""(reason, environment, what is granted, where it applies or is mapped or defined)."""
_PENDING_ELSEWHERE = (Block.PENDING, Block.OTHER_ENVIRONMENT)


def _grant_gaps(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    model = analysis.model
    seen: dict[Key, tuple[Grant | None, dict[str, None], dict[Affected, None]]] = {}
    for f in analysis.failures:
        cell = (f.application, f.environment, f.operation)
        for permission, found in f.blocked:
            for b in found:
                reasons = b.reasons
                if Block.REVOKED in reasons or reasons[:2] == _PENDING_ELSEWHERE:
                    continue  # not granted for this environment at all: a missing grant (PC101)
                for reason in reasons:
                    if reason is Block.PENDING:
                        continue
                    if reason is Block.SET_NOT_MAPPED and Block.OTHER_ENVIRONMENT in reasons:
                        continue  # the grant does not apply here at all: its set's mapping is beside the point
                    key = (reason, f.environment, "" if b.grant is None else b.grant.target, b.environments)
                    entry = seen.get(key)
                    if entry is None:
                        entry = seen[key] = (b.grant, {}, {})
                    entry[1][permission] = None
                    entry[2][cell] = None
    for (reason, env, _, where), (grant, perms, found_cells) in seen.items():
        cells = list(found_cells)
        name, single = who(cells)
        elsewhere = ", ".join(where) or "no environment"
        if reason is Block.NOT_ASSIGNED or grant is None:
            yield ctx.finding(
                app_origin(model, cells),
                cells=cells,
                op=None,
                subject=env,
                message=f"{name} {'is' if single else 'are'} bound to {env} but not assigned to it "
                f"({'it has' if single else 'they have'} clients in {elsewhere})",
                fix=f"register {name} in {env}: add a client for {env} to the application",
            )
        elif reason is Block.OTHER_ENVIRONMENT:
            yield ctx.finding(
                # another realm's or tenant's grant: the fix is in this environment's own file
                app_origin(model, cells) if grant.per_environment else grant.source,
                cells=cells,
                op=None,
                subject=grant.target,
                message=(
                    f"{name} {'is' if single else 'are'} granted {listing(list(perms))} in {elsewhere}'s own "
                    f"configuration but not in {env}'s"
                    if grant.per_environment  # separate realms, tenants, gateways: nothing to inherit
                    else f"{name} {'is' if single else 'are'} granted {listing(list(perms))} in {elsewhere} "
                    f"but not in {env}, and {env} does not inherit from {elsewhere}"
                ),
                fix=(
                    f"grant it in {env} as well (in {env}'s own configuration: its realm, tenant or gateway file)"
                    if grant.per_environment
                    else f"add {env} to the environments of this grant"
                ),
            )
        elif reason is Block.DEFINITION:
            assert grant.permission_set is not None
            defined = analysis.resolver.definition(grant.permission_set, env)
            differs, _ = definition_gap(defined, grant.permission_set, list(perms), env, elsewhere)
            _, fix = definition_gap(defined, grant.permission_set, list(perms), env, where[0])
            yield ctx.finding(
                defined.source if defined is not None else grant.source,
                cells=cells,
                op=None,
                subject=grant.target,
                message=f"in {env}, {differs}: {name} {'holds' if single else 'hold'} it in both",
                fix=fix,
            )
        else:
            set_name = grant.permission_set
            parents = _inherit_hint(model, env, where)
            yield ctx.finding(
                grant.source,
                cells=cells,
                op=None,
                subject=grant.target,
                message=f"permission set '{set_name}' is granted to {name} for {env} but is not "
                f"mapped to {env} or to any environment it inherits (it is mapped in "
                f"{elsewhere}), so {listing(list(perms))} do not reach {env}",
                fix=f"map permission set '{set_name}' to {env}{parents}",
            )


def _inherit_hint(model: Model, env: str, where: tuple[str, ...]) -> str:
    """Suggest inheriting a parent that other environments inherit and that maps the set."""
    separate = {e for e, sets in model.scoped_sets.items() if sets}
    if env in separate:
        return ""  # a realm or tenant with its own definitions inherits nothing from another
    parents = [e for e in where if any(e in model.environments[o].inherits for o in model.environments if o != e)]
    return f", or make {env} inherit {parents[0]}" if parents else ""


def _expected_inheritance(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    model = analysis.model
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
        chain = analysis.chain(name)
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
