"""PC301 lost-access (policycheck diff): a bound call allowed with the old export and not with the new one."""

from __future__ import annotations

import functools
from collections.abc import Callable

import pytest

from policycheck.findings import Finding

from .base import APP2, BIND2, EXPORT, NO_INCLUDE, POLICY
from .conftest import brief

Diff = Callable[..., list[Finding]]


@pytest.fixture
def diff(compare: Diff) -> Diff:
    """diff(before_export, after_export, policy=POLICY) -> PC301 findings of the new export against the old."""
    return functools.partial(compare, rule="PC301")


def test_fails_naming_the_permission_and_the_hop_that_broke(diff):
    found = diff(EXPORT, EXPORT.replace("permission_set: Writers", "permission_set: Readers"))
    assert [brief(f) for f in found] == [
        ("PC301", "export.yaml", 17, "app", "prod", "items.create"),
        ("PC301", "export.yaml", 17, "app", "test", "items.create"),
    ]
    assert (
        found[0].message == "app loses items.create in prod: 'Write': the grant of permission set 'Writers' was removed"
    )
    assert found[0].fix == (
        "restore what items.create needs for app in prod, or remove the binding if the loss is intended "
        "(see policycheck explain app items.create --env prod)"
    )


def test_passes_when_everything_allowed_before_is_still_allowed(diff):
    assert diff(EXPORT, EXPORT) == []
    # more access is not lost access (that is PC302)
    assert diff(NO_INCLUDE, EXPORT) == []


def test_no_old_export_no_finding(check):
    assert check(POLICY, NO_INCLUDE, "PC301") == []


def test_one_broken_hop_carries_every_call_it_breaks(diff):
    found = diff(EXPORT, NO_INCLUDE)
    assert [(f.environment, f.operation, f.breaks, f.cells) for f in found] == [
        (env, None, 2, (("app", env, "items.create"), ("app", env, "items.list"))) for env in ("prod", "test")
    ]
    assert found[0].message == (
        "app loses items.create, items.list in prod: 'Read': permission set 'Writers' no longer includes 'Readers'"
    )
    assert found[0].fix.startswith("restore what items.create, items.list need for app in prod, or remove")


def test_applications_losing_to_the_same_hop_share_one_finding(diff):
    found = diff(EXPORT + APP2, NO_INCLUDE + APP2, policy=POLICY + BIND2)
    prod = next(f for f in found if f.environment == "prod")
    assert (prod.application, prod.operation, prod.location.line) == (None, None, 16)
    assert sorted(prod.cells) == [(a, "prod", o) for a in ("app", "app2") for o in ("items.create", "items.list")]
    assert prod.message.startswith("2 applications lose items.create, items.list in prod: 'Read': ")
    assert "for 2 applications in prod" in prod.fix


@pytest.mark.parametrize(
    ("after", "why"),
    [
        (EXPORT.replace("status: approved", "status: pending"), "the grant of permission set 'Writers' is now pending"),
        (EXPORT.replace(", prod: app-prd}", "}"), "app is no longer assigned to prod"),
        (
            EXPORT.replace("  - name: prod\n    inherits: [base]\n", "  - name: prod\n"),
            "prod no longer inherits base, where permission set 'Writers' is mapped",
        ),
    ],
)
def test_the_reason_is_the_first_hop_of_the_old_chain_the_new_export_breaks(diff, after, why):
    found = diff(EXPORT, after)
    lost = next(f for f in found if (f.environment, f.operation) == ("prod", "items.list"))
    assert lost.message == f"app loses items.list in prod: 'Read': {why}"


def test_a_call_lost_with_every_permission_kept_says_it_no_longer_reaches_the_token(diff):
    clients = "    clients: {test: app-tst, prod: app-prd}\n"
    after = EXPORT.replace(clients, clients + "    delivery: {prod: [Read]}\n")
    found = diff(EXPORT, after)
    assert [brief(f) for f in found] == [("PC301", "export.yaml", 17, "app", "prod", "items.create")]
    assert found[0].message == "app loses items.create in prod: what it needs no longer reaches the token"


def test_an_application_gone_from_the_new_export_points_at_the_old_one(diff):
    found = diff(EXPORT, EXPORT.replace("- id: app", "- id: other"))
    assert {(f.location.path, f.location.line) for f in found} == {("before.yaml", 17)}
    assert sorted((f.environment, f.operation) for f in found) == [
        (env, op) for env in ("prod", "test") for op in ("items.create", "items.list")
    ]
    assert (
        found[0].message
        == "app loses items.create in prod: 'Read': app is not in the new export; 'Write': app is not in the new export"
    )
