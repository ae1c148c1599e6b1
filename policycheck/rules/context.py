"""What a rule may use besides the analysis: its id and severity, the date, and the clock of the run."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from itertools import repeat
from operator import eq, itemgetter
from typing import TYPE_CHECKING

from ..findings import Affected, Finding, Severity
from ..model import Origin
from ..records import Record

_set = object.__setattr__

if TYPE_CHECKING:
    from ..analysis import Analysis
    from . import Rule


class Unset:
    """The operation of a finding not given: taken from its cells."""


UNSET = Unset()


class RuleContext(Record):
    _fields = ("rule", "severity", "today", "now", "before", "used_waivers")
    rule: Rule
    severity: Severity
    today: date
    now: float
    """Seconds since the epoch: token expiry is judged against it (rules read no clock)."""
    before: Analysis | None = None
    """The analysis of the old export (policycheck diff), sharing the interned names of the new one."""
    used_waivers: frozenset[int] = frozenset()
    """ids of the waivers that matched a finding (for the rules that run after waivers)."""

    def __init__(
        self,
        rule: Rule,
        severity: Severity,
        today: date,
        now: float,
        before: Analysis | None = None,
        used_waivers: frozenset[int] = frozenset(),
    ) -> None:
        _set(self, "rule", rule)
        _set(self, "severity", severity)
        _set(self, "today", today)
        _set(self, "now", now)
        _set(self, "before", before)
        _set(self, "used_waivers", used_waivers)

    def finding(
        self,
        source: Origin,
        *,
        message: str,
        fix: str,
        app: str | None = None,
        env: str | None = None,
        op: str | Unset | None = UNSET,
        subject: str | None = None,
        cells: Iterable[Affected] = (),
    ) -> Finding:
        """One finding; with `cells`, one cause and every call it breaks.

        Its application, environment and operation are those all the cells share (op=None:
        the cause is not about one operation); a single cell that says no more is not listed.
        """
        affected = tuple(dict.fromkeys(cells))
        if affected:
            app = app or _common(affected, 0)
            env = env or _common(affected, 1)
            if op is UNSET:
                op = _common(affected, 2)
            if len(affected) == 1 and affected[0] == (app, env, op):
                affected = ()
        elif op is UNSET:
            op = None
        assert not isinstance(op, Unset)
        return Finding(
            self.rule.ID,
            self.rule.NAME,
            self.severity,
            source.location(),
            message,
            fix,
            app,
            env,
            op,
            subject,
            affected,
        )


def _common(cells: Sequence[Affected], i: int) -> str | None:
    first = cells[0][i]
    return first if all(map(eq, repeat(first), map(itemgetter(i), cells))) else None  # at C speed
