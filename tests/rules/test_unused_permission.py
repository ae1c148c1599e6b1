from .base import EXPORT, POLICY
from .conftest import brief

# 'Archive' catalogued after Write: policy.yaml line 8
ARCHIVE = POLICY.replace("operations:\n", "  - name: Archive\noperations:\n", 1)


def test_fails_at_the_permission_no_operation_requires(check):
    found = check(ARCHIVE, EXPORT, "PC403")
    assert [brief(f) for f in found] == [("PC403", "policy.yaml", 8, None, None, None)]
    assert found[0].subject == "Archive"
    assert found[0].message == "permission 'Archive' is in the catalogue but no operation requires it"
    assert found[0].fix == "require it in the operations that need it, or remove it from the catalogue"


def test_passes_when_every_catalogued_permission_is_required(check):
    assert check(POLICY, EXPORT, "PC403") == []


def test_a_requirement_in_one_environment_only_counts(check):
    policy = ARCHIVE.replace(
        "      permissions: [Read, Write]\n",
        "      permissions: [Read, Write]\n    environments:\n      prod:\n        permissions: Archive\n",
    )
    assert check(policy, EXPORT, "PC403") == []


def test_an_alternative_in_a_nested_any_of_counts(check):
    policy = ARCHIVE.replace("permissions: [Read, Write]", "permissions: {all_of: [Read, {any_of: [Write, Archive]}]}")
    assert check(policy, EXPORT, "PC403") == []


def test_required_only_by_an_unbound_operation_still_counts_and_others_are_reported(check):
    # items.create (the only one needing Write) unbound: Write is still required; Archive is not
    policy = ARCHIVE.replace("operations: [items.list, items.create]", "operations: [items.list]")
    assert [f.subject for f in check(policy, EXPORT, "PC403")] == ["Archive"]
