"""PC401 unneeded-grant: one finding per idle or broad grant, with every application and environment holding it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policycheck.cli import main

from .base import EXPORT, POLICY
from .conftest import brief

ONLY_LIST = POLICY.replace("operations: [items.list, items.create]", "operations: [items.list]")
"""The application is bound to items.list only (it needs Read), but its grant of Writers delivers Read and Write."""


def test_a_broad_grant_is_named_with_what_it_gives_beyond_the_bound_operations(check):
    found = check(ONLY_LIST, EXPORT, "PC401")
    assert [brief(f) for f in found] == [("PC401", "export.yaml", 17, "app", None, None)]
    f = found[0]
    assert f.subject == "permission set 'Writers' (broad)"
    assert (
        f.message == "permission set 'Writers' gives app 'Write' in prod and test, which no operation bound there needs"
    )
    assert f.fix == (
        "grant narrower permission sets that leave these out (least privilege), or bind the operations that need them"
    )
    assert sorted(f.cells) == [("app", "prod", None), ("app", "test", None)]


def test_an_idle_grant_can_go(check):
    """A grant that delivers nothing any bound operation needs: remove it."""
    export = EXPORT.replace(
        "      - permission_set: Writers\n        status: approved\n",
        "      - permission_set: Readers\n        status: approved\n      - permission: Write\n        status: approved\n",
    )
    found = check(ONLY_LIST, export, "PC401")
    assert [(f.subject, f.message) for f in found] == [
        ("'Write'", "'Write' is granted to app in prod and test, and no operation bound there needs it")
    ]
    assert found[0].fix.startswith("remove the grant of 'Write' from app (least privilege)")


def test_passes_when_the_grants_deliver_exactly_what_is_needed(check):
    assert check(POLICY, EXPORT, "PC401") == []  # items.create needs Read and Write: Writers is all used


def test_one_finding_for_every_application_holding_the_grant(check):
    """One cause, its cells: not a copy of the message per (application, environment)."""
    second = "\n".join(
        [
            "  - id: app2",
            "    clients: {test: app2-tst, prod: app2-prd}",
            "    grants:",
            "      - permission_set: Writers",
            "        status: approved",
            "",
        ]
    )
    policy = ONLY_LIST + "  - application: app2\n    environments: [test, prod]\n    operations: [items.list]\n"
    found = check(policy, EXPORT + second, "PC401")
    assert len(found) == 1
    f = found[0]
    assert f.application is None and f.environment is None  # shared by no single cell
    assert sorted(f.cells) == [
        ("app", "prod", None),
        ("app", "test", None),
        ("app2", "prod", None),
        ("app2", "test", None),
    ]
    assert f.message == (
        "permission set 'Writers' gives 2 applications a median of 1 permissions in prod and test, "
        "which no operation bound there needs"
    )
    assert f.fix.startswith("grant narrower permission sets")


def test_a_grant_in_force_in_no_bound_environment_is_not_unneeded_here(check):
    """PC401 is about the bound environments: a grant for an environment the app is not bound in is not counted."""
    policy = ONLY_LIST.replace(
        "environments: [test, prod]\n    operations: [items.list]", "environments: [test]\n    operations: [items.list]"
    )
    export = EXPORT.replace("status: approved", "status: approved\n        environments: [prod]")
    assert check(policy, export, "PC401") == []


@pytest.fixture
def two_realms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import realms

    root = realms.write_pair(tmp_path / "kc")
    (root / "policy.yaml").write_text(realms.POLICY, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return root


def test_each_realms_own_grant_is_one_finding_in_that_realms_file(two_realms, capsys):
    """Separate realms grant 'Connector User' each in their own file: it is removed there, so it is said there."""
    code = main(["check", "--no-config", "--select", "PC401", "--format", "json", "kc"])
    out, err = capsys.readouterr()
    assert (code, err) == (1, "")
    findings = json.loads(out)["findings"]
    broad = [f for f in findings if f["subject"] == "permission set 'connector-api/Connector User' (broad)"]
    assert [(f["environment"], f["location"]["path"], f["count"]) for f in broad] == [
        ("dev", "kc/dev/dev-realm.json", 2),
        ("stable", "kc/stable/stable-realm.json", 2),
    ]
    for f in findings:  # the realms' default roles too: every finding in its own environment's file
        assert f["environment"] in ("dev", "stable"), f
        assert f["location"]["path"] == f"kc/{f['environment']}/{f['environment']}-realm.json", f
