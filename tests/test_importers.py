"""The vendor importers: Keycloak realm exports, Microsoft Entra (Graph JSON) and Infor .ionapi files.

Each bundled example is checked end to end (effective and deliverable permissions, the
exact findings and exit code); then small inline files, one per trap of the research
(docs/importers.md lists them), through the same loading as `policycheck check`:
`load_model` with the Identity the configuration gives, and `Resolver`. A hypothesis
property closes: random role, composite and group graphs (cycles, self-references)
imported and resolved never loop, and match a brute-force closure.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vendor_helpers import found as findings_of

from policycheck import config
from policycheck.cli import main
from policycheck.commands import common as app
from policycheck.errors import InputError
from policycheck.loading.export import SECRET_KEYS
from policycheck.loading.importers import detect, read_vendor
from policycheck.loading.importers.identity import DEFAULT_SUFFIXES, Identity
from policycheck.loading.inputs import assemble, load_model
from policycheck.loading.limits import Limits
from policycheck.loading.source import load
from policycheck.model import Model
from policycheck.resolve import Filter, Resolver, cycles

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "policies" / "examples"


# --- helpers ------------------------------------------------------------------


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path as the working directory: inputs show as short relative paths."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def headers(out: str) -> list[str]:
    """The finding lines of a text report (without their `fix:` lines and the summary)."""
    return [line for line in out.splitlines()[:-1] if not line.startswith("    ")]


# The rules whose findings these tests pin exactly: what the importers feed (grants, status,
# delivery, references, cycles, secrets). Findings of other rules (least privilege, ...) are
# about the policy more than the import, and are left to their own tests.
PINNED = {"PC101", "PC102", "PC103", "PC104", "PC105", "PC201", "PC202", "PC203", "PC204", "PC205"} | {
    f"PC90{i}" for i in range(1, 8)
}


def pinned(out: str) -> list[str]:
    return [line for line in headers(out) if line.split(" ")[2] in PINNED]


def write(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=1), encoding="utf-8")
    return path


def model_of(*paths: str | Path, identity: Identity | None = None) -> Model:
    return load_model([str(p) for p in paths], identity=identity)


def configured(config_file: Path) -> Identity:
    """The Identity that `policycheck check` builds from this configuration file."""
    return app.identity(config.load(str(config_file)))


def effective(model: Model, application: str, environment: str) -> set[str]:
    return set(Resolver(model).effective(application, environment).permissions)


def deliverable(model: Model, application: str, environment: str) -> set[str]:
    return set(Resolver(model).deliverable(application, environment)[0])


def policy(application: str, environments: list[str], permissions: list[str], parity: bool = False) -> str:
    """A policy binding `application` to one operation per permission, in each environment."""
    lines = ["apiVersion: policycheck/v1", "kind: Policy", "permissions:"]
    lines += [f"  - name: {json.dumps(p)}" for p in permissions]
    lines.append("operations:")
    for i, p in enumerate(permissions):
        lines += [f"  - id: op{i}", f"    request: GET /op{i}", "    requires:", f"      permissions: {json.dumps(p)}"]
    lines.append("environments:")
    for i, env in enumerate(environments):
        lines.append(f"  - name: {env}")
        if parity and i == 0 and len(environments) > 1:
            lines.append(f"    parity: [{', '.join(environments[1:])}]")
    lines += [
        "bindings:",
        f"  - application: {application}",
        f"    environments: [{', '.join(environments)}]",
        f"    operations: [{', '.join(f'op{i}' for i in range(len(permissions)))}]",
    ]
    return "\n".join(lines) + "\n"


def realm(name: str = "erp", **fields: Any) -> dict[str, Any]:
    """A realm with client `api` (roles read, write, post) and service-account client `svc`."""
    data: dict[str, Any] = {
        "realm": name,
        "roles": {"realm": [], "client": {"api": [{"name": "read"}, {"name": "write"}, {"name": "post"}]}},
        "clients": [
            {"clientId": "svc", "serviceAccountsEnabled": True, "publicClient": False},
            {"clientId": "api", "bearerOnly": True},
        ],
    }
    data.update(fields)
    return data


def service_account(client: str = "svc", **fields: Any) -> dict[str, Any]:
    return {"username": f"service-account-{client}", "serviceAccountClientId": client, **fields}


# --- Keycloak: the example ----------------------------------------------------

KEYCLOAK = EXAMPLES / "keycloak"
KC_TEST = {  # default-roles-erp delivers what it includes, not its realm-specific name
    "account/view-profile",
    "gl-api/gl-poster",
    "gl-api/gl:journal:post",
    "gl-api/gl:journal:read",
    "gl-api/gl:journal:write",
    "offline_access",
    "uma_authorization",
}
KC_PROD = KC_TEST - {"gl-api/gl:journal:post"}


@pytest.fixture
def keycloak_model(monkeypatch: pytest.MonkeyPatch) -> Model:
    monkeypatch.chdir(KEYCLOAK)
    cfg = config.load(".policycheck.yaml")
    return load_model(cfg.paths, identity=app.identity(cfg))


def test_keycloak_example_effective_and_deliverable(keycloak_model: Model) -> None:
    resolver = Resolver(keycloak_model)
    assert set(resolver.effective("gl-integration", "test").permissions) == KC_TEST
    assert set(resolver.effective("gl-integration", "prod").permissions) == KC_PROD
    # test: full scope allowed, every effective role reaches the token
    assert resolver.deliverable("gl-integration", "test") == (frozenset(KC_TEST), {})
    # prod: "fullScopeAllowed": "false" (a string) and one scope mapping, keyed by the role owner gl-api
    delivered, filtered = resolver.deliverable("gl-integration", "prod")
    assert delivered == {"gl-api/gl:journal:read"}
    assert filtered == dict.fromkeys(KC_PROD - {"gl-api/gl:journal:read"}, Filter.DELIVERY)
    application = keycloak_model.applications["gl-integration"]
    assert application.clients == {"test": "gl-integration", "prod": "gl-integration"}
    assert dict(application.delivery) == {"prod": ("gl-api/gl:journal:read",)}


def test_keycloak_example_parity_difference(keycloak_model: Model) -> None:
    resolver = Resolver(keycloak_model)
    test, prod = (set(resolver.effective("gl-integration", e).permissions) for e in ("test", "prod"))
    assert (test - prod, prod - test) == ({"gl-api/gl:journal:post"}, set())
    test, prod = (set(resolver.deliverable("gl-integration", e)[0]) for e in ("test", "prod"))
    assert (test - prod, prod - test) == (KC_TEST - {"gl-api/gl:journal:read"}, set())


def test_keycloak_example_reads_both_realms_and_the_users_file(keycloak_model: Model) -> None:
    assert sorted(keycloak_model.files) == [
        "policy.yaml",
        "prod/erp-realm.json",
        "test/erp-realm.json",
        "test/erp-users-0.json",
    ]
    assert sorted(keycloak_model.environments) == ["prod", "test"]
    grants = keycloak_model.applications["gl-integration"].grants
    where = sorted((g.permission_set, str(g.source.location())) for g in grants)
    assert where == [
        ("/finance/posting", "prod/erp-realm.json:32:5"),
        ("/finance/posting", "test/erp-users-0.json:4:5"),
        ("default-roles-erp", "prod/erp-realm.json:32:5"),
        ("default-roles-erp", "test/erp-users-0.json:4:5"),
    ]


KEYCLOAK_FINDINGS = [
    "prod/erp-realm.json:6:7: note PC906 composite role 'default-roles-erp' refers to the built-in role "
    "'account/view-profile', which the export does not define; it is read as a plain permission without composites",
    "prod/erp-realm.json:6:7: note PC906 composite role 'default-roles-erp' refers to the built-in role "
    "'uma_authorization', which the export does not define; it is read as a plain permission without composites",
    # the real cause, in prod's own file: the group is defined without the role in prod (not "make prod inherit")
    "prod/erp-realm.json:23:20: error PC103 [gl-integration prod] in prod, group '/finance/posting' does not "
    "include 'gl-api/gl:journal:post', which it includes in test: gl-integration holds it in both",
    "prod/erp-realm.json:26:5: error PC101 [gl-integration prod gl.journal-entries.post] gl-integration cannot call "
    "POST /api/v1/generalLedger/journalEntries/{journalEntryId}/post in prod: missing 'gl-api/gl:journal:post'",
    "prod/erp-realm.json:26:5: error PC104 [gl-integration prod] prod is not in parity with test: gl-integration "
    "has 'gl-api/gl:journal:post' in test but not in prod: in prod, group '/finance/posting' does not include "
    "'gl-api/gl:journal:post', which it includes in test",
    "prod/erp-realm.json:26:5: error PC202 [gl-integration prod gl.journal-entries.create] gl-integration is granted "
    "what gl.journal-entries.create needs in prod, but it never reaches the token: the gateway does not let "
    "'gl-api/gl:journal:write' into gl-integration's tokens in prod (delivery allow-list)",
    "test/erp-realm.json:6:7: note PC906 composite role 'default-roles-erp' refers to the built-in role "
    "'account/view-profile', which the export does not define; it is read as a plain permission without composites",
    "test/erp-realm.json:6:7: note PC906 composite role 'default-roles-erp' refers to the built-in role "
    "'uma_authorization', which the export does not define; it is read as a plain permission without composites",
    "test/erp-realm.json:9:7: error PC902 [test] composite roles include each other in a cycle in test: "
    "app_admin -> app_admin",
    "test/erp-users-0.json:6:6: warning PC907 'credentials' holds a secret in a file that is checked in "
    "(policycheck dropped it unread)",
]


def test_keycloak_example_check(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(KEYCLOAK)
    code, out, err = run(capsys, "check", "--no-color")
    assert (code, err) == (1, "")
    assert pinned(out) == KEYCLOAK_FINDINGS
    assert out.splitlines()[-1].endswith("1 application x 2 environments x 3 operations checked (6 bindings, 4 files)")
    assert "never-read-never-printed" not in out
    # the fields a CI tool reads, from the JSON report
    code, out, _ = run(capsys, "check", "--format", "json")
    assert (code, [f for f in findings_of(out) if f[0] in ("PC101", "PC103", "PC104", "PC202")]) == (
        1,
        [
            ("PC103", "prod/erp-realm.json:23", "gl-integration", "prod", None),
            ("PC101", "prod/erp-realm.json:26", "gl-integration", "prod", "gl.journal-entries.post"),
            ("PC104", "prod/erp-realm.json:26", "gl-integration", "prod", None),
            ("PC202", "prod/erp-realm.json:26", "gl-integration", "prod", "gl.journal-entries.create"),
        ],
    )


def test_keycloak_example_without_its_folder_map_is_one_environment_twice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Both realms are called erp: without the configuration they are the same environment,
    and every role and the application are defined twice (PC903), never silently merged."""
    monkeypatch.chdir(KEYCLOAK)
    model = load_model(["."])
    assert sorted(model.environments) == ["erp"]
    assert "application 'gl-integration'" in {d.key for d in model.duplicates}
    assert "permission set 'gl-api/gl-poster'" in {d.key for d in model.duplicates}


# --- Keycloak: the traps, inline ----------------------------------------------


def test_a_json_array_of_realms(here: Path) -> None:
    """kc.sh export --file without --realm writes every realm in one JSON array."""
    write(
        here / "all-realms.json",
        [
            realm("erp-test", users=[service_account(clientRoles={"api": ["read", "write"]})]),
            realm("erp-prod", users=[service_account(clientRoles={"api": ["read"]})]),
        ],
    )
    model = model_of(here)
    assert sorted(model.environments) == ["prod", "test"]
    assert effective(model, "svc", "test") == {"api/read", "api/write"}
    assert effective(model, "svc", "prod") == {"api/read"}
    prod_grant = next(g for g in model.applications["svc"].grants if g.environments == ("prod",))
    test_grant = next(g for g in model.applications["svc"].grants if g.environments == ("test",))
    assert test_grant.source.location().line < prod_grant.source.location().line  # the second realm's user


@pytest.mark.parametrize(
    ("full_scope", "delivered"),
    [
        ("false", {"api/read"}),
        ("FALSE", {"api/read"}),
        (False, {"api/read"}),
        ("true", {"api/read", "api/write"}),
        (True, {"api/read", "api/write"}),
        (None, {"api/read", "api/write"}),  # absent: Keycloak's default is true
    ],
)
def test_full_scope_allowed_written_as_a_string(here: Path, full_scope: Any, delivered: set[str]) -> None:
    data = realm(
        users=[service_account(clientRoles={"api": ["read", "write"]})],
        clientScopeMappings={"api": [{"client": "svc", "roles": ["read"]}]},
    )
    if full_scope is not None:
        data["clients"][0]["fullScopeAllowed"] = full_scope
    model = model_of(write(here / "erp-realm.json", data))
    assert effective(model, "svc", "erp") == {"api/read", "api/write"}
    assert deliverable(model, "svc", "erp") == delivered


def test_a_clients_own_roles_are_always_deliverable(here: Path) -> None:
    data = realm(users=[service_account(clientRoles={"api": ["read"], "svc": ["own"]})])
    data["roles"]["client"]["svc"] = [{"name": "own"}]
    data["clients"][0]["fullScopeAllowed"] = False
    model = model_of(write(here / "erp-realm.json", data))
    assert effective(model, "svc", "erp") == {"api/read", "svc/own"}
    assert Resolver(model).deliverable("svc", "erp") == (frozenset({"svc/own"}), {"api/read": Filter.DELIVERY})


@pytest.mark.parametrize(
    ("client_scopes", "realm_scopes", "delivered"),
    [
        (["profile", "email"], None, set()),
        (None, ["profile", "email"], set()),  # the realm's defaults, for a client that names none
        (["roles", "profile"], None, {"api/read"}),
        (None, ["roles"], {"api/read"}),
        (None, None, {"api/read"}),  # neither says: not filtered
        (["roles"], ["profile"], {"api/read"}),  # the client's own list wins
    ],
)
def test_without_the_roles_client_scope_nothing_is_deliverable(
    here: Path, client_scopes: list[str] | None, realm_scopes: list[str] | None, delivered: set[str]
) -> None:
    """The roles client scope holds the realm_access / resource_access mappers: without it no role is in
    the token, even with full scope allowed."""
    data = realm(users=[service_account(clientRoles={"api": ["read"]})])
    if client_scopes is not None:
        data["clients"][0]["defaultClientScopes"] = client_scopes
    if realm_scopes is not None:
        data["defaultDefaultClientScopes"] = realm_scopes
    model = model_of(write(here / "erp-realm.json", data))
    assert effective(model, "svc", "erp") == {"api/read"}
    assert deliverable(model, "svc", "erp") == delivered


def test_client_scope_mappings_are_keyed_by_the_role_owner(here: Path) -> None:
    data = realm(users=[service_account(clientRoles={"api": ["read", "write", "post"]}, realmRoles=["auditor"])])
    data["roles"]["realm"] = [{"name": "auditor"}, {"name": "other"}]
    data["clients"][0].update(fullScopeAllowed=False, defaultClientScopes=["roles", "gl"])
    data["clientScopeMappings"] = {
        "api": [
            {"client": "svc", "roles": ["read"]},  # api's role read, mapped to client svc
            {"clientScope": "gl", "roles": ["write"]},  # api's role write, mapped to svc's default scope gl
            {"clientScope": "not-svcs", "roles": ["post"]},  # a scope svc does not have
        ],
        "svc": [{"client": "api", "roles": ["post"]}],  # read the wrong way round, this would give svc post
    }
    data["scopeMappings"] = [{"client": "svc", "roles": ["auditor"]}, {"client": "api", "roles": ["other"]}]
    model = model_of(write(here / "erp-realm.json", data))
    assert effective(model, "svc", "erp") == {"api/read", "api/write", "api/post", "auditor"}
    assert deliverable(model, "svc", "erp") == {"api/read", "api/write", "auditor"}


def test_composites_of_a_scope_mapped_role_are_scope_mapped(here: Path) -> None:
    data = realm(users=[service_account(clientRoles={"api": ["poster"]})])
    data["roles"]["client"]["api"].append(
        {"name": "poster", "composite": True, "composites": {"client": {"api": ["read", "write", "poster"]}}}
    )
    data["clients"][0]["fullScopeAllowed"] = False
    data["clientScopeMappings"] = {"api": [{"client": "svc", "roles": ["poster"]}]}
    model = model_of(write(here / "erp-realm.json", data))
    assert deliverable(model, "svc", "erp") == {"api/poster", "api/read", "api/write"}


def test_composites_application_of_old_files(here: Path) -> None:
    data = realm(users=[service_account(realmRoles=["poster"])])
    data["roles"]["realm"] = [
        {"name": "poster", "composite": True, "composites": {"application": {"api": ["read", "write"]}}}
    ]
    model = model_of(write(here / "erp-realm.json", data))
    assert effective(model, "svc", "erp") == {"poster", "api/read", "api/write"}
    assert not model.references


@pytest.mark.parametrize(
    ("member_of", "expected"),
    [
        (["/finance/posting"], {"api/read", "api/write"}),
        (["finance/posting"], {"api/read", "api/write"}),  # hand-written: Keycloak reads it as /finance/posting
        (["/finance"], {"api/read"}),  # a parent does not get its subgroups' roles
        (["/finance/posting/approval"], {"api/read", "api/write", "api/post"}),
    ],
)
def test_groups_without_path_and_subgroups_inheriting_their_parents_roles(
    here: Path, member_of: list[str], expected: set[str]
) -> None:
    data = realm(
        groups=[
            {
                "name": "finance",
                "clientRoles": {"api": ["read"]},
                "subGroups": [
                    {
                        "name": "posting",
                        "clientRoles": {"api": ["write"]},
                        "subGroups": [{"name": "approval", "clientRoles": {"api": ["post"]}}],
                    }
                ],
            }
        ],
        users=[service_account(groups=member_of)],
    )
    model = model_of(write(here / "erp-realm.json", data))
    assert effective(model, "svc", "erp") == expected
    assert not model.references
    assert {"/finance", "/finance/posting", "/finance/posting/approval"} <= set(model.scoped_sets["erp"])


def test_a_group_the_realm_does_not_define_is_an_unknown_reference(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(here / "erp-realm.json", realm(users=[service_account(groups=["/nowhere"])]))
    write(here / "policy.yaml", policy("svc", ["erp"], ["api/read"]))
    code, out, _ = run(capsys, "check", "--no-config", "--no-color", ".")
    assert code == 1
    assert [line.split(" ", 3)[1:3] for line in pinned(out)] == [["error", "PC101"], ["error", "PC901"]]
    assert "'/nowhere'" in pinned(out)[1]


def test_composite_cycles_terminate_and_are_reported(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A real exported realm role lists itself in its composites; two roles can include each other."""
    path = here / "erp-realm.json"
    path.write_text(
        '{"realm": "erp",\n'
        ' "roles": {"realm": [\n'
        '   {"name": "a", "composite": true, "composites": {"realm": ["a", "b"]}},\n'
        '   {"name": "b", "composite": true, "composites": {"realm": ["a"], "client": {"api": ["read"]}}},\n'
        '   {"name": "c", "composite": true, "composites": {"realm": ["c"]}}],\n'
        '  "client": {"api": [{"name": "read"}]}},\n'
        ' "clients": [{"clientId": "svc", "serviceAccountsEnabled": true}],\n'
        ' "users": [{"username": "service-account-svc", "serviceAccountClientId": "svc", "realmRoles": ["a", "c"]}]}\n'
    )
    model = model_of(path)
    assert effective(model, "svc", "erp") == {"a", "b", "c", "api/read"}
    graph = {name: s.includes for name, s in model.scoped_sets["erp"].items()}
    assert sorted(cycles(graph)) == [("a", "a"), ("a", "b", "a"), ("c", "c")]
    write(here / "policy.yaml", policy("svc", ["erp"], ["api/read"]))
    code, out, _ = run(capsys, "check", "--no-config", "--no-color", ".")
    assert code == 1
    assert pinned(out) == [
        "erp-realm.json:3:4: error PC902 [erp] composite roles include each other in a cycle in erp: a -> a",
        "erp-realm.json:3:4: error PC902 [erp] composite roles include each other in a cycle in erp: a -> b -> a",
        "erp-realm.json:5:4: error PC902 [erp] composite roles include each other in a cycle in erp: c -> c",
    ]


def test_built_in_roles_referenced_but_not_defined(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """offline_access, uma_authorization, account/*, realm-management/* live in every realm; a partial
    export leaves them out. They are plain permissions (a PC906 note), not a crash or an error."""
    data = realm(
        users=[
            service_account(
                realmRoles=["default-roles-erp", "uma_authorization"],
                clientRoles={"realm-management": ["view-users"], "api": ["read"]},
            )
        ]
    )
    data["roles"]["realm"] = [
        {
            "name": "default-roles-erp",
            "composite": True,
            "composites": {"realm": ["offline_access"], "client": {"account": ["view-profile"]}},
        }
    ]
    write(here / "erp-realm.json", data)
    model = model_of(here / "erp-realm.json")
    assert effective(model, "svc", "erp") == {  # not the realm-specific name default-roles-erp itself
        "offline_access",
        "account/view-profile",
        "uma_authorization",
        "realm-management/view-users",
        "api/read",
    }
    assert sorted((r.kind, r.name) for r in model.references) == [
        ("built-in role", "account/view-profile"),
        ("built-in role", "offline_access"),
        ("built-in role", "realm-management/view-users"),
        ("built-in role", "uma_authorization"),
    ]
    write(here / "policy.yaml", policy("svc", ["erp"], ["api/read"]))
    code, out, _ = run(capsys, "check", "--no-config", "--no-color", "--fail-on", "error", ".")
    assert code == 0  # notes, not errors
    assert [line.split(" ")[1:3] for line in pinned(out)] == [["note", "PC906"]] * 4
    assert "'realm-management/view-users', which the export does not define" in out


def test_an_undefined_role_that_is_not_built_in_is_an_error(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(here / "erp-realm.json", realm(users=[service_account(realmRoles=["ghost"], clientRoles={"api": ["read"]})]))
    write(here / "policy.yaml", policy("svc", ["erp"], ["api/read"]))
    code, out, _ = run(capsys, "check", "--no-config", "--no-color", ".")
    assert code == 1
    (line,) = pinned(out)
    assert " error PC901 " in line and "'ghost'" in line


def test_a_users_file_joins_its_realm_from_the_same_folder(here: Path) -> None:
    """kc.sh export --dir writes users to <realm>-users-<n>.json by default."""
    write(here / "test" / "erp-realm.json", realm())
    write(
        here / "test" / "erp-users-0.json", {"realm": "erp", "users": [service_account(clientRoles={"api": ["read"]})]}
    )
    write(here / "test" / "erp-users-1.json", {"realm": "erp", "users": [{"username": "alice", "realmRoles": []}]})
    write(here / "prod" / "erp-realm.json", realm())
    write(here / "prod" / "other-users-0.json", {"realm": "other", "users": [service_account(realmRoles=["x"])]})
    write(here / "elsewhere" / "erp-users-0.json", {"realm": "erp", "users": [service_account(realmRoles=["x"])]})
    write(here / ".policycheck.yaml", "environments: {test/: test, prod/: prod}\n")
    model = model_of(here, identity=configured(here / ".policycheck.yaml"))
    assert effective(model, "svc", "test") == {"api/read"}
    assert effective(model, "svc", "prod") == set()  # neither the other realm's users nor another folder's
    (grant,) = (g for g in model.applications["svc"].grants if g.environments == ("test",))
    assert str(grant.source.location()) == "test/erp-users-0.json:4:3"


def test_masked_secrets_are_not_reported_and_real_ones_are_never_shown(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "s3cr3t-Client-VALUE-9f8e7d"
    password = "pa55-Word-VALUE-1a2b3c"
    data = realm(users=[service_account(clientRoles={"api": ["read"]}, credentials=[{"value": password}])])
    data["clients"][0]["secret"] = secret
    data["clients"][1]["secret"] = "**********"  # the admin console's partial export masks them
    data["identityProviders"] = [{"alias": "corp", "config": {"clientSecret": "**********"}}]
    text = json.dumps(data, indent=1)
    write(here / "erp-realm.json", text)
    write(here / "policy.yaml", policy("svc", ["erp"], ["api/read"]))
    secret_line = next(i for i, line in enumerate(text.splitlines(), 1) if secret in line)
    credentials_line = next(i for i, line in enumerate(text.splitlines(), 1) if '"credentials"' in line)
    for fmt in ("text", "json", "sarif", "junit", "github", "markdown"):
        code, out, err = run(capsys, "check", "--no-config", "--no-color", "--format", fmt, ".")
        assert code == 1, fmt
        assert secret not in out + err and password not in out + err, fmt
    code, out, _ = run(capsys, "check", "--no-config", "--format", "json", ".")
    found = [(f["subject"], f["location"]["line"]) for f in json.loads(out)["findings"] if f["rule"] == "PC907"]
    assert found == [("secret", secret_line), ("credentials", credentials_line)]


def test_masked_only_is_clean(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = realm(users=[service_account(clientRoles={"api": ["read"]})])
    data["clients"][0]["secret"] = "**********"
    write(here / "erp-realm.json", data)
    write(here / "policy.yaml", policy("svc", ["erp"], ["api/read"]))
    code, out, _ = run(capsys, "check", "--no-config", "--no-color", ".")
    assert (code, pinned(out)) == (0, [])


def _default_roles_realm(user: dict[str, Any] | None, legacy: bool) -> dict[str, Any]:
    data = realm(users=[user] if user else [])
    if legacy:  # before Keycloak 13, or hand-written: a list of role names
        data["roles"]["realm"] = [{"name": "reader", "composite": True, "composites": {"client": {"api": ["read"]}}}]
        data["defaultRoles"] = ["reader"]
    else:  # Keycloak 13 and later: one composite role default-roles-<realm>
        data["roles"]["realm"] = [
            {"name": "default-roles-erp", "composite": True, "composites": {"client": {"api": ["read"]}}}
        ]
        data["defaultRole"] = {"name": "default-roles-erp", "composite": True, "clientRole": False}
    return data


@pytest.mark.parametrize("legacy", [False, True], ids=["defaultRole", "defaultRoles"])
def test_default_roles_of_a_service_account_the_export_does_not_hold(here: Path, legacy: bool) -> None:
    """Keycloak creates the missing service-account user on import, with the realm's default roles."""
    model = model_of(write(here / "erp-realm.json", _default_roles_realm(None, legacy)))
    # default-roles-erp delivers what it includes (api/read), not its realm-specific name; the legacy
    # default role "reader" is an ordinary role
    assert effective(model, "svc", "erp") == ({"reader"} if legacy else set()) | {"api/read"}


@pytest.mark.parametrize("legacy", [False, True], ids=["defaultRole", "defaultRoles"])
def test_default_roles_of_an_exported_service_account_are_its_own(here: Path, legacy: bool) -> None:
    """An exported user lists the default role it holds; one that was removed from it is not granted."""
    default = "reader" if legacy else "default-roles-erp"
    holds = service_account(realmRoles=[default], clientRoles={"api": ["write"]})
    model = model_of(write(here / "erp-realm.json", _default_roles_realm(holds, legacy)))
    assert effective(model, "svc", "erp") == ({"reader"} if legacy else set()) | {"api/read", "api/write"}
    removed = service_account(clientRoles={"api": ["write"]})
    model = model_of(write(here / "erp-realm.json", _default_roles_realm(removed, legacy)))
    assert effective(model, "svc", "erp") == {"api/write"}


def test_a_client_without_a_service_account_is_no_application(here: Path) -> None:
    data = realm(users=[service_account(clientRoles={"api": ["read"]})])
    data["clients"][0]["serviceAccountsEnabled"] = "false"
    data["clients"].append({"clientId": "svc2", "serviceAccountsEnabled": "true"})
    model = model_of(write(here / "erp-realm.json", data))
    assert sorted(model.applications) == ["svc2"]


# --- Entra --------------------------------------------------------------------

ENTRA = EXAMPLES / "entra"


def test_entra_example_grants(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ENTRA)
    model = load_model(["."])
    grants = sorted(
        (g.environments, g.permission_set, g.status.value, str(g.source.location()))
        for g in model.applications["gl-integration"].grants
    )
    assert grants == [
        (("prod",), "gl-api/GL.Journal.Read", "approved", "prod-tenant.json:44:13"),
        (("prod",), "gl-api/GL.Journal.Write", "pending", "prod-tenant.json:48:13"),
        (("test",), "gl-api/GL.Journal.Read", "approved", "test-tenant.json:44:13"),
        (("test",), "gl-api/GL.Journal.Write", "approved", "test-tenant.json:48:13"),
    ]
    assert model.applications["gl-integration"].clients == {
        "test": "22222222-2222-4222-8222-000000000001",
        "prod": "22222222-2222-4222-8222-000000000002",
    }
    assert effective(model, "gl-integration", "test") == {"gl-api/GL.Journal.Read", "gl-api/GL.Journal.Write"}
    assert effective(model, "gl-integration", "prod") == {"gl-api/GL.Journal.Read"}
    assert "gl-api" not in model.applications  # an API that only exposes roles is no client


ENTRA_FINDINGS = [
    "prod-tenant.json:36:5: error PC101 [gl-integration prod gl.journal-entries.create] gl-integration cannot call "
    "POST /api/v1/generalLedger/journalEntries in prod: missing 'gl-api/GL.Journal.Write'",
    # test's grant, missing in prod: prod's own tenant file, where the grant is to be made
    "prod-tenant.json:36:5: error PC103 [gl-integration prod] gl-integration is granted 'gl-api/GL.Journal.Write' "
    "in test's own configuration but not in prod's",
    "prod-tenant.json:36:5: error PC104 [gl-integration prod] prod is not in parity with test: gl-integration has "
    "'gl-api/GL.Journal.Write' in test but not in prod",
    "prod-tenant.json:48:13: error PC102 [gl-integration prod gl.journal-entries.create] the grant of "
    "app role 'gl-api/GL.Journal.Write' to gl-integration is pending approval; 'gl.journal-entries.create' needs "
    "'gl-api/GL.Journal.Write' in prod",
]


def test_entra_example_check(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ENTRA)
    code, out, err = run(capsys, "check", ".", "--no-config", "--no-color")
    assert (code, err) == (1, "")
    assert pinned(out) == ENTRA_FINDINGS
    assert out.splitlines()[-1].endswith("1 application x 2 environments x 2 operations checked (4 bindings, 3 files)")
    assert "    fix: approve the pending grant of app role 'gl-api/GL.Journal.Write' for gl-integration in prod" in out


def entra(environment: str, client: dict[str, Any], sp: dict[str, Any], **top: Any) -> dict[str, Any]:
    """A tenant with API gl-api (app roles Read, Write; delegated scopes Scope.A, Scope.B) and one client."""
    return {
        "environment": environment,
        "applications": [
            {
                "appId": "api-app",
                "displayName": "gl-api",
                "appRoles": [{"id": "role-read", "value": "Read"}, {"id": "role-write", "value": "Write"}],
                "api": {
                    "oauth2PermissionScopes": [{"id": "scp-a", "value": "Scope.A"}, {"id": "scp-b", "value": "Scope.B"}]
                },
            },
            {"appId": "cli-app", "displayName": "svc", **client},
        ],
        "servicePrincipals": [
            {"id": "sp-api", "appId": "api-app", "displayName": "gl-api"},
            {"id": "sp-cli", "appId": "cli-app", "displayName": "svc", **sp},
        ],
        **top,
    }


def requests(*items: tuple[str, str]) -> dict[str, Any]:
    return {
        "requiredResourceAccess": [
            {"resourceAppId": "api-app", "resourceAccess": [{"id": i, "type": t} for i, t in items]}
        ]
    }


def grants_of(model: Model) -> list[tuple[str | None, str]]:
    return sorted((g.permission_set or g.permission, g.status.value) for g in model.applications["svc"].grants)


def test_entra_delegated_scopes_granted_or_only_requested(here: Path) -> None:
    data = entra(
        "test",
        requests(("scp-a", "Scope"), ("scp-b", "Scope")),
        {
            "oauth2PermissionGrants": [
                {
                    "clientId": "sp-cli",
                    "consentType": "AllPrincipals",
                    "resourceId": "sp-api",
                    "scope": " Scope.A  openid ",
                }
            ]
        },
    )
    model = model_of(write(here / "tenant.json", data))
    assert grants_of(model) == [("gl-api/Scope.A", "approved"), ("gl-api/Scope.B", "pending")]
    assert effective(model, "svc", "test") == {"gl-api/Scope.A"}


def test_entra_top_level_assignment_and_grant_lists(here: Path) -> None:
    data = entra(
        "test",
        requests(("role-read", "Role"), ("scp-a", "Scope")),
        {},
        appRoleAssignments=[{"principalId": "sp-cli", "resourceId": "sp-api", "appRoleId": "role-read"}],
        oauth2PermissionGrants=[{"clientId": "sp-cli", "resourceId": "sp-api", "scope": "Scope.A"}],
    )
    assert grants_of(model_of(write(here / "tenant.json", data))) == [
        ("gl-api/Read", "approved"),
        ("gl-api/Scope.A", "approved"),
    ]


def test_entra_granted_without_a_request_is_approved(here: Path) -> None:
    data = entra(
        "test",
        requests(("role-read", "Role")),
        {
            "appRoleAssignments": [
                {"principalId": "sp-cli", "resourceId": "sp-api", "appRoleId": "role-read"},
                {"principalId": "sp-cli", "resourceId": "sp-api", "appRoleId": "role-write"},
            ],
            "oauth2PermissionGrants": [{"clientId": "sp-cli", "resourceId": "sp-api", "scope": "Scope.A"}],
        },
    )
    model = model_of(write(here / "tenant.json", data))
    assert grants_of(model) == [
        ("gl-api/Read", "approved"),
        ("gl-api/Scope.A", "approved"),
        ("gl-api/Write", "approved"),
    ]


def test_entra_a_client_that_requests_nothing_but_holds_grants(here: Path) -> None:
    """Assigned by script (New-MgServicePrincipalAppRoleAssignment) without a manifest change: the client
    still holds the role and the consented scope, and is an application."""
    data = entra(
        "test",
        {},
        {
            "appRoleAssignments": [{"principalId": "sp-cli", "resourceId": "sp-api", "appRoleId": "role-write"}],
            "oauth2PermissionGrants": [
                {"clientId": "sp-cli", "resourceId": "sp-api", "scope": "Scope.B Unknown.Scope"}
            ],
        },
    )
    model = model_of(write(here / "tenant.json", data))
    assert grants_of(model) == [("gl-api/Scope.B", "approved"), ("gl-api/Write", "approved")]
    assert sorted(model.applications) == ["svc"]


def test_entra_guids_that_resolve_to_nothing_are_ignored(here: Path) -> None:
    client = {
        "requiredResourceAccess": [
            {
                "resourceAppId": "api-app",
                "resourceAccess": [
                    {"id": "role-read", "type": "Role"},
                    {"id": "no-such-role", "type": "Role"},
                    {"id": "role-read", "type": "Scope"},
                ],
            },
            {"resourceAppId": "no-such-app", "resourceAccess": [{"id": "role-read", "type": "Role"}]},
        ]
    }
    sp = {
        "appRoleAssignments": [
            {"principalId": "sp-cli", "resourceId": "sp-api", "appRoleId": "no-such-role"},
            {"principalId": "sp-cli", "resourceId": "no-such-sp", "appRoleId": "role-write"},
            {"principalId": "someone-else", "resourceId": "sp-api", "appRoleId": "role-write"},
        ],
        "oauth2PermissionGrants": [{"clientId": "sp-cli", "resourceId": "no-such-sp", "scope": "Scope.A"}],
    }
    model = model_of(write(here / "tenant.json", entra("test", client, sp)))
    assert grants_of(model) == [("gl-api/Read", "pending")]
    assert not model.references


def test_entra_environment_from_the_file_the_tenant_or_the_configuration(here: Path) -> None:
    data = entra("", requests(("role-read", "Role")), {})
    del data["environment"]
    write(here / "a" / "t.json", {**data, "tenant": "contoso-test.onmicrosoft.com"})
    write(here / "b" / "t.json", {**data, "tenant": "contoso.onmicrosoft.com"})
    write(here / ".policycheck.yaml", "environments: {contoso-test.onmicrosoft.com: test, b/: prod}\n")
    model = model_of(here, identity=configured(here / ".policycheck.yaml"))
    assert sorted(model.environments) == ["prod", "test"]
    assert model.applications["svc"].clients == {"test": "cli-app", "prod": "cli-app"}


# --- Infor .ionapi ------------------------------------------------------------

INFOR = EXAMPLES / "infor"
IONAPI_SECRETS = sorted(
    {
        json.loads((INFOR / name).read_text())[key]
        for name in ("GL-Integration_PRD.ionapi", "GL-Integration_TST.ionapi")
        for key in ("cs", "saak", "sask")
    }
)


def test_ionapi_example_environment_and_application(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(INFOR)
    model = load_model(["."])
    assert sorted(model.environments) == ["prod", "test"]  # ti ACME_PRD, ACME_TST: the suffix names it
    assert list(model.applications) == ["GL-Integration"]  # cn GL-Integration_PRD, _TST: one application
    application = model.applications["GL-Integration"]
    assert application.clients == {"prod": "ACME_PRD~Qp42exampleClientId", "test": "ACME_TST~Zx81exampleClientId"}
    # joined with the scope matrix's grants and scope requests
    assert dict(application.scopes) == {"test": ("Infor-GL",), "prod": ("Infor-GL",)}
    assert effective(model, "GL-Integration", "test") == {"Infor-GL", "Infor-GL-Write"}
    assert effective(model, "GL-Integration", "prod") == {"Infor-GL"}
    assert Resolver(model).deliverable("GL-Integration", "test") == (
        frozenset({"Infor-GL"}),
        {"Infor-GL-Write": Filter.SCOPE_REQUEST},
    )
    assert not model.duplicates


IONAPI_FINDINGS = [
    "GL-Integration_PRD.ionapi:6:3: warning PC907 'cs' holds a secret in a file that is checked in "
    "(policycheck dropped it unread)",
    "GL-Integration_PRD.ionapi:14:3: warning PC907 'saak' holds a secret in a file that is checked in "
    "(policycheck dropped it unread)",
    "GL-Integration_PRD.ionapi:15:3: warning PC907 'sask' holds a secret in a file that is checked in "
    "(policycheck dropped it unread)",
    "GL-Integration_TST.ionapi:6:3: warning PC907 'cs' holds a secret in a file that is checked in "
    "(policycheck dropped it unread)",
    "GL-Integration_TST.ionapi:14:3: warning PC907 'saak' holds a secret in a file that is checked in "
    "(policycheck dropped it unread)",
    "GL-Integration_TST.ionapi:15:3: warning PC907 'sask' holds a secret in a file that is checked in "
    "(policycheck dropped it unread)",
    "scope-matrix.yaml:15:5: error PC101 [GL-Integration prod gl.journal-entries.create] GL-Integration cannot call "
    "POST /GL/api/v1/generalLedger/journalEntries in prod: missing 'Infor-GL-Write'",
    "scope-matrix.yaml:15:5: error PC104 [GL-Integration prod] prod is not in parity with test: GL-Integration has "
    "'Infor-GL-Write' in test but not in prod",
    "scope-matrix.yaml:15:5: error PC202 [GL-Integration test gl.journal-entries.create] GL-Integration is granted "
    "what gl.journal-entries.create needs in test, but it never reaches the token: 'Infor-GL-Write' travels only in "
    "scope Infor-GL-Write, which GL-Integration does not request in test (scope=Infor-GL)",
    "scope-matrix.yaml:23:9: error PC103 [GL-Integration prod] GL-Integration is granted 'Infor-GL-Write' in test "
    "but not in prod, and prod does not inherit from test",
]


def test_ionapi_example_check(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(INFOR)
    code, out, err = run(capsys, "check", ".", "--no-config", "--no-color")
    assert (code, err) == (1, "")
    assert pinned(out) == IONAPI_FINDINGS
    assert out.splitlines()[-1].endswith("1 application x 2 environments x 1 operation checked (2 bindings, 4 files)")


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "github", "markdown"])
def test_ionapi_secrets_appear_in_no_output(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str
) -> None:
    assert len(IONAPI_SECRETS) == 4  # cs and sask are the same in both files
    monkeypatch.chdir(INFOR)
    report = tmp_path / f"report.{fmt}"
    code, out, err = run(capsys, "check", ".", "--no-config", "--format", fmt, "--format", f"{fmt}={report}")
    assert code == 1
    written = report.read_text(encoding="utf-8")
    for value in IONAPI_SECRETS:
        for text in (out, err, written):
            assert value not in text
            assert value.split("#")[-1] not in text  # nor the key part of saak (<TENANT>#<key>)
    if fmt == "json":
        pc907 = [(f["subject"], f["location"]["path"]) for f in json.loads(out)["findings"] if f["rule"] == "PC907"]
        assert pc907 == [
            (key, f"GL-Integration_{env}.ionapi") for env in ("PRD", "TST") for key in ("cs", "saak", "sask")
        ]
    if fmt == "sarif":
        results = json.loads(out)["runs"][0]["results"]
        assert sum(r["ruleId"] == "PC907" for r in results) == 6


def test_ionapi_secrets_are_dropped_before_the_model() -> None:
    path = INFOR / "GL-Integration_PRD.ionapi"
    doc = load("GL-Integration_PRD.ionapi", path.read_bytes(), Limits(), SECRET_KEYS, as_json=True)
    assert sorted(doc.data) == ["ci", "cn", "dt", "ev", "iu", "oa", "or", "ot", "pu", "ti", "v"]
    assert [key for key, _, _ in doc.secrets] == ["cs", "saak", "sask"]
    model = assemble([], read_vendor([(doc, "ionapi")], Identity()), [doc])
    assert not any(value in repr(model) for value in IONAPI_SECRETS)


def test_ionapi_without_tenant_takes_the_environment_from_the_name(here: Path) -> None:
    write(here / "app.ionapi", {"cn": "Sync_TST", "ci": "X~1", "pu": "https://sso/X/as/", "cs": "**********"})
    model = model_of(here / "app.ionapi")
    assert list(model.environments) == ["test"]
    assert model.applications["Sync"].clients == {"test": "X~1"}
    assert not model.secrets  # masked


# --- identity and configuration -----------------------------------------------


def test_environments_folder_map_and_realm_name_map(here: Path) -> None:
    write(here / "exports" / "a" / "erp-realm.json", realm("erp"))
    write(here / "exports" / "b" / "erp-realm.json", realm("erp"))
    write(here / "exports" / "erp-one-realm.json", realm("erp-one"))
    write(here / "exports" / "erp-two-realm.json", realm("erp-two"))
    write(here / "exports" / "c" / "erp-two-realm.json", realm("erp-two"))
    write(
        here / ".policycheck.yaml",
        "environments:\n  exports/a/: dev\n  exports/b: qa\n  exports/c/: staging\n  erp-one: test\n  erp-two: prod\n",
    )
    model = model_of(here / "exports", identity=configured(here / ".policycheck.yaml"))
    # folders (with or without the trailing slash) first, then the realm name: c/ wins over erp-two
    assert model.applications["svc"].clients == {e: "svc" for e in ("dev", "qa", "test", "prod", "staging")}
    assert not model.duplicates


def test_folder_map_is_relative_to_the_configuration_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Run from a subdirectory: the folder map still means folders next to the configuration file."""
    write(tmp_path / "gw" / "test" / "erp-realm.json", realm(users=[service_account(clientRoles={"api": ["read"]})]))
    write(tmp_path / "gw" / "prod" / "erp-realm.json", realm(users=[service_account()]))
    write(tmp_path / "policies" / "policy.yaml", policy("svc", ["test", "prod"], ["api/read"]))
    write(tmp_path / ".policycheck.yaml", "paths: [gw, policies]\nenvironments: {gw/test/: test, gw/prod/: prod}\n")
    monkeypatch.chdir(tmp_path / "policies")
    code, out, _ = run(capsys, "check", "--no-color")
    assert code == 1
    assert pinned(out) == [
        "../gw/prod/erp-realm.json:20:3: error PC101 [svc prod op0] svc cannot call GET /op0 in prod: missing "
        "'api/read'",
        "../gw/prod/erp-realm.json:20:3: error PC103 [svc prod] svc is granted 'api/read' in test's own configuration "
        "but not in prod's",  # in prod's own realm file, where the grant is to be made
    ]


def test_applications_alias_map_makes_two_clients_one_application(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    test = realm("erp-test", users=[service_account("glsync", clientRoles={"api": ["read", "write"]})])
    test["clients"][0]["clientId"] = "glsync"
    prod = realm("erp-prod", users=[service_account("gl-integration", clientRoles={"api": ["read"]})])
    prod["clients"][0]["clientId"] = "gl-integration"
    write(here / "test-realm.json", test)
    write(here / "prod-realm.json", prod)
    write(here / "policy.yaml", policy("gl-integration", ["test", "prod"], ["api/read"], parity=True))
    write(here / ".policycheck.yaml", "paths: [.]\napplications: {glsync: gl-integration}\n")
    model = model_of(here, identity=configured(here / ".policycheck.yaml"))
    assert sorted(model.applications) == ["gl-integration"]
    assert model.applications["gl-integration"].clients == {"test": "glsync", "prod": "gl-integration"}
    code, out, _ = run(capsys, "check", "--no-color")
    assert code == 1
    assert pinned(out) == [
        "prod-realm.json:20:3: error PC104 [gl-integration prod] prod is not in parity with test: gl-integration "
        "has 'api/write' in test but not in prod"
    ]
    # without the alias they are two applications, and the policy's gl-integration has no client in test
    write(here / ".policycheck.yaml", "paths: [.]\n")
    code, out, _ = run(capsys, "check", "--no-color")
    assert code == 1 and "PC104" not in out and "not assigned to it" in out


def test_environment_suffixes_override_the_defaults(here: Path) -> None:
    ionapi = {"ci": "c", "pu": "https://sso/as/", "iu": "https://gw"}
    write(here / "one.ionapi", {**ionapi, "ti": "ACME_PRODUCTION", "cn": "Sync_PRODUCTION"})
    write(here / "two.ionapi", {**ionapi, "ti": "ACME_PRD", "cn": "Sync_PRD"})
    write(here / ".policycheck.yaml", "environment-suffixes: {_PRODUCTION: prod, _STAGING: test}\n")
    model = model_of(here, identity=configured(here / ".policycheck.yaml"))
    # only the configured suffixes: _PRD is no longer one
    assert sorted(model.environments) == ["ACME_PRD", "prod"]
    assert sorted(model.applications) == ["Sync", "Sync_PRD"]
    model = model_of(here)  # the defaults: _PRD is prod; _PRODUCTION is not a suffix
    assert sorted(model.environments) == ["ACME_PRODUCTION", "prod"]


@pytest.mark.parametrize(
    ("name", "split"),
    [
        ("GL-Integration_PRD", ("GL-Integration", "prod")),
        ("ACME_TST", ("ACME", "test")),
        ("gl-sync-prod", ("gl-sync", "prod")),
        ("GL_PROD", ("GL", "prod")),  # the longest suffix: _PROD, not a shorter one
        ("_PRD", ("_PRD", None)),  # a name that is only a suffix keeps it
        ("erp", ("erp", None)),
        ("gl-##ENV##", ("gl-##ENV##", None)),  # placeholders stay symbolic
        ("ACME_prd", ("ACME_prd", None)),  # suffixes are case-sensitive
    ],
)
def test_identity_split(name: str, split: tuple[str, str | None]) -> None:
    assert Identity().split(name) == split


def test_identity_application_and_environment() -> None:
    identity = Identity(
        aliases={"ACME_PRD~x": "gl", "Sync": "sync-app"},
        suffixes=DEFAULT_SUFFIXES,
        environments={"exports/prod/": "prod", "erp": "test"},
    )
    assert identity.application("ACME_PRD~x") == "gl"  # an exact alias first
    assert identity.application("Sync_TST") == "sync-app"  # then the alias of the name without its suffix
    assert identity.application("Other_TST") == "Other"
    assert identity.environment("erp", "exports/prod/erp-realm.json") == "prod"
    assert identity.environment("erp", "exports/production/erp-realm.json") == "test"  # a prefix of folders only
    assert identity.environment("erp-x_DEV", "x.json") == "dev"
    assert identity.environment("erp-x", "x.json") == "erp-x"


def test_config_rejects_a_map_that_is_not_names(here: Path) -> None:
    write(here / ".policycheck.yaml", "applications: [a, b]\n")
    with pytest.raises(InputError, match="applications: expected a mapping of names to names"):
        config.load(str(here / ".policycheck.yaml"))


# --- format detection and --input-format --------------------------------------


@pytest.mark.parametrize(
    ("data", "path", "expected"),
    [
        ({"realm": "erp", "roles": {}}, "x.json", "keycloak"),
        ([{"realm": "a", "clients": []}, {"realm": "b", "users": []}], "x.json", "keycloak"),
        ({"realm": "erp"}, "x.json", None),  # a name only: nothing to read
        ({"realm": 1, "roles": {}}, "x.json", None),
        ([], "x.json", None),
        ({"ti": "T", "ci": "c", "pu": "https://x/"}, "creds.json", "ionapi"),
        ({"anything": 1}, "a.ionapi", "ionapi"),
        ({"applications": [{"appId": "x"}]}, "t.json", "entra"),
        ({"servicePrincipals": [{"appRoles": []}]}, "t.json", "entra"),
        ({"applications": [{"name": "x"}]}, "t.json", None),
        ({"apiVersion": "policycheck/v1", "kind": "GatewayExport"}, "e.json", None),
    ],
)
def test_detect(data: Any, path: str, expected: str | None) -> None:
    assert detect(data, path) == expected


NOT_OURS = (
    "not a policycheck file (apiVersion: policycheck/v1) or an export policycheck reads (Keycloak, Entra, .ionapi, "
    "Kong decK, Auth0 Deploy CLI, Apigee, Azure API Management; force one with --input-format)"
)


def test_an_unrecognised_json_file_named_explicitly_is_refused(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(here / "policy.yaml", policy("svc", ["erp"], ["api/read"]))
    write(here / "other.json", {"name": "x", "version": 1})
    assert run(capsys, "check", "--no-config", "policy.yaml", "other.json") == (
        2,
        "",
        f"policycheck: other.json:1:1: {NOT_OURS}\n",
    )


def test_input_format_on_a_file_of_another_format_is_refused(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(here / "policies" / "policy.yaml", policy("svc", ["erp"], ["api/read"]))
    write(here / "tenant.json", entra("erp", requests(("role-read", "Role")), {}))
    code, out, err = run(capsys, "check", "--no-config", "--input-format", "keycloak", "policies", "tenant.json")
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "policycheck: tenant.json:1:1: not an export of format keycloak (--input-format keycloak)"
    ]


def test_input_format_reads_a_named_file_as_that_format(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(here / "policies" / "policy.yaml", policy("Sync", ["test"], ["api/read"]))
    write(here / "creds.json", {"ti": "ACME_TST", "cn": "Sync_TST", "ci": "ACME_TST~x", "pu": "https://sso/as/"})
    code, out, _ = run(
        capsys, "check", "--no-config", "--no-color", "--input-format", "ionapi", "policies", "creds.json"
    )
    assert code == 1
    assert headers(out)[0].startswith("creds.json:") and "missing 'api/read'" in headers(out)[0]


def test_a_keycloak_file_in_a_searched_directory_is_found_by_content(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(here / "repo" / "policy.yaml", policy("svc", ["erp"], ["api/read"]))
    write(
        here / "repo" / "realm-config" / "erp" / "whatever-name.json",
        realm(users=[service_account(clientRoles={"api": ["read"]})]),
    )
    write(here / "repo" / "package.json", {"name": "x", "version": "1.0.0"})  # another tool's file: skipped
    write(here / "repo" / "tsconfig.json", {"compilerOptions": {}, "realm": "not keycloak"})  # mentions "realm"
    code, out, err = run(capsys, "check", "--no-config", "--no-color", "repo")
    assert (code, err) == (0, "")
    assert out.splitlines()[-1].endswith("(1 binding, 2 files)")


BAD_SHAPES = [
    (
        "role-without-name",
        '{"realm": "erp", "roles": {"realm": [{"description": "x"}]}}',
        "x.json",
        "1:38: roles.realm[0]: missing required key 'name'",
    ),
    (
        "client-without-id",
        '{"realm": "erp", "clients": [{"serviceAccountsEnabled": true}]}',
        "x.json",
        "1:30: clients[0]: missing required key 'clientId'",
    ),
    (
        "clients-mapping",
        '{"realm": "erp", "clients": {"a": 1}}',
        "x.json",
        "1:18: clients: expected a list, got a mapping",
    ),
    ("roles-list", '{"realm": "erp", "roles": []}', "x.json", "1:18: roles: expected a mapping, got a list"),
    (
        "role-names-string",
        '{"realm": "erp", "groups": [{"name": "g", "realmRoles": "admin"}]}',
        "x.json",
        "1:43: groups[0].realmRoles: expected a list, got a string",
    ),
    (
        "second-realm",
        '[{"realm": "a", "roles": {}},\n {"realm": "b", "users": [{"realmRoles": [null]}]}]',
        "x.json",
        "2:43: [1].users[0].realmRoles[0]: expected a string, got null",
    ),
    (
        "entra-access",
        '{"applications": [{"appId": "x", "requiredResourceAccess": [{"resourceAppId": "y", "resourceAccess": "bad"}]}]}',
        "x.json",
        "1:84: applications[0].requiredResourceAccess[0].resourceAccess: expected a list, got a string",
    ),
    (
        "entra-scope",
        '{"servicePrincipals": [{"appId": "x", "oauth2PermissionGrants": [{"scope": ["a"]}]}]}',
        "x.json",
        "1:67: servicePrincipals[0].oauth2PermissionGrants[0].scope: expected a string, got a list",
    ),
    ("ionapi-client", '{"ti": "A_PRD", "ci": ["x"], "pu": "p"}', "x.json", "1:17: ci: expected a string, got a list"),
    ("ionapi-list", "[1, 2]", "x.ionapi", "1:1: expected a mapping, got a list"),
]


@pytest.mark.parametrize(("content", "name", "message"), [c[1:] for c in BAD_SHAPES], ids=[c[0] for c in BAD_SHAPES])
def test_a_vendor_file_of_the_wrong_shape_is_bad_input(
    here: Path, capsys: pytest.CaptureFixture[str], content: str, name: str, message: str
) -> None:
    """A field the importer reads, of another type: exit 2 with where and what, never an internal error."""
    write(here / "policy.yaml", policy("svc", ["erp"], ["api/read"]))
    write(here / name, content)
    assert run(capsys, "check", "--no-config", "policy.yaml", name) == (2, "", f"policycheck: {name}:{message}\n")


def test_null_is_absent_in_a_vendor_file(here: Path) -> None:
    data = realm(users=[service_account(clientRoles={"api": ["read"], "other": None}, realmRoles=None)])
    data.update(groups=None, scopeMappings=None, clientScopeMappings={"api": None})
    data["roles"]["client"]["other"] = None
    model = model_of(write(here / "erp-realm.json", data))
    assert effective(model, "svc", "erp") == {"api/read"}


def test_read_vendor_joins_users_to_their_realm(here: Path) -> None:
    """The importer API without files on disk: parsed documents in, export parts out."""
    docs = [
        (load("a/erp-realm.json", json.dumps(realm()).encode(), Limits(), SECRET_KEYS), "keycloak"),
        (
            load(
                "a/erp-users-0.json",
                json.dumps({"realm": "erp", "users": [service_account(clientRoles={"api": ["read"]})]}).encode(),
                Limits(),
                SECRET_KEYS,
            ),
            "keycloak",
        ),
    ]
    parts = read_vendor(docs, Identity())
    assert len(parts) == 1
    model = assemble([], parts, [d for d, _ in docs])
    assert effective(model, "svc", "erp") == {"api/read"}


# --- property: random role graphs ---------------------------------------------

REALM_ROLES = ("r0", "r1", "r2", "r3", "r4")
API_ROLES = ("c0", "c1", "c2")
OWN_ROLES = ("o0",)
GHOSTS = ("ghost", "offline_access")  # referenced, never defined: an unknown role and a built-in one


def _role_refs() -> st.SearchStrategy[list[str]]:
    names = [*REALM_ROLES, *(f"api/{r}" for r in API_ROLES), *(f"svc/{r}" for r in OWN_ROLES), *GHOSTS]
    return st.lists(st.sampled_from(names), max_size=4, unique=True)


def _split(refs: list[str]) -> dict[str, Any]:
    """Realm and client role references as Keycloak writes them."""
    out: dict[str, Any] = {"realm": [r for r in refs if "/" not in r]}
    for r in refs:
        if "/" in r:
            client, name = r.split("/")
            out.setdefault("client", {}).setdefault(client, []).append(name)
    return out


@st.composite
def _groups(draw: st.DrawFn, depth: int = 0) -> list[dict[str, Any]]:
    groups = []
    for i in range(draw(st.integers(0, 2 if depth < 2 else 0))):
        refs = _split(draw(_role_refs()))
        group: dict[str, Any] = {
            "name": f"g{depth}{i}",
            "realmRoles": refs["realm"],
            "clientRoles": refs.get("client", {}),
        }
        if draw(st.booleans()):
            group["subGroups"] = draw(_groups(depth + 1))
        groups.append(group)
    return groups


def _paths(groups: list[dict[str, Any]], parent: str = "") -> Iterator[tuple[str, dict[str, Any], str]]:
    for g in groups:
        path = f"{parent}/{g['name']}"
        yield path, g, parent
        yield from _paths(g.get("subGroups") or [], path)


@st.composite
def realms(draw: st.DrawFn) -> dict[str, Any]:
    def role(name: str) -> dict[str, Any]:
        refs = draw(_role_refs())  # self-references and cycles included
        return {"name": name, "composite": bool(refs), "composites": _split(refs)}

    groups = draw(_groups())
    paths = [p for p, _, _ in _paths(groups)]
    refs = _split(draw(_role_refs()))
    user = {
        "username": "service-account-svc",
        "serviceAccountClientId": "svc",
        "realmRoles": refs["realm"],
        "clientRoles": refs.get("client", {}),
        "groups": draw(st.lists(st.sampled_from(paths), max_size=2, unique=True)) if paths else [],
    }
    client: dict[str, Any] = {"clientId": "svc", "serviceAccountsEnabled": True}
    full_scope = draw(st.sampled_from([None, True, False, "false", "true"]))
    if full_scope is not None:
        client["fullScopeAllowed"] = full_scope
    client["defaultClientScopes"] = draw(st.sampled_from([["roles", "s"], ["profile"], ["roles"]]))
    data: dict[str, Any] = {
        "realm": "erp",
        "roles": {
            "realm": [role(r) for r in REALM_ROLES],
            "client": {"api": [role(r) for r in API_ROLES], "svc": [role(r) for r in OWN_ROLES]},
        },
        "groups": groups,
        "clients": [client, {"clientId": "api"}],
        "scopeMappings": [{"client": "svc", "roles": draw(st.lists(st.sampled_from(REALM_ROLES), max_size=2))}],
        "clientScopeMappings": {
            "api": [
                {"client": "svc", "roles": draw(st.lists(st.sampled_from(API_ROLES), max_size=2))},
                {"clientScope": "s", "roles": draw(st.lists(st.sampled_from(API_ROLES), max_size=2))},
            ]
        },
    }
    if draw(st.booleans()):
        data["users"] = [user]
        data["defaultRole"] = {"name": "r0"}  # an exported user lists its roles itself
    else:
        data["defaultRoles"] = ["r1"]  # no user: Keycloak creates it with the default roles
    return data


def _oracle(data: dict[str, Any]) -> tuple[set[str], set[str]]:
    """Brute force: (effective, deliverable) roles of the service account, straight from the realm dict."""
    composites: dict[str, list[str]] = {}
    for r in data["roles"]["realm"]:
        composites[r["name"]] = _flat(r["composites"])
    for client, roles in data["roles"]["client"].items():
        for r in roles:
            composites[f"{client}/{r['name']}"] = _flat(r["composites"])

    def closure(start: list[str]) -> set[str]:
        seen: set[str] = set()
        todo = list(start)
        while todo:
            r = todo.pop()
            if r not in seen and (r in composites or r == "offline_access"):  # a built-in is a plain permission
                seen.add(r)
                todo.extend(composites.get(r, []))
        return seen

    users = data.get("users") or []
    if users:
        user = users[0]
        direct = _flat({"realm": user["realmRoles"], "client": user["clientRoles"]})
        by_path = {p: (g, parent) for p, g, parent in _paths(data["groups"])}
        for path in user["groups"]:
            while path:  # the group and every ancestor
                g, path = by_path[path]
                direct += _flat({"realm": g["realmRoles"], "client": g["clientRoles"]})
    else:
        direct = list(data["defaultRoles"])
    held = closure(direct)
    client = data["clients"][0]
    if "roles" not in client["defaultClientScopes"]:
        return held, set()
    if str(client.get("fullScopeAllowed", True)).lower() != "false":
        return held, held
    mapped = [f"svc/{r}" for r in OWN_ROLES] + list(data["scopeMappings"][0]["roles"])
    for entry in data["clientScopeMappings"]["api"]:
        if entry.get("client") == "svc" or entry.get("clientScope") in client["defaultClientScopes"]:
            mapped += [f"api/{r}" for r in entry["roles"]]
    allowed: set[str] = set()
    todo = mapped
    while todo:
        r = todo.pop()
        if r not in allowed:
            allowed.add(r)
            todo.extend(composites.get(r, []))
    return held, held & allowed


def _flat(refs: dict[str, Any]) -> list[str]:
    out = list(refs.get("realm") or [])
    for client, names in (refs.get("client") or {}).items():
        out += [f"{client}/{n}" for n in names]
    return out


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(realms())
def test_random_realms_resolve_to_the_brute_force_closure(data: dict[str, Any]) -> None:
    doc = load("erp-realm.json", json.dumps(data).encode(), Limits(), SECRET_KEYS)
    parts = read_vendor([(doc, "keycloak")], Identity())
    model = assemble([], parts, [doc])
    resolver = Resolver(model)
    held, delivered = _oracle(data)
    assert set(resolver.effective("svc", "erp").permissions) == held
    assert set(resolver.deliverable("svc", "erp")[0]) == delivered
    # every effective permission has a derivation from one of the service account's grants
    resolution = resolver.effective("svc", "erp")
    for permission in held:
        assert resolution.derivations(permission)
    cycles({name: s.includes for name, s in model.permission_sets.items()})  # terminates


# --- docs/importers.md --------------------------------------------------------

DOC = ROOT / "docs" / "importers.md"


def _fenced(text: str) -> list[tuple[str, str]]:
    return re.findall(r"^```(\w*)\n(.*?)^```$", text, flags=re.M | re.S)


def test_importers_doc_quotes_real_output(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Each `$ policycheck check ...` in the page prints the lines shown under it, in order."""
    monkeypatch.chdir(ROOT)
    runs = 0
    for _, body in _fenced(DOC.read_text(encoding="utf-8")):
        commands: list[tuple[str, list[str]]] = []
        for line in body.splitlines():
            if line.startswith("$ "):
                commands.append((line[2:], []))
            elif commands:
                commands[-1][1].append(line)
        for command, shown in commands:
            if not command.startswith("policycheck check "):
                continue
            runs += 1
            capsys.readouterr()
            main([*shlex.split(command)[1:], "--no-color"])
            real = iter(capsys.readouterr().out.splitlines())
            for line in shown:
                assert any(line == r for r in real), f"`{command}` does not print: {line}"
    assert runs >= 3


def test_importers_doc_excerpts_are_verbatim() -> None:
    excerpts = 0
    for _, body in _fenced(DOC.read_text(encoding="utf-8")):
        match = re.match(r"^(?:#|//) (\S+) \(excerpt\)\n", body)
        if match:
            excerpts += 1
            source = (ROOT / match.group(1)).read_text(encoding="utf-8")
            assert ("\n" + body[match.end() :]) in ("\n" + source), match.group(1)
    assert excerpts >= 1


def test_importers_doc_has_no_complete_policycheck_documents() -> None:
    for info, body in _fenced(DOC.read_text(encoding="utf-8")):
        assert not (info == "yaml" and "apiVersion: policycheck/v1" in body), body[:80]
