from .base import EXPORT, POLICY
from .conftest import brief

PENDING = (
    EXPORT
    + """\
      - permission: Write
        status: pending
        environments: [prod]
"""
)


def test_fails_at_the_pending_grant_with_approve_as_the_fix(check):
    export = PENDING.replace("permission_set: Writers", "permission_set: Readers")
    found = check(POLICY, export, "PC102")
    assert [brief(f) for f in found] == [("PC102", "export.yaml", 22, "app", "prod", "items.create")]
    assert found[0].message == ("the grant of 'Write' to app is pending approval; 'items.create' needs 'Write' in prod")
    assert found[0].fix.startswith("approve the pending grant of 'Write' for app in prod")


def test_passes_when_another_approved_grant_delivers_it(check):
    assert check(POLICY, PENDING, "PC102") == []


def test_pending_grant_no_bound_operation_needs_is_not_reported(check):
    policy = POLICY.replace("operations: [items.list, items.create]", "operations: [items.list]")
    export = PENDING.replace("permission_set: Writers", "permission_set: Readers")
    assert check(policy, export, "PC102") == []
