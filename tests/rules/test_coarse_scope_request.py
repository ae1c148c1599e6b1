"""PC203 coarse-scope-request: the scope request cannot yield the scopes the bound operations require."""

from .base import EXPORT, POLICY
from .conftest import brief

# items.create requires scope x.items.write.
SCOPED = POLICY.replace(
    "      permissions: [Read, Write]\n", "      permissions: [Read, Write]\n      scopes: [x.items.write]\n"
)
CLIENTS = "    clients: {test: app-tst, prod: app-prd}\n"


def requesting(scopes: str) -> str:
    """The export with app requesting `scopes` (YAML for its `scopes` key)."""
    return EXPORT.replace(CLIENTS, CLIENTS + f"    scopes: {scopes}\n")


def test_fails_when_a_requested_scope_is_a_prefix_of_the_needed_one(check):
    found = check(SCOPED, requesting("x.items openid"), "PC203")
    assert [brief(f) for f in found] == [
        ("PC203", "export.yaml", 17, "app", "prod", "items.create"),
        ("PC203", "export.yaml", 17, "app", "test", "items.create"),
    ]
    assert found[0].message == (
        "app requests scope=x.items openid in prod, but items.create needs x.items.write: "
        "the request is too coarse (x.items does not include its sub-scopes)"
    )
    assert found[0].fix == (
        "request scope=openid x.items x.items.write in prod (the client's token request and its allowed scopes)"
    )
    assert found[0].subject == "x.items.write"


def test_passes_when_the_request_names_every_needed_scope(check):
    assert check(SCOPED, requesting("x.items x.items.write"), "PC203") == []


def test_an_export_that_says_no_scope_request_is_not_judged(check):
    assert check(SCOPED, EXPORT, "PC203") == []


def test_a_request_without_a_prefix_is_missing_scopes_not_too_coarse(check):
    # x.item is a string prefix of x.items.write, but not a parent scope (no dot after it)
    found = check(SCOPED, requesting("x.item"), "PC203")
    assert [f.message for f in found] == [
        f"app requests scope=x.item in {env}, but items.create needs x.items.write: the request is missing scopes"
        for env in ("prod", "test")
    ]
    assert (
        found[0].fix == "request scope=x.item x.items.write in prod (the client's token request and its allowed scopes)"
    )


def test_one_finding_per_request_with_every_operation_and_scope_it_lacks(check):
    policy = SCOPED.replace("      permissions: Read\n", "      permissions: Read\n      scopes: [x.items.read]\n", 1)
    found = check(policy, requesting("{'*': x.items, test: x.items x.items.read x.items.write}"), "PC203")
    # test requests everything; prod's one request lacks two scopes for two operations: one finding, no operation
    assert [brief(f) for f in found] == [("PC203", "export.yaml", 17, "app", "prod", None)]
    assert found[0].subject == "x.items.read x.items.write"
    assert found[0].message == (
        "app requests scope=x.items in prod, but items.create, items.list need x.items.read x.items.write: "
        "the request is too coarse (x.items does not include its sub-scopes)"
    )
    assert found[0].fix == (
        "request scope=x.items x.items.read x.items.write in prod (the client's token request and its allowed scopes)"
    )


def test_a_scope_required_only_in_one_environment_is_checked_only_there(check):
    policy = POLICY.replace(
        "      permissions: [Read, Write]\n",
        "      permissions: [Read, Write]\n    environments:\n      prod:\n        scopes: [x.items.write]\n",
    )
    found = check(policy, requesting("x.items"), "PC203")
    assert [brief(f) for f in found] == [("PC203", "export.yaml", 17, "app", "prod", "items.create")]


def test_an_environment_the_application_is_not_assigned_to_is_not_judged(check):
    export = requesting("x.items").replace("{test: app-tst, prod: app-prd}", "{prod: app-prd}")
    found = check(SCOPED, export, "PC203")
    assert [(f.application, f.environment) for f in found] == [("app", "prod")]
