from .base import EXPORT, POLICY
from .conftest import brief


def test_fails_when_the_requirement_is_not_met_naming_exactly_what_is_missing(check):
    export = EXPORT.replace("permission_set: Writers", "permission_set: Readers")
    found = check(POLICY, export, "PC101")
    assert [brief(f) for f in found] == [
        ("PC101", "export.yaml", 17, "app", "prod", "items.create"),
        ("PC101", "export.yaml", 17, "app", "test", "items.create"),
    ]
    assert found[0].message == "app cannot call POST /items in prod: missing 'Write'"
    assert found[0].fix == "grant 'Write' to app in prod"


def test_passes_when_an_approved_set_delivers_everything(check):
    assert check(POLICY, EXPORT, "PC101") == []


def test_any_of_names_the_smallest_alternative(check):
    policy = POLICY.replace("permissions: [Read, Write]", "permissions: {any_of: [[Write, Read], Read]}")
    export = EXPORT.replace("permission_set: Writers", "permission: Write")
    found = check(policy, export, "PC101")
    assert {f.message for f in found} == {
        # one cause (Read is missing) per environment, with both calls it breaks
        "app cannot call items.list, items.create in test: missing 'Read'",
        "app cannot call items.list, items.create in prod: missing 'Read'",
    }
    assert sorted(c for f in found for c in f.cells) == [
        ("app", env, op) for env in ("prod", "test") for op in ("items.create", "items.list")
    ]


def test_per_environment_tightening_applies_only_there(check):
    policy = POLICY.replace(
        "      permissions: Read\n",
        "      permissions: Read\n    environments:\n      prod:\n        permissions: [Write]\n",
    )
    export = EXPORT.replace("permission_set: Writers", "permission_set: Readers")
    found = check(policy, export, "PC101")
    ops = sorted((c[1], c[2]) for f in found for c in (f.cells or [(f.application, f.environment, f.operation)]))
    assert ops == [("prod", "items.create"), ("prod", "items.list"), ("test", "items.create")]


def test_revoked_grant_is_missing_and_the_fix_is_a_new_grant(check):
    export = EXPORT.replace("status: approved", "status: revoked")
    found = check(POLICY, export, "PC101")
    assert len(found) == 4
    assert found[0].fix == "grant 'Read' and 'Write' to app in prod"


def test_fix_points_at_the_pending_grant(check):
    export = EXPORT.replace("status: approved", "status: pending")
    found = check(POLICY, export, "PC101")
    assert found[0].fix == "approve the pending grant of permission set 'Writers' (PC102)"
