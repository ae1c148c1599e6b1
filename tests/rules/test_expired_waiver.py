from __future__ import annotations

from datetime import date

import pytest

from .base import PENDING_WRITE
from .conftest import brief

# waivers.yaml lines: the first waiver's '- rule:' is line 4, the second's line 9.

WAIVER = """\
  - rule: PC102
    application: app
    environment: prod
    reason: approval is on its way (SEC-42)
    owner: sec@example.com
"""


def expiring(day: str) -> str:
    return WAIVER + f"    expires: {day}\n"


def test_fails_the_day_after_it_expires_at_the_waiver(waived):
    found = waived(expiring("2026-11-28"), "PC904", today=date(2026, 11, 29)).findings
    assert [brief(f) for f in found] == [("PC904", "waivers.yaml", 4, None, None, None)]
    assert found[0].location.column == 5
    assert found[0].subject == "PC102 app prod *"
    assert found[0].message == ("the waiver of PC102 for app prod * expired on 2026-11-28 (owner: sec@example.com)")
    assert found[0].fix == ("fix what it waived and remove the waiver, or renew it with a new reason and expiry date")


@pytest.mark.parametrize("today", [date(2026, 11, 27), date(2026, 11, 28)])
def test_passes_before_and_on_the_day_it_expires(waived, today):
    assert waived(expiring("2026-11-28"), "PC904", today=today).findings == ()


def test_a_waiver_without_expires_never_expires(waived):
    assert waived(WAIVER, "PC904", today=date(2099, 12, 31)).findings == ()


def test_only_the_expired_one_of_several_is_reported(waived):
    later = WAIVER.replace("environment: prod", "environment: test") + "    expires: 2027-01-31\n"
    found = waived(later + expiring("2026-01-31"), "PC904", today=date(2026, 2, 1)).findings
    assert [(f.location.line, f.subject) for f in found] == [(10, "PC102 app prod *")]
    assert "expired on 2026-01-31" in found[0].message


def test_an_expired_waiver_waives_nothing_and_the_finding_is_reported_again(waived):
    on_the_day = waived(expiring("2026-11-28"), "PC102", "PC904", today=date(2026, 11, 28), export=PENDING_WRITE)
    assert [f.rule for f in on_the_day.findings] == []
    assert [(w.finding.rule, w.expires, w.waiver.line) for w in on_the_day.waived] == [("PC102", "2026-11-28", 4)]
    after = waived(expiring("2026-11-28"), "PC102", "PC904", today=date(2026, 11, 29), export=PENDING_WRITE)
    assert sorted((f.rule, f.location.path) for f in after.findings) == [
        ("PC102", "export.yaml"),
        ("PC904", "waivers.yaml"),
    ]
    assert after.waived == ()
