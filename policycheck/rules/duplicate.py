"""PC903 duplicate: a key is written twice in one mapping, or a name is defined twice.

What it means: YAML and JSON parsers silently keep one of two equal keys (PyYAML
the last, others the first), so two tools may read the same file differently;
and an operation, permission, set, environment or application defined twice is
ambiguous. policycheck keeps the last key of a mapping and the first definition
of a name, and reports the other.

Failing example: `status: approved` and `status: pending` in one grant.

Passing example: each key once per mapping, each name defined once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Finding, Severity

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC903"
NAME = "duplicate"
DEFAULT_SEVERITY = Severity.ERROR


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    model = analysis.model
    for d in model.duplicates:
        here = d.source.location()
        first = f"line {d.first_line}" if d.first_path == here.path else f"{d.first_path}:{d.first_line}"
        yield ctx.finding(
            d.source,
            subject=d.key,
            message=f"{d.key} is defined twice (first at {first})",
            fix="remove one of them, or merge them into one",
        )
