"""Bound operations whose requirement is not met: shared by the grant rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model import Binding, Expression, Model, Operation
from ..resolve import Blocked, missing, satisfied

if TYPE_CHECKING:
    from ..engine import RuleContext


@dataclass(frozen=True)
class Gap:
    binding: Binding
    environment: str
    operation: Operation
    missing: tuple[str, ...]


def gaps(model: Model, ctx: RuleContext) -> list[Gap]:
    return ctx.shared("gaps", lambda: list(_gaps(model, ctx)))


def _gaps(model: Model, ctx: RuleContext) -> list[Gap]:
    out = []
    requirements: dict[tuple[str, str], Expression | None] = {}
    for binding in model.bindings:
        if binding.application not in model.applications:
            continue  # unknown-reference reports it
        for env in binding.environments:
            have = ctx.resolver.effective(binding.application, env).permissions
            for op_id in binding.operations:
                op = model.operations.get(op_id)
                if op is None:
                    continue
                key = (op_id, env)
                if key not in requirements:
                    requirements[key] = op.requirement_in(env).permissions
                req = requirements[key]
                if not satisfied(req, have):
                    out.append(Gap(binding, env, op, tuple(missing(req, have))))
    return out


def blockers(model: Model, ctx: RuleContext, gap: Gap, permission: str) -> list[Blocked]:
    return ctx.resolver.blocked(gap.binding.application, gap.environment, permission)


def listing(items: list[str] | tuple[str, ...]) -> str:
    quoted = [f"'{i}'" for i in items]
    if len(quoted) <= 2:
        return " and ".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]
