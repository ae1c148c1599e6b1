"""The rules: one module per rule, registered here by id. Ids are never reused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol

from ..findings import Finding, Severity

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext


class Rule(Protocol):
    """A rule module: its docstring is the rule's user documentation."""

    __doc__: str | None
    ID: str
    NAME: str
    DEFAULT_SEVERITY: Severity

    def check(self, analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]: ...


from . import (  # noqa: E402  (the Protocol above must exist first)
    acl_refused,
    blocked_grant,
    coarse_scope_request,
    credential_expiry,
    cycle,
    duplicate,
    environment_parity,
    expired_allowance,
    expired_waiver,
    export_shrank,
    forbidden_call,
    gateway_token_check,
    granted_not_delivered,
    inheritance_gap,
    lost_access,
    missing_application,
    missing_grant,
    new_access,
    no_permissions_claim,
    not_identified,
    pending_approval,
    product_not_covering,
    secret_in_input,
    spec_missing_operation,
    spec_scope_mismatch,
    token_drift,
    token_health,
    token_missing,
    uncovered_spec_operation,
    unknown_reference,
    unneeded_grant,
    unreachable_route,
    unresolved_built_in,
    unused_operation,
    unused_permission,
    unused_waiver,
)

_MODULES: tuple[Rule, ...] = (
    missing_grant,
    pending_approval,
    inheritance_gap,
    environment_parity,
    expired_allowance,
    forbidden_call,
    unreachable_route,
    acl_refused,
    no_permissions_claim,
    credential_expiry,
    blocked_grant,
    gateway_token_check,
    not_identified,
    product_not_covering,
    token_missing,
    granted_not_delivered,
    coarse_scope_request,
    token_drift,
    token_health,
    lost_access,
    new_access,
    export_shrank,
    unneeded_grant,
    unused_operation,
    unused_permission,
    missing_application,
    spec_missing_operation,
    uncovered_spec_operation,
    spec_scope_mismatch,
    unknown_reference,
    cycle,
    duplicate,
    expired_waiver,
    unused_waiver,
    unresolved_built_in,
    secret_in_input,
)

REGISTRY: dict[str, Rule] = {m.ID: m for m in _MODULES}


def summary(rule: Rule) -> str:
    """First line of the rule's documentation, without the id and name."""
    first = (rule.__doc__ or "").strip().splitlines()[0]
    text = first.split(":", 1)[1].strip() if ":" in first else first
    return text.rstrip(".")
