from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date

import pytest

from policycheck.findings import Result

from .base import PENDING_WRITE
from .conftest import brief

Waived = Callable[..., Result]


@pytest.fixture
def waived(waived: Waived) -> Waived:
    """waived(waivers_body, *rules) -> the result of those rules on PENDING_WRITE with waivers.yaml configured."""
    return functools.partial(waived, export=PENDING_WRITE)


def waiver(rule: str, **patterns: str) -> str:
    lines = [f"  - rule: {rule}"] + [f"    {k}: {v}" for k, v in patterns.items()]
    return "\n".join([*lines, "    reason: known (SEC-42)", "    owner: sec@example.com"]) + "\n"


def test_fails_at_a_waiver_that_matches_no_finding(waived):
    result = waived(waiver("PC101", application="legacy-batch"), "PC101", "PC102", "PC905")
    unused = [f for f in result.findings if f.rule == "PC905"]
    assert [brief(f) for f in unused] == [("PC905", "waivers.yaml", 4, None, None, None)]
    assert unused[0].subject == "PC101 legacy-batch * *"
    assert unused[0].message == "the waiver of PC101 for legacy-batch * * matches no finding"
    assert unused[0].fix == (
        "remove the waiver if the problem is fixed, or correct its rule, application, environment or operation"
    )


@pytest.mark.parametrize(
    "rule, patterns",
    [
        ("PC102", {"application": "app", "environment": "prod"}),
        ("pending-approval", {}),  # by the rule's name
        ("PC10*", {"operation": "items.*"}),  # by patterns
    ],
)
def test_passes_when_the_waiver_covers_a_finding(waived, rule, patterns):
    result = waived(waiver(rule, **patterns), "PC102", "PC905")
    assert result.findings == ()
    assert [(w.finding.rule, w.finding.operation, w.waiver.line) for w in result.waived] == [
        ("PC102", "items.create", 4)
    ]


def test_a_pattern_that_misses_leaves_the_finding_and_is_unused(waived):
    result = waived(waiver("PC102", application="app", environment="test"), "PC102", "PC905")
    assert sorted((f.rule, f.location.path, f.location.line) for f in result.findings) == [
        ("PC102", "export.yaml", 22),
        ("PC905", "waivers.yaml", 4),
    ]
    assert result.waived == ()


def test_only_the_unused_one_of_two_is_reported(waived):
    used, unused = waiver("PC102", environment="prod"), waiver("PC102", environment="test")
    found = [f for f in waived(used + unused, "PC102", "PC905").findings if f.rule == "PC905"]
    assert [(f.location.line, f.subject) for f in found] == [(8, "PC102 * test *")]


def test_an_expired_waiver_is_left_to_pc904_but_on_its_last_day_it_is_unused(waived):
    stale = waiver("PC101", application="legacy-batch", expires="2026-11-28")
    assert waived(stale, "PC905", today=date(2026, 11, 29)).findings == ()
    found = waived(stale, "PC905", today=date(2026, 11, 28)).findings
    assert [(f.rule, f.location.line) for f in found] == [("PC905", 4)]
