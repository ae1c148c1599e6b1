from .base import EXPORT, POLICY
from .conftest import brief


def test_duplicate_key_in_a_grant(check):
    export = EXPORT.replace("        status: approved\n", "        status: approved\n        status: pending\n")
    found = check(POLICY, export, "PC903")
    assert [brief(f) for f in found] == [("PC903", "export.yaml", 22, None, None, None)]
    assert found[0].message == "key 'status' is defined twice (first at line 21)"


def test_operation_defined_twice(check):
    policy = POLICY.replace(
        "environments:\n  - name: base\n",
        """\
  - id: items.list
    request: GET /things
    requires: {permissions: Read}
environments:
  - name: base
""",
        1,
    )
    found = check(policy, EXPORT, "PC903")
    assert [f.message for f in found] == ["operation 'items.list' is defined twice (first at line 9)"]


def test_passes_without_duplicates(check):
    assert check(POLICY, EXPORT, "PC903") == []
