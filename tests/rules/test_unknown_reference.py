from .base import EXPORT, POLICY
from .conftest import brief


def test_fails_at_the_reference_with_the_closest_name(check):
    policy = POLICY.replace("operations: [items.list, items.create]", "operations: [items.list, item.create]")
    found = check(policy, EXPORT, "PC901")
    assert [brief(f) for f in found] == [("PC901", "policy.yaml", 27, None, None, None)]
    assert found[0].message == "binding refers to unknown operation 'item.create' (did you mean 'items.create'?)"


def test_unknown_permission_in_a_grant_and_unknown_environment(check):
    export = EXPORT.replace("permissions: [Write]", "permissions: [Wirte]").replace(
        "clients: {test: app-tst, prod: app-prd}", "clients: {test: app-tst, prod: app-prd, qa: app-qa}"
    )
    found = check(POLICY, export, "PC901")
    assert {(f.location.line, f.message) for f in found} == {
        (7, "permission set 'Writers' refers to unknown permission 'Wirte' (did you mean 'Write'?)"),
        (18, "application 'app' refers to unknown environment 'qa'"),
    }


def test_unknown_application_in_a_binding_is_pc404_not_pc901(check):
    policy = POLICY.replace("application: app", "application: ap")
    assert check(policy, EXPORT, "PC901") == []
    found = check(policy, EXPORT, "PC404")
    assert [(f.location.line, f.message) for f in found] == [
        (25, "ap is bound in the policies but is not in the export (did you mean 'app'?)")
    ]


def test_passes_when_every_name_is_defined(check):
    assert check(POLICY, EXPORT, "PC901") == []
