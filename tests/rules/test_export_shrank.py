"""PC303 export-shrank: `policycheck diff` on two Keycloak realm exports of one project (tests/realms.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import realms

from policycheck.cli import main
from policycheck.rules.export_shrank import shrank


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "policy.yaml").write_text(realms.POLICY, encoding="utf-8")
    realms.write_pair(tmp_path / "before", realms.CHILDREN)
    return tmp_path


def diff(capsys: pytest.CaptureFixture[str], before: str, after: str) -> tuple[int, list[dict[str, Any]]]:
    code = main(["diff", "--no-config", "--policies", "policy.yaml", "--format", "json", before, after])
    out, err = capsys.readouterr()
    assert err == ""
    return code, json.loads(out)["findings"]


def test_users_left_out_of_the_new_export_are_a_warning_beside_the_lost_access(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The admin console's partial export has no users: every service account's roles vanish with them."""
    stable = realms.realm("stable", realms.CHILDREN)
    stable["users"] = []
    realms.write_pair(here / "after", stable=stable)
    code, findings = diff(capsys, "before", "after")
    assert code == 1  # the lost access (PC301) is an error; the warning does not change the exit code
    shrunk = [f for f in findings if f["rule"] == "PC303"]
    assert [(f["severity"], f["location"]["path"], f["location"]["line"]) for f in shrunk] == [
        ("warning", "after/stable/stable-realm.json", 1)
    ]
    assert shrunk[0]["message"] == (
        "the keycloak export after/stable/stable-realm.json shrank: users 5 -> 0 (vanished); an exporter that "
        "drops data makes access look removed; 6 bound calls lose access in this diff (PC301)"
    )
    assert {f["rule"] for f in findings} == {"PC301", "PC303"}


def test_a_shrink_without_lost_access_is_a_warning_and_exit_0(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stable = realms.realm("stable", realms.CHILDREN)
    stable["users"] = stable["users"][:2]  # the three people are gone, the service accounts stay
    realms.write_pair(here / "after", stable=stable)
    code, findings = diff(capsys, "before", "after")
    assert code == 0
    assert [(f["rule"], f["message"].split(";")[0]) for f in findings] == [
        ("PC303", "the keycloak export after/stable/stable-realm.json shrank: users 5 -> 2")
    ]


def test_one_client_removed_on_purpose_is_no_shrink(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dev = realms.realm("dev", realms.CHILDREN, ("sap-connector",))
    realms.write_pair(here / "after", dev=dev, stable=realms.realm("stable", realms.CHILDREN))
    code, findings = diff(capsys, "before", "after")
    assert code == 1
    assert {f["rule"] for f in findings} == {"PC301"}  # clients 3 -> 2, users 5 -> 4: not marked


def test_a_realm_file_missing_from_the_new_export_vanished(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    realms.write_pair(here / "after", realms.CHILDREN)
    (here / "after" / "stable" / "stable-realm.json").unlink()
    code, findings = diff(capsys, "before", "after")
    assert code == 1
    shrunk = [f for f in findings if f["rule"] == "PC303"]
    assert [f["location"]["path"] for f in shrunk] == ["before/stable/stable-realm.json"]
    assert shrunk[0]["message"].startswith(
        "the keycloak export before/stable/stable-realm.json (not in the new export) shrank: realms 1 -> 0 "
        "(vanished), clients 3 -> 0 (vanished), service accounts 2 -> 0 (vanished), users 5 -> 0 (vanished)"
    )


def test_check_has_no_old_export_to_compare(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--no-config", "--select", "PC303", "policy.yaml", "before"]) == 0
    assert "no findings" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("before", "after", "reported"),
    [
        (1, 0, True),
        (5, 0, True),
        (6, 3, True),
        (10, 4, True),
        (4, 2, False),
        (5, 3, False),
        (3, 3, False),
        (0, 0, False),
    ],
)
def test_what_counts_as_marked(before: int, after: int, reported: bool) -> None:
    assert shrank(before, after) is reported


def test_entra_tenants_pair_by_their_folder() -> None:
    from policycheck.rules.export_shrank import _match

    old = ["old/entra/prod/", "old/entra/test/"]
    assert _match(old, ["new/entra/test/", "new/entra/prod/"]) == {
        "old/entra/prod/": "new/entra/prod/",
        "old/entra/test/": "new/entra/test/",
    }
    assert _match(["a/dev/"], ["b/prod/"]) == {}  # two other tenants: compared as one whole, not as a pair
    assert _match(["main:gw/realm.json"], ["gw/realm.json"]) == {"main:gw/realm.json": "gw/realm.json"}
