from .base import EXPORT, POLICY
from .conftest import brief


def test_set_not_mapped_in_the_environment_nor_its_parents(check):
    export = EXPORT.replace("    permission_sets: [Readers, Writers]\n", "    permission_sets: [Readers]\n")
    export = export.replace(
        "  - name: test\n    inherits: [base]\n",
        "  - name: test\n    inherits: [base]\n    permission_sets: [Writers]\n",
    )
    found = check(POLICY, export, "PC103")
    assert [brief(f) for f in found] == [("PC103", "export.yaml", 21, "app", "prod", None)]
    assert "permission set 'Writers' is granted to app for prod but is not mapped to prod" in found[0].message
    assert "(it is mapped in test)" in found[0].message
    assert found[0].fix == "map permission set 'Writers' to prod"


def test_environment_no_longer_inherits_what_the_policy_requires(check):
    export = EXPORT.replace("  - name: prod\n    inherits: [base]\n", "  - name: prod\n")
    found = check(POLICY, export, "PC103")
    briefs = [brief(f) for f in found]
    assert ("PC103", "export.yaml", 14, None, "prod", None) in briefs
    expected = next(f for f in found if f.location.line == 14)
    assert expected.message.startswith("prod does not inherit 'base', as the policy requires")
    # and the grant that no longer reaches prod, with the hint to inherit base again
    grant = next(f for f in found if f.location.line == 19)
    assert grant.fix == "map permission set 'Writers' to prod, or make prod inherit base"


def test_grant_restricted_to_another_environment(check):
    export = EXPORT.replace("        status: approved\n", "        status: approved\n        environments: [test]\n")
    found = check(POLICY, export, "PC103")
    assert [brief(f) for f in found] == [("PC103", "export.yaml", 20, "app", "prod", None)]
    assert found[0].message == (
        "app is granted 'Read' and 'Write' in test but not in prod, and prod does not inherit from test"
    )
    assert found[0].fix == "add prod to the environments of this grant"


def test_grant_on_a_parent_environment_reaches_the_child(check):
    export = EXPORT.replace("        status: approved\n", "        status: approved\n        environments: [base]\n")
    assert check(POLICY, export, "PC103") == []


def test_application_bound_to_an_environment_it_is_not_assigned_to(check):
    export = EXPORT.replace("clients: {test: app-tst, prod: app-prd}", "clients: {test: app-tst}")
    found = check(POLICY, export, "PC103")
    assert [brief(f) for f in found] == [("PC103", "export.yaml", 17, "app", "prod", None)]
    assert found[0].message == "app is bound to prod but not assigned to it (it has clients in test)"


def test_broken_set_chain(check):
    export = EXPORT.replace("includes: [Readers]", "includes: [Reader]")
    found = check(POLICY, export, "PC103")
    assert any(
        brief(f) == ("PC103", "export.yaml", 8, None, None, None)
        and f.message == "set chain broken: permission set 'Writers' includes 'Reader', which is not defined"
        for f in found
    )


def test_passes_when_inheritance_delivers(check):
    assert check(POLICY, EXPORT, "PC103") == []
