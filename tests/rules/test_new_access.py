"""PC302 new-access (policycheck diff): a bound call refused with the old export and allowed with the new one."""

from __future__ import annotations

import functools
from collections.abc import Callable

import pytest

from policycheck.findings import Finding, Severity

from .base import APP2, BIND2, EXPORT, NO_INCLUDE, POLICY
from .conftest import brief

Diff = Callable[..., list[Finding]]

READERS = EXPORT.replace("permission_set: Writers", "permission_set: Readers")
"""app is granted Readers only: items.create (Read and Write) is refused."""

FIX = "confirm that this access is intended; if not, remove what grants it"


@pytest.fixture
def diff(compare: Diff) -> Diff:
    """diff(before_export, after_export, policy=POLICY, severities={}) -> PC302 findings of the new export."""
    return functools.partial(compare, rule="PC302")


def test_fails_naming_the_call_it_opens_and_the_new_permission(diff):
    found = diff(READERS, EXPORT)
    assert [brief(f) for f in found] == [
        ("PC302", "export.yaml", 17, "app", "prod", "items.create"),
        ("PC302", "export.yaml", 17, "app", "test", "items.create"),
    ]
    assert found[0].message == "app can now call items.create in prod (new: 'Write')"
    assert found[0].fix == FIX
    assert {f.severity for f in found} == {Severity.NOTE}


def test_passes_when_the_new_export_allows_nothing_new(diff):
    assert diff(EXPORT, EXPORT) == []
    # less access is not new access (that is PC301)
    assert diff(EXPORT, READERS) == []


def test_no_old_export_no_finding(check):
    assert check(POLICY, EXPORT, "PC302") == []


def test_fail_on_new_access_makes_it_an_error(diff):
    found = diff(READERS, EXPORT, severities={"PC302": Severity.ERROR})
    assert [(f.rule, f.severity) for f in found] == [("PC302", Severity.ERROR)] * 2


def test_one_new_permission_carries_every_call_it_opens_across_applications(diff):
    found = diff(NO_INCLUDE + APP2, EXPORT + APP2, policy=POLICY + BIND2)
    assert [(f.application, f.environment, f.operation, f.breaks) for f in found] == [
        (None, "prod", None, 4),
        (None, "test", None, 4),
    ]
    assert sorted(found[0].cells) == [(a, "prod", o) for a in ("app", "app2") for o in ("items.create", "items.list")]
    assert found[0].message == "2 applications can now call items.create, items.list in prod (new: 'Read')"
    assert found[0].location.line == 17  # the first application's definition


def test_a_call_opened_without_a_new_permission_is_new_access(diff):
    clients = "    clients: {test: app-tst, prod: app-prd}\n"
    before = EXPORT.replace(clients, clients + "    delivery: {prod: [Read]}\n")
    found = diff(before, EXPORT)
    assert [brief(f) for f in found] == [("PC302", "export.yaml", 17, "app", "prod", "items.create")]
    # the permissions are the same; the old allow-list kept Write out of the token: no requirement changed
    assert found[0].message == (
        "app can now call items.create in prod "
        "(new: what it needs now reaches the token: a delivery allow-list or scope request)"
    )


def test_a_grant_extended_to_another_environment_names_the_permissions_it_adds(diff):
    """New permissions are named as what is new, not the delivery wording above."""
    before = EXPORT.replace("status: approved", "status: approved\n        environments: [test]")
    found = diff(before, EXPORT)
    assert {f.message for f in found} == {"app can now call items.create, items.list in prod (new: 'Read', 'Write')"}
