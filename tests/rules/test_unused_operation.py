from .base import EXPORT, POLICY
from .conftest import brief

ONLY_LIST = POLICY.replace("operations: [items.list, items.create]", "operations: [items.list]")


def test_fails_at_the_operation_no_binding_lists(check):
    found = check(ONLY_LIST, EXPORT, "PC402")
    # policy.yaml line 13: '- id: items.create'
    assert [brief(f) for f in found] == [("PC402", "policy.yaml", 13, None, None, "items.create")]
    assert found[0].message == "operation items.create (POST /items) is in no binding"
    assert found[0].fix == "bind it to the applications that must call it, or remove it from the policy"


def test_passes_when_every_operation_is_bound(check):
    assert check(POLICY, EXPORT, "PC402") == []


def test_must_not_call_is_a_use(check):
    policy = ONLY_LIST + "  - application: app\n    environments: [prod]\n    must_not_call: [items.create]\n"
    assert check(policy, EXPORT, "PC402") == []


def test_each_unbound_operation_is_reported_a_bound_one_in_another_binding_is_not(check):
    # items.delete (policy.yaml line 17) is in no binding; items.create only in a second binding
    policy = ONLY_LIST.replace(
        "environments:\n", "  - id: items.delete\n    request: DELETE /items/{id}\n    requires: {}\nenvironments:\n", 1
    )
    found = check(policy, EXPORT, "PC402")
    assert [(f.operation, f.location.line, f.message) for f in found] == [
        ("items.create", 13, "operation items.create (POST /items) is in no binding"),
        ("items.delete", 17, "operation items.delete (DELETE /items/{id}) is in no binding"),
    ]
    second = policy + "  - application: app\n    environments: [test]\n    operations: [items.create]\n"
    assert [f.operation for f in check(second, EXPORT, "PC402")] == ["items.delete"]
