"""Coverage: the share of spec operations a policy covers, of policy operations bound, of bound calls allowed."""

from __future__ import annotations

from operator import attrgetter

from .analysis import Analysis
from .findings import Coverage, Share


def coverage(analysis: Analysis) -> Coverage:
    model = analysis.model
    spec = None
    if model.specs:
        check = analysis.spec_check
        spec = Share(len({id(so) for so, _ in check.matched}), check.spec_operations)
    bound = set().union(*map(attrgetter("operations"), model.bindings)) & model.operations.keys()
    return Coverage(spec, Share(len(bound), len(model.operations)), Share(analysis.allowed, analysis.cells))


def text(c: Coverage) -> str:
    """'coverage: spec operations 7/7 (100%), policy operations bound 6/7 (85.7%), bound calls allowed 4/6 (66.7%)'"""

    def share(label: str, s: Share) -> str:
        return f"{label} {s.covered}/{s.total} ({'n/a' if s.percent is None else f'{s.percent:g}%'})"

    parts = [] if c.spec_operations is None else [share("spec operations", c.spec_operations)]
    parts += [share("policy operations bound", c.policy_operations), share("bound calls allowed", c.bound_calls)]
    return "coverage: " + ", ".join(parts)


def below(c: Coverage, minimum: float) -> list[str]:
    """The figures under `minimum` percent, as 'policy operations bound 71.4%'."""
    figures = [("spec operations", c.spec_operations), ("policy operations bound", c.policy_operations)]
    figures.append(("bound calls allowed", c.bound_calls))
    return [
        f"{label} {s.percent:g}%"
        for label, s in figures
        if s is not None and s.percent is not None and s.percent < minimum
    ]
