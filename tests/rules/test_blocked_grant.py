import json
from datetime import date
from pathlib import Path

import pytest

from .vendor import POLICY, apigee, findings, key

TODAY = date(2026, 11, 29)


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_revoked_key_with_approved_entries_is_blocked(here: Path) -> None:
    apigee(here, key(("read", "approved"), ("write", "approved"), status="revoked"))
    found = findings(here, "PC111", TODAY)
    assert [(f.location.line, f.application, f.environment, f.operation) for f in found] == [
        (9, "svc", "prod", None),
        (13, "svc", "prod", "items.create"),
    ]
    assert found[1].message == (
        "the grant of permission set 'write' to svc is blocked by the gateway (credential status 'revoked'): "
        "'items.create' needs 'write' in prod"
    )


def test_a_revoked_app_blocks_each_level_below(here: Path) -> None:
    apigee(here, key(("read", "approved"), ("write", "approved")), app_status="revoked")
    assert {f.message.split("(")[1].split(")")[0] for f in findings(here, "PC111", TODAY)} == {"app status 'revoked'"}


def test_a_suspended_apim_subscription_is_blocked(here: Path) -> None:
    (here / "apim/subscriptions/svc").mkdir(parents=True)
    (here / "apim/subscriptions/svc/subscriptionInformation.json").write_text(
        json.dumps({"properties": {"displayName": "svc", "scope": "/apis/read", "state": "suspended"}})
    )
    (here / "policy.yaml").write_text(
        POLICY.replace("environments: [prod]", "environments: [apim]").replace("{name: prod}", "{name: apim}")
    )
    found = findings(here, "PC111", TODAY)
    assert [(f.application, f.environment, f.subject) for f in found] == [("svc", "apim", "'read'")]
    assert "(subscription state 'suspended')" in found[0].message


def test_pending_and_expired_are_other_rules(here: Path) -> None:
    apigee(here, key(("read", "pending"), ("write", "approved"), expires=1704067200000))
    assert findings(here, "PC111", TODAY) == []


def test_passes_when_all_three_levels_are_approved(here: Path) -> None:
    apigee(here, key(("read", "approved"), ("write", "approved")))
    assert findings(here, "PC111", TODAY) == []
