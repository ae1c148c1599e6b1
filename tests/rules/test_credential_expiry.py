from datetime import date, timedelta
from pathlib import Path

import pytest

from policycheck.findings import Severity

from .vendor import apigee, findings, key, ms

TODAY = date(2026, 11, 29)


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_an_expired_key_is_an_error_at_the_product_entry(here: Path) -> None:
    apigee(here, key(("read", "approved"), ("write", "approved"), expires=ms(date(2024, 1, 1))))
    found = findings(here, "PC110", TODAY)
    assert [(f.severity, f.location.line, f.subject, f.environment) for f in found] == [
        (Severity.ERROR, 9, "permission set 'read'", "prod"),
        (Severity.ERROR, 13, "permission set 'write'", "prod"),
    ]
    assert found[0].message == (
        "the key of svc that carries permission set 'read' expired on 2024-01-01: 'items.list' and "
        "'items.create' need 'read' in prod"
    )
    assert found[0].fix.startswith("issue svc a new key with permission set 'read'")


def test_a_key_that_expires_within_30_days_is_a_warning(here: Path) -> None:
    soon = date.today() + timedelta(days=10)
    apigee(here, key(("read", "approved"), ("write", "approved"), expires=str(ms(soon))))
    found = findings(here, "PC110", date.today())
    assert [(f.severity, f.subject) for f in found] == [
        (Severity.WARNING, "expiring:permission set 'read'"),
        (Severity.WARNING, "expiring:permission set 'write'"),
    ]
    assert f"expires on {soon.isoformat()} (in 10 days)" in found[0].message


def test_passes_for_a_key_that_never_expires_or_expires_later(here: Path) -> None:
    apigee(
        here,
        key(("read", "approved"), expires="-1"),
        key(("write", "approved"), expires=ms(date.today() + timedelta(days=45))),
    )
    assert findings(here, "PC110", date.today()) == []


def test_another_valid_key_with_the_product_passes(here: Path) -> None:
    apigee(
        here,
        key(("read", "approved"), ("write", "approved"), expires=ms(date(2024, 1, 1))),
        key(("read", "approved"), ("write", "approved")),
    )
    assert findings(here, "PC110", TODAY) == []
