from .base import EXPORT, POLICY
from .conftest import brief

DELETE = """\
  - id: items.delete
    request: DELETE /items/{id}
    requires:
      permissions: Write
environments:
"""

REPORTER = """\
  - application: app
    environments: [prod]
    must_not_call: [items.delete]
"""


def policy(requires: str = "Write") -> str:
    text = POLICY.replace("environments:\n", DELETE.replace("permissions: Write", f"permissions: {requires}"), 1)
    return text + REPORTER


def test_fails_with_the_chain_when_the_application_can_call(check):
    found = check(policy(), EXPORT, "PC106")
    # at the grant that lets it (export line 20), with the chain through the included set and the environment
    assert [brief(f) for f in found] == [("PC106", "export.yaml", 20, "app", "prod", "items.delete")]
    assert found[0].message == (
        "app can call items.delete (DELETE /items/{id}) in prod, which its binding (policy.yaml:32:5) says it "
        "must not: 'Write': grant of permission set 'Writers' (export.yaml:20:9) -> set 'Writers' -> "
        "mapped to base (inherited by prod)"
    )


def test_an_any_of_names_only_the_alternative_held(check):
    found = check(
        policy("{any_of: [Admin, Write]}").replace("  - name: Write\n", "  - name: Admin\n  - name: Write\n"),
        EXPORT,
        "PC106",
    )
    assert len(found) == 1 and "'Write': grant of permission set 'Writers'" in found[0].message
    assert "'Admin'" not in found[0].message


def test_passes_when_the_application_cannot(check):
    text = policy("Admin").replace("  - name: Write\n", "  - name: Admin\n  - name: Write\n")
    assert check(text, EXPORT, "PC106") == []


def test_passes_when_the_application_is_not_assigned_to_the_environment(check):
    export = EXPORT.replace("clients: {test: app-tst, prod: app-prd}", "clients: {test: app-tst}")
    assert check(policy(), export, "PC106") == []


def test_a_must_not_call_binding_adds_no_bound_calls(check):
    assert check(policy(), EXPORT, "PC402") == []  # items.delete is used: by must_not_call
    assert check(policy(), EXPORT, "PC101") == []


def test_a_binding_needs_operations_or_must_not_call(check):
    import pytest

    from policycheck.errors import InputErrors

    text = POLICY + "  - application: app\n    environments: [prod]\n"
    with pytest.raises(InputErrors) as e:
        check(text, EXPORT, "PC106")
    assert "policy.yaml:28:5: bindings[1]: expected a binding with operations, must_not_call or both" in str(e.value)
