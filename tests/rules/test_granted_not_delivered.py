"""PC202 granted-not-delivered: effective, but kept out of the token by the allow-list or the scope request."""

from .base import EXPORT, POLICY
from .conftest import brief

# Write travels only in scope x:write (the catalogue's `scopes`).
SCOPED = POLICY.replace("claims: [x:write]", "claims: [x:write]\n    scopes: [x:write]")
CLIENTS = "    clients: {test: app-tst, prod: app-prd}\n"


def client(export: str, lines: str) -> str:
    """The export with `lines` added to app's definition, under its clients."""
    return export.replace(CLIENTS, CLIENTS + lines)


def test_fails_when_the_scope_request_does_not_carry_a_granted_permission(check):
    found = check(SCOPED, client(EXPORT, "    scopes: x:read\n"), "PC202")
    assert [brief(f) for f in found] == [
        ("PC202", "export.yaml", 17, "app", "prod", "items.create"),
        ("PC202", "export.yaml", 17, "app", "test", "items.create"),
    ]
    assert found[0].message == (
        "app is granted what items.create needs in prod, but it never reaches the token: 'Write' travels only in "
        "scope x:write, which app does not request in prod (scope=x:read)"
    )
    assert found[0].fix == "add x:write to the scope request of app in prod, then request a new token"


def test_passes_when_the_request_names_the_scope_or_says_nothing(check):
    assert check(SCOPED, client(EXPORT, "    scopes: x:read x:write\n"), "PC202") == []
    # no scope request in the export: nothing is filtered by it
    assert check(SCOPED, EXPORT, "PC202") == []


def test_the_scope_request_is_read_per_environment(check):
    export = client(EXPORT, "    scopes: {'*': [x:read], test: [x:read, x:write]}\n")
    found = check(SCOPED, export, "PC202")
    assert [brief(f) for f in found] == [("PC202", "export.yaml", 17, "app", "prod", "items.create")]


def test_fails_when_the_delivery_allow_list_leaves_it_out(check):
    found = check(POLICY, client(EXPORT, "    delivery: {prod: [Read]}\n"), "PC202")
    assert [brief(f) for f in found] == [("PC202", "export.yaml", 17, "app", "prod", "items.create")]
    assert found[0].message == (
        "app is granted what items.create needs in prod, but it never reaches the token: "
        "the gateway does not let 'Write' into app's tokens in prod (delivery allow-list)"
    )
    assert found[0].fix == (
        "add 'Write' to the delivery allow-list (scope mappings) of app in prod, then request a new token"
    )


def test_one_cause_carries_every_call_it_breaks(check):
    found = check(POLICY, client(EXPORT, "    delivery: {'*': [Write]}\n"), "PC202")
    assert [(f.environment, f.operation, f.breaks, f.cells) for f in found] == [
        (env, None, 2, (("app", env, "items.list"), ("app", env, "items.create"))) for env in ("prod", "test")
    ]
    assert found[0].message == (
        "app is granted what items.list, items.create need in prod, but it never reaches the token: "
        "the gateway does not let 'Read' into app's tokens in prod (delivery allow-list)"
    )


def test_both_filters_on_one_call_are_named_with_both_fixes(check):
    export = client(EXPORT, "    scopes: x:read\n    delivery: {prod: [Write]}\n")
    found = check(SCOPED, export, "PC202")
    create = next(f for f in found if (f.environment, f.operation) == ("prod", "items.create"))
    assert create.message.endswith(
        " only in scope x:write, which app does not request in prod (scope=x:read); "
        "the gateway does not let 'Read' into app's tokens in prod (delivery allow-list)"
    )
    assert create.fix == (
        "add x:write to the scope request of app in prod; "
        "add 'Read' to the delivery allow-list (scope mappings) of app in prod, then request a new token"
    )
    # items.list lacks only Read (delivery); in test only the scope request filters
    assert sorted((f.environment, f.operation) for f in found) == [
        ("prod", "items.create"),
        ("prod", "items.list"),
        ("test", "items.create"),
    ]


def test_a_call_that_also_lacks_a_grant_is_not_this_rules(check):
    export = client(EXPORT.replace("permission_set: Writers", "permission_set: Readers"), "    delivery: {prod: []}\n")
    found = check(POLICY, export, "PC202")
    # items.create misses Write (PC101); only items.list is granted in full and filtered
    assert [brief(f) for f in found] == [("PC202", "export.yaml", 17, "app", "prod", "items.list")]


def test_applications_with_the_same_cause_share_one_finding(check):
    policy = (
        POLICY + "  - application: app2\n    environments: [test, prod]\n    operations: [items.list, items.create]\n"
    )
    export = client(EXPORT, "    delivery: {prod: [Read]}\n") + (
        "  - id: app2\n    clients: {test: app2-tst, prod: app2-prd}\n    delivery: {prod: [Read]}\n"
        "    grants:\n      - permission_set: Writers\n        status: approved\n"
    )
    found = check(policy, export, "PC202")
    assert [(f.application, f.environment, f.operation, f.cells) for f in found] == [
        (None, "prod", "items.create", (("app", "prod", "items.create"), ("app2", "prod", "items.create")))
    ]
    assert found[0].location.line == 17  # the first application it breaks
    assert found[0].message == (
        "2 applications are granted what items.create needs in prod, but it never reaches the token: "
        "the gateway does not let 'Write' into their tokens in prod (delivery allow-list)"
    )
    assert found[0].fix == (
        "add 'Write' to the delivery allow-list (scope mappings) of each of them in prod, then request a new token"
    )
