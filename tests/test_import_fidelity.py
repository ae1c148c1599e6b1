"""Fidelity of the loaders to the files users have: secrets that are not secrets, files that are not
skipped in silence, the listing of what was read, Keycloak YAML (keycloak-config-cli and the
operator's KeycloakRealmImport), Entra as exported (one object, EntraExporter's tree), explain's
unknown names and the section counts of every import.

Fixtures are written in the vendors' own shapes (Keycloak's `"key" : value` pretty printer, Graph
objects with their GUIDs and `@odata` keys), but by hand: no real export is copied.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from policycheck.cli import main
from policycheck.loading.export import SECRET_KEYS
from policycheck.loading.inputs import load_model
from policycheck.loading.limits import Limits
from policycheck.loading.source import load

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "policies" / "examples"


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def pretty(data: Any) -> str:
    """JSON as Keycloak's exporter writes it (Jackson's pretty printer: `"key" : value`, `[ ]`)."""
    return json.dumps(data, indent=2).replace('": ', '" : ').replace("[]", "[ ]")


def secrets_of(path: str, raw: str) -> list[tuple[str, int, int]]:
    return list(load(path, raw.encode(), Limits(), SECRET_KEYS).secrets)


# --- 1. secrets that are none, secrets at their place, names that are data ---------------------------


def kc_user(name: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": f"0c0f7a52-{abs(hash(name)) % 10**4:04d}-4b1e-9d7e-5a1f2b3c4d5e",
        "username": name,
        "enabled": True,
        "totp": False,
        "emailVerified": True,
        "email": f"{name}@example.com",
        "credentials": [],
        "disableableCredentialTypes": [],
        "requiredActions": [],
        "realmRoles": ["default-roles-erp"],
        "notBefore": 0,
        "groups": [],
        **fields,
    }


def test_empty_credentials_of_regular_users_are_no_secret() -> None:
    """`kc.sh export` writes `"credentials" : [ ]` for every user without a password: no PC907."""
    users = {"realm": "erp", "users": [kc_user(f"user{i}") for i in range(22)]}
    assert secrets_of("erp-users-0.json", pretty(users)) == []
    yaml_text = "realm: erp\nusers:\n  - username: alice\n    credentials: []\n  - username: bob\n    credentials: {}\n"
    assert secrets_of("realm.yaml", yaml_text) == []


def test_a_real_password_among_empty_credentials_is_reported_at_its_key() -> None:
    users = {
        "realm": "erp",
        "users": [
            kc_user("alice"),
            kc_user("bob", credentials=[{"type": "password", "value": "Winter2026!", "temporary": False}]),
        ],
    }
    text = pretty(users)
    found = secrets_of("erp-users-0.json", text)
    assert len(found) == 1
    key, line, column = found[0]
    assert key == "credentials"
    assert text.splitlines()[line - 1][column - 1 :] == '"credentials" : ['
    assert "Winter2026" in "".join(text.splitlines()[line - 1 : line + 4])  # bob's, not alice's empty one


def test_a_value_that_is_the_word_secret_does_not_take_the_position_of_the_key() -> None:
    """`"requiredCredentials" : [ "password" ]` opens every realm export; the SMTP password comes later."""
    realm = {
        "realm": "erp",
        "requiredCredentials": ["password"],
        "attributes": {"vault.kind": "secret"},
        "smtpServer": {"host": "smtp.example.com", "user": "keycloak", "password": "smtp-pa55"},
        "clients": [
            {"clientId": "gl-integration", "secret": "**********"},
            {"clientId": "etl", "secret": "3tl-s3cr3t"},
        ],
    }
    text = pretty(realm)
    found = secrets_of("erp-realm.json", text)
    lines = text.splitlines()
    assert [k for k, _, _ in found] == ["password", "secret"]
    for key, line, column in found:
        assert lines[line - 1][column - 1 :].startswith(f'"{key}" : ')
    assert "smtp-pa55" in lines[found[0][1] - 1]
    assert "3tl-s3cr3t" in lines[found[1][1] - 1]  # the unmasked one, not the masked one before it


def test_placeholders_and_secret_references_are_no_secret() -> None:
    text = pretty({"realm": "erp", "clients": [{"clientId": "a", "secret": "$(env:GL_SECRET)"}, {"secret": "${S}"}]})
    assert secrets_of("realm.json", text) == []
    ref = "spec:\n  placeholders:\n    DB:\n      secret:\n        name: keycloak-db\n        key: password\n"
    assert secrets_of("import.yaml", ref) == []


NAMED_ENVIRONMENT_EXPORT = """\
apiVersion: policycheck/v1
kind: GatewayExport
environments:
  - name: test
  - name: secret
applications:
  - id: vault-sync
    clients:
      test: ACME_TST~vault-sync
      secret: ACME_SEC~vault-sync
    client_secret: real-value-1
    scopes:
      secret: Vault.Read
    delivery:
      secret: [Vault Read]
    grants:
      - permission: Vault Read
        status: approved
        environments: [test, secret]
"""

NAMED_ENVIRONMENT_POLICY = """\
apiVersion: policycheck/v1
kind: Policy
permissions:
  - name: Vault Read
operations:
  - id: vault.read
    request: GET /vault
    requires:
      permissions: Vault Read
    environments:
      secret:
        scopes: [Vault.Read]
environments:
  - name: test
  - name: secret
bindings:
  - application: vault-sync
    environments: [test, secret]
    operations: [vault.read]
"""


@pytest.mark.parametrize("as_json", [False, True])
def test_an_environment_called_secret_is_kept_as_a_name(here: Path, as_json: bool) -> None:
    import yaml

    if as_json:
        write(here / "export.json", json.dumps(yaml.safe_load(NAMED_ENVIRONMENT_EXPORT), indent=1))
        write(here / "policy.json", json.dumps(yaml.safe_load(NAMED_ENVIRONMENT_POLICY), indent=1))
    else:
        write(here / "export.yaml", NAMED_ENVIRONMENT_EXPORT)
        write(here / "policy.yaml", NAMED_ENVIRONMENT_POLICY)
    model = load_model(["."])
    text = (here / ("export.json" if as_json else "export.yaml")).read_text()
    secret_line = next(i for i, line in enumerate(text.splitlines(), 1) if "real-value-1" in line)
    app = model.applications["vault-sync"]
    assert dict(app.clients) == {"test": "ACME_TST~vault-sync", "secret": "ACME_SEC~vault-sync"}
    assert app.scopes == {"secret": ("Vault.Read",)}
    assert app.delivery == {"secret": ("Vault Read",)}
    assert set(model.operations["vault.read"].overrides) == {"secret"}
    # the real client_secret is still dropped and reported, at its own line
    assert [(s.key, s.source.location().line) for s in model.secrets] == [("client_secret", secret_line)]


def test_keycloak_client_named_secret_keeps_its_roles(here: Path) -> None:
    realm = {
        "realm": "erp",
        "roles": {"client": {"secret": [{"name": "read"}], "gl-api": [{"name": "gl:read"}]}},
        "clients": [{"clientId": "svc", "serviceAccountsEnabled": True, "secret": "real-client-secret"}],
        "users": [
            {"username": "service-account-svc", "serviceAccountClientId": "svc", "clientRoles": {"secret": ["read"]}}
        ],
    }
    write(here / "erp-realm.json", pretty(realm))
    model = load_model(["erp-realm.json"])
    assert "secret/read" in model.scoped_sets["erp"]
    assert [g.permission_set for g in model.applications["svc"].grants] == ["secret/read"]
    assert [s.key for s in model.secrets] == ["secret"]
    line = model.secrets[0].source.location().line
    assert "real-client-secret" in (here / "erp-realm.json").read_text().splitlines()[line - 1]


# --- 2. no silent pass: files that look like ours, vendors we do not read, unreadable folders ---------

POLICY = """\
apiVersion: policycheck/v1
kind: Policy
permissions:
  - name: Items Read
operations:
  - id: items.list
    request: GET /items
    requires:
      permissions: Items Read
environments:
  - name: prod
bindings:
  - application: app
    environments: [prod]
    operations: [items.list]
"""

EXPORT = """\
apiVersion: policycheck/v1
kind: GatewayExport
environments:
  - name: prod
applications:
  - id: app
    clients:
      prod: app-prod
    grants:
      - permission: Items Read
        status: approved
"""

MORE_BINDINGS = """\
kind: Policy
operations:
  - id: items.delete
    request: DELETE /items/{id}
    requires:
      permissions: Items Read
bindings:
  - application: app
    environments: [prod]
    operations: [items.delete]
"""


@pytest.fixture
def gateway(here: Path) -> Path:
    write(here / "gw" / "policy.yaml", POLICY)
    write(here / "gw" / "export.yaml", EXPORT)
    return here / "gw"


@pytest.mark.parametrize(
    ("head", "where", "got"),
    [
        ("", "gw/more.yaml:1:1", "no apiVersion"),
        ("apiVersion: policychek/v1\n", "gw/more.yaml:1:1", "another apiVersion"),
        ("apiVersion: policycheck/v2\n", "gw/more.yaml:1:1", "another apiVersion"),
        ("apiVersion: policycheck.io/v1\n", "gw/more.yaml:1:1", "another apiVersion"),
    ],
)
def test_a_policy_without_our_api_version_in_a_directory_is_an_error(
    gateway: Path, capsys: pytest.CaptureFixture[str], head: str, where: str, got: str
) -> None:
    write(gateway / "more.yaml", head + MORE_BINDINGS)
    message = f"policycheck: {where}: expected apiVersion: policycheck/v1 ({got})\n"
    assert run(capsys, "check", "--no-config", "gw") == (2, "", message)
    code, _out, err = run(capsys, "validate", "gw")
    assert (code, err) == (2, message)


def test_another_tools_policy_kind_is_skipped_and_listed(gateway: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(gateway / "kyverno.yaml", "apiVersion: kyverno.io/v1\nkind: Policy\nmetadata:\n  name: require-labels\n")
    code, _out, err = run(capsys, "check", "--no-config", "gw", "-v")
    assert code == 0
    assert "policycheck: gw/kyverno.yaml: skipped (kind: Policy of another tool (apiVersion kyverno.io/v1))\n" in err


AUTH0_TENANT = """\
tenant:
  friendly_name: ACME
clients:
  - name: gl-integration
    app_type: non_interactive
resourceServers:
  - name: gl-api
    identifier: https://gl.example.com
    scopes:
      - value: gl:journal:write
clientGrants:
  - client_id: gl-integration
    audience: https://gl.example.com
    scope: [gl:journal:write]
"""


def test_kong_and_auth0_files_once_only_noted_are_now_read(gateway: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(gateway / "auth0" / "tenant.yaml", AUTH0_TENANT)
    write(gateway / "kong.yaml", '_format_version: "3.0"\nservices:\n  - name: gl\n    url: https://gl.internal\n')
    _, _out, err = run(capsys, "check", "--no-config", "gw", "-v")
    assert "policycheck: gw/auth0/tenant.yaml: Auth0 Deploy CLI tenant\n" in err
    assert "policycheck: gw/kong.yaml: Kong declarative configuration (decK)\n" in err
    assert "does not read (yet)" not in err


def test_an_unreadable_directory_is_a_warning(
    gateway: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As root, chmod 000 does not stop scandir: the refusal is simulated where os.walk meets it."""
    (gateway / "locked").mkdir()
    real = os.scandir

    def scandir(path: Any = ".") -> Any:
        if str(path).rstrip("/").endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    code, _out, err = run(capsys, "check", "--no-config", "gw")
    assert code == 0
    assert err == (
        "policycheck: gw/locked: warning: cannot read this directory (Permission denied): its files are not checked\n"
    )


def test_validate_says_what_it_skipped(gateway: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(gateway / "values.yaml", "replicas: 2\n")
    assert run(capsys, "validate", "gw") == (0, "2 files valid; 1 skipped (not policycheck files: -v lists them)\n", "")
    code, out, err = run(capsys, "validate", "gw/values.yaml", "-v")
    assert (code, out) == (0, "0 files valid; 1 skipped (not policycheck files)\n")
    assert "gw/values.yaml: skipped (another tool's file" in err


# --- 3. -v / --list-files ------------------------------------------------------------------------------


def test_list_files_says_what_each_file_was_read_as(gateway: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(gateway / "README.md", "# the gateway\n")
    write(gateway / ".git" / "config", "[core]\n")
    write(gateway / "package.json", '{"name": "gw-tools", "version": "1.0.0"}\n')
    write(gateway / "keycloak" / "erp-realm.json", pretty({"realm": "erp", "clients": []}))
    write(gateway / "keycloak" / "erp-federated-users-0.json", pretty({"realm": "erp", "federatedUsers": []}))
    write(gateway / "big.json", '{"realm": "x", "clients": []}\n')
    code, _out, err = run(capsys, "check", "--no-config", "gw", "--list-files")
    assert code == 0
    assert err.splitlines() == [
        "policycheck: gw/.git/: skipped (hidden directory)",
        "policycheck: gw/README.md: skipped (not YAML, JSON or .ionapi)",
        "policycheck: gw/big.json: Keycloak realm export",
        "policycheck: gw/export.yaml: gateway export (native)",
        "policycheck: gw/keycloak/erp-federated-users-0.json: skipped (a Keycloak file without roles, clients, "
        "users or groups (nothing to read))",
        "policycheck: gw/keycloak/erp-realm.json: Keycloak realm export",
        "policycheck: gw/package.json: skipped (another tool's file: no policycheck apiVersion or kind, no export "
        "marker)",
        "policycheck: gw/policy.yaml: policy",
    ]
    assert run(capsys, "check", "--no-config", "gw")[2] == ""  # without -v: nothing on stderr


# --- 7. section counts of every import -------------------------------------------------------------------


def test_section_counts_of_the_example_realms(monkeypatch: pytest.MonkeyPatch) -> None:
    from policycheck import config
    from policycheck.commands import common as app

    monkeypatch.chdir(EXAMPLES / "keycloak")
    cfg = config.load(".policycheck.yaml")
    model = load_model(cfg.paths, identity=app.identity(cfg))
    counts = {(path, section): n for vendor, path, section, n in model.imports if vendor == "keycloak"}
    sections = ["realms", "clients", "service accounts", "users", "roles", "composites", "groups", "scope mappings"]
    # test: realm roles default-roles-erp, offline_access, app_admin and gl-api's four; composites:
    # default-roles-erp, app_admin (itself), gl-poster; groups /finance and /finance/posting
    # test's one user, the service account, is in test/erp-users-0.json: it counts under its realm
    assert [counts["test/erp-realm.json", s] for s in sections] == [1, 2, 1, 1, 7, 3, 2, 0]
    # prod: no app_admin; one clientScopeMappings entry (gl-api -> gl-integration)
    assert [counts["prod/erp-realm.json", s] for s in sections] == [1, 2, 1, 1, 6, 2, 2, 1]
    assert len(model.imports) == 2 * len(sections)  # the users file counts under its realm


def test_section_counts_of_entra_and_ionapi() -> None:
    model = load_model([str(EXAMPLES / "entra"), str(EXAMPLES / "infor")])
    counts = {(Path(path).name, section): n for _, path, section, n in model.imports}
    assert counts["prod-tenant.json", "applications"] == 2
    assert counts["prod-tenant.json", "service principals"] == 2
    assert {s for f, s in counts if f == "test-tenant.json"} == {
        "applications",
        "service principals",
        "app role assignments",
        "permission grants",
    }
    assert counts["GL-Integration_PRD.ionapi", "files"] == 1
    assert counts["GL-Integration_TST.ionapi", "files"] == 1


def test_section_counts_are_shown_in_the_text_and_json_reports(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from jsonschema import Draft202012Validator

    from policycheck.loading.schemas import schema

    monkeypatch.chdir(EXAMPLES / "keycloak")
    code, out, _ = run(capsys, "check", "--no-color")
    assert code == 1
    assert out.splitlines()[-3:-1] == [
        "imported prod/erp-realm.json (keycloak): 1 realm, 2 clients, 1 service account, 1 user, 6 roles, "
        "2 composites, 2 groups, 1 scope mapping",
        "imported test/erp-realm.json (keycloak): 1 realm, 2 clients, 1 service account, 1 user, 7 roles, "
        "3 composites, 2 groups, no scope mappings",  # the empty section, said
    ]
    code, out, _ = run(capsys, "check", "--format", "json")
    report = json.loads(out)
    assert list(Draft202012Validator(schema("report")).iter_errors(report)) == []
    assert report["imports"][1] == {
        "vendor": "keycloak",
        "file": "test/erp-realm.json",
        "sections": {
            "realms": 1,
            "clients": 2,
            "service accounts": 1,
            "users": 1,
            "roles": 7,
            "composites": 3,
            "groups": 2,
            "scope mappings": 0,
        },
    }


def test_ionapi_files_are_counted_on_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--no-config", "--no-color", str(EXAMPLES / "infor"))
    assert code == 1  # the example's findings
    infor = os.path.relpath(EXAMPLES / "infor").replace(os.sep, "/")
    assert [line for line in out.splitlines() if line.startswith("imported")] == [
        f"imported 2 ionapi files: {infor}/GL-Integration_PRD.ionapi, {infor}/GL-Integration_TST.ionapi"
    ]


def test_a_partial_export_without_users_shows_no_users(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The admin console's partial export leaves the users out: the service accounts then hold only
    the default roles (as Keycloak would create them on import), and the summary says 'no users'."""
    import realms

    data = realms.realm("stable", realms.CHILDREN)
    data.pop("users")
    write(here / "stable-realm.json", realms.pretty(data))
    write(here / "policy.yaml", realms.POLICY.replace("[dev, stable]", "[stable]"))
    code, out, _ = run(capsys, "check", "--no-config", "--no-color", ".")
    assert code == 1
    assert (
        "imported stable-realm.json (keycloak): 1 realm, 3 clients, 2 service accounts, no users, 10 roles, "
        "2 composites, no groups, 1 scope mapping\n" in out
    )


# --- 4. Keycloak YAML: keycloak-config-cli and the operator's KeycloakRealmImport ---------------------------

KC_POLICY = """\
apiVersion: policycheck/v1
kind: Policy
permissions:
  - name: gl-api/gl:journal:read
  - name: gl-api/gl:journal:write
operations:
  - id: gl.read
    request: GET /gl/journal
    requires:
      permissions: gl-api/gl:journal:read
  - id: gl.write
    request: POST /gl/journal
    requires:
      permissions: gl-api/gl:journal:write
environments:
  - name: prod
bindings:
  - application: gl-integration
    environments: [prod]
    operations: [gl.read, gl.write]
"""

CONFIG_CLI = """\
# keycloak-config-cli: import.files.locations=realms/*.yaml, import.var-substitution.enabled=true
realm: erp-$(env:STAGE)
enabled: true
displayName: ERP ($(STAGE))
roles:
  client:
    gl-api:
      - name: "gl:journal:read"
      - name: "gl:journal:write"
clients:
  - clientId: gl-api
    bearerOnly: true
  - clientId: gl-integration
    name: GL Integration
    enabled: true
    publicClient: false
    serviceAccountsEnabled: true
    secret: $(env:GL_INTEGRATION_SECRET)
    fullScopeAllowed: false
    defaultClientScopes: [roles, profile]
users:
  - username: service-account-gl-integration
    enabled: true
    serviceAccountClientId: gl-integration
    clientRoles:
      gl-api:
        - "gl:journal:read"
        - "gl:journal:write"
clientScopeMappings:
  gl-api:
    - client: gl-integration
      roles: ["gl:journal:read"]
"""


def test_keycloak_config_cli_yaml_is_read_with_placeholders_left_symbolic(
    here: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STAGE", "resolved-from-the-environment")
    monkeypatch.setenv("GL_INTEGRATION_SECRET", "never-read")
    write(here / "policy.yaml", KC_POLICY)
    write(here / "realms" / "prod" / "erp.yaml", CONFIG_CLI)
    write(here / ".policycheck.yaml", "paths: [policy.yaml, realms]\nenvironments:\n  realms/prod/: prod\n")
    code, out, err = run(capsys, "check", "-v")
    assert "policycheck: realms/prod/erp.yaml: Keycloak realm export\n" in err
    assert "resolved-from-the-environment" not in out + err and "never-read" not in out + err
    # gl:journal:write is granted but not scope-mapped: not delivered (PC202), at the client's line in the YAML
    assert code == 1
    finding = next(line for line in out.splitlines() if " PC202 " in line)
    assert finding.startswith("realms/prod/erp.yaml:13:5: error PC202 [gl-integration prod gl.write]")
    assert " PC907 " not in out  # $(env:...) is a placeholder, not a secret
    model = load_model(["policy.yaml", "realms"])
    assert {e for e in model.environments} == {"erp-$(env:STAGE)"}  # without the folder map: the name as written


REALM_IMPORT = """\
apiVersion: k8s.keycloak.org/v2alpha1
kind: KeycloakRealmImport
metadata:
  name: erp-prod
  namespace: keycloak
spec:
  keycloakCRName: keycloak
  placeholders:
    GL_SECRET:
      secret:
        name: gl-integration-credentials
        key: client-secret
  realm:
    realm: erp
    enabled: true
    roles:
      client:
        gl-api:
          - name: "gl:journal:read"
          - name: "gl:journal:write"
    clients:
      - clientId: gl-api
        bearerOnly: true
      - clientId: gl-integration
        serviceAccountsEnabled: true
        secret: ${GL_SECRET}
    users:
      - username: service-account-gl-integration
        serviceAccountClientId: gl-integration
        clientRoles:
          gl-api: ["gl:journal:read"]
"""


def test_a_keycloak_realm_import_resource_is_read_from_spec_realm(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(here / "policy.yaml", KC_POLICY)
    write(here / "k8s" / "realm-import.yaml", REALM_IMPORT)
    write(here / ".policycheck.yaml", "paths: [policy.yaml, k8s]\nenvironments:\n  erp: prod\n")
    code, out, err = run(capsys, "check", "-v")
    assert "policycheck: k8s/realm-import.yaml: Keycloak realm export (KeycloakRealmImport, spec.realm)\n" in err
    assert code == 1
    assert [line.split(" [")[0] for line in out.splitlines() if " PC101 " in line] == [
        "k8s/realm-import.yaml:24:9: error PC101"  # the client, in spec.realm.clients
    ]
    assert " PC907 " not in out  # a secret reference and a ${...} placeholder hold no secret
    model = load_model(["k8s/realm-import.yaml"])
    assert model.imports[:2] == (
        ("keycloak", "k8s/realm-import.yaml", "realms", 1),
        ("keycloak", "k8s/realm-import.yaml", "clients", 2),
    )


def test_a_realm_import_field_of_the_wrong_type_is_located_in_the_yaml(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = REALM_IMPORT.replace('          gl-api: ["gl:journal:read"]', "          gl-api: gl:journal:read")
    write(here / "realm-import.yaml", broken)
    code, _out, err = run(capsys, "check", "--no-config", "realm-import.yaml")
    assert (code, err) == (
        2,
        "policycheck: realm-import.yaml:31:11: spec.realm.users[0].clientRoles.gl-api: expected a list, got a string\n",
    )


# --- 5. Entra as users have it: one application object, EntraExporter's tree ---------------------------------

GRAPH = "00000003-0000-0000-c000-000000000000"
USER_READ = "e1fe6dd8-ba31-4d61-89e7-88639da4683d"
API_APP, CLI_APP = "6f1d3a52-2b8e-4c47-9a1e-1c2d3e4f5a61", "9b7e2c14-5d3a-4f86-b0c2-7a8b9c0d1e22"
API_SP, CLI_SP = "0a6b4c1d-7e2f-4a38-9b5c-6d7e8f9a0b13", "4c2d8e5f-1a3b-4c6d-8e9f-0a1b2c3d4e54"
READ_ROLE, WRITE_ROLE = "3c9f1b7e-8a2d-4e6f-9b1c-2d3e4f5a6b71", "5e7a2c9d-1b3f-4a8e-8c2d-3e4f5a6b7c82"

ENTRA_POLICY = """\
apiVersion: policycheck/v1
kind: Policy
permissions:
  - name: gl-api/GL.Journal.Read
  - name: gl-api/GL.Journal.Write
operations:
  - id: gl.read
    request: GET /gl/journal
    requires:
      permissions: gl-api/GL.Journal.Read
  - id: gl.write
    request: POST /gl/journal
    requires:
      permissions: gl-api/GL.Journal.Write
environments:
  - name: prod
bindings:
  - application: gl-integration
    environments: [prod]
    operations: [gl.read, gl.write]
"""


def api_application() -> dict[str, Any]:
    role = {"allowedMemberTypes": ["Application"], "isEnabled": True, "origin": "Application"}
    return {
        "id": "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d01",
        "appId": API_APP,
        "displayName": "gl-api",
        "identifierUris": ["api://gl-api"],
        "signInAudience": "AzureADMyOrg",
        "api": {"requestedAccessTokenVersion": 2, "oauth2PermissionScopes": []},
        "appRoles": [
            {**role, "id": READ_ROLE, "value": "GL.Journal.Read", "displayName": "Read journal entries"},
            {**role, "id": WRITE_ROLE, "value": "GL.Journal.Write", "displayName": "Write journal entries"},
        ],
        "requiredResourceAccess": [],
    }


def client_application() -> dict[str, Any]:
    """As the admin centre's Manifest tab (Microsoft Graph format) shows it."""
    return {
        "id": "c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e02",
        "appId": CLI_APP,
        "displayName": "gl-integration",
        "signInAudience": "AzureADMyOrg",
        "createdDateTime": "2026-03-02T09:14:55Z",
        "api": {"oauth2PermissionScopes": []},
        "appRoles": [],
        "passwordCredentials": [{"displayName": "ci", "hint": "Q~8", "keyId": "7d0c", "secretText": None}],
        "requiredResourceAccess": [
            {
                "resourceAppId": API_APP,
                "resourceAccess": [{"id": READ_ROLE, "type": "Role"}, {"id": WRITE_ROLE, "type": "Role"}],
            },
            {"resourceAppId": GRAPH, "resourceAccess": [{"id": USER_READ, "type": "Scope"}]},
        ],
    }


def service_principal(sp_id: str, app: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": sp_id,
        "appId": app["appId"],
        "displayName": app["displayName"],
        "servicePrincipalType": "Application",
        "servicePrincipalNames": [app["appId"]],
        "accountEnabled": True,
        "appRoles": app["appRoles"],
        "oauth2PermissionScopes": [],
    }


def exporter_tree(root: Path) -> None:
    """EntraExporter: one object a file, `<Type>/<id>/<id>.json`, children under their parent's folder."""

    def put(*parts: str, data: dict[str, Any]) -> None:
        write(root.joinpath(*parts, f"{parts[-1]}.json"), json.dumps(data, indent=4))

    api, cli = api_application(), client_application()
    put("Applications", api["id"], data=api)
    put("Applications", cli["id"], data=cli)
    put("ServicePrincipals", API_SP, data=service_principal(API_SP, api))
    put("ServicePrincipals", CLI_SP, data=service_principal(CLI_SP, cli))
    assignment = {
        "id": "Fh2zTqK1n0ibTq8rJm3yVQ",
        "appRoleId": READ_ROLE,
        "createdDateTime": "2026-03-02T09:20:11Z",
        "principalDisplayName": "gl-integration",
        "principalId": CLI_SP,
        "principalType": "ServicePrincipal",
        "resourceDisplayName": "gl-api",
        "resourceId": API_SP,
    }
    put("ServicePrincipals", CLI_SP, "AppRoleAssignments", assignment["id"], data=assignment)
    put(
        "ServicePrincipals", API_SP, "AppRoleAssignedTo", assignment["id"], data=assignment
    )  # the same, seen from gl-api
    write(root / "Organization" / "Organization.json", json.dumps([{"id": "t", "displayName": "Contoso"}]))


def test_an_entra_exporter_tree_is_one_tenant(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(here / "policy.yaml", ENTRA_POLICY)
    exporter_tree(here / "entra" / "prod")
    code, out, err = run(capsys, "check", "--no-config", "policy.yaml", "entra")
    assert code == 1
    pending = [line for line in out.splitlines() if " PC102 " in line]
    assert len(pending) == 1 and "'gl-api/GL.Journal.Write'" in pending[0]
    assert not any(" PC101 " in line and "GL.Journal.Read" in line for line in out.splitlines())
    # Microsoft Graph is not in the export: its requested scope is said, with its id
    assert err == (
        f"policycheck: entra/prod/Applications/c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e02/"
        f"c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e02.json:33:9: note: gl-integration requests 1 permission of "
        f"Microsoft Graph ({GRAPH}), which no application or service principal in the input defines: "
        f"id {USER_READ} not checked (add the resource's service principal to the input)\n"
    )
    model = load_model(["entra"])
    assert set(model.environments) == {"prod"}  # the tree's folder names the tenant
    assert {(section, n) for _, path, section, n in model.imports} == {
        ("applications", 2),
        ("service principals", 2),
        ("app role assignments", 1),
        ("permission grants", 0),
    }
    assert {path for _, path, _, _ in model.imports} == {"entra/prod/"}


def test_a_bare_application_manifest_is_read_and_its_consent_is_unknown(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`az ad app show` / the Manifest tab: no service principal, so nothing is known about consent."""
    write(here / "policy.yaml", ENTRA_POLICY)
    write(here / "gl-api.json", json.dumps(api_application(), indent=2))
    write(here / "gl-integration.manifest.json", json.dumps(client_application(), indent=2))
    code, out, err = run(capsys, "check", "--no-config", "policy.yaml", "gl-api.json", "gl-integration.manifest.json")
    assert err == (
        "policycheck: gl-integration.manifest.json:1:1: note: consent of gl-integration in entra is unknown: the input "
        f"has no service principal of it (appId {CLI_APP}), so its 3 requested permissions are neither granted nor "
        "pending; it is not checked (export its service principal with its appRoleAssignments and "
        "oauth2PermissionGrants)\n"
    )
    assert code == 1
    assert " PC102 " not in out and " PC101 " not in out  # never pending, never "missing: grant it"
    findings = [line for line in out.splitlines() if line and not line.startswith((" ", "imported ", "coverage: "))]
    assert [line.split(" ")[2] for line in findings][:-1] == ["PC404"]
    # found in a directory too (it was skipped before)
    assert run(capsys, "check", "--no-config", ".", "-v")[2].count("Entra export") == 2


def test_a_requested_role_of_a_resource_without_service_principal_is_unknown_not_pending(here: Path) -> None:
    tenant = {
        "tenant": "contoso-prod",
        "environment": "prod",
        "applications": [api_application(), client_application()],
        "servicePrincipals": [service_principal(CLI_SP, client_application())],
    }
    write(here / "tenant.json", json.dumps(tenant, indent=1))
    from policycheck.loading.inputs import load_inputs

    loaded = load_inputs(["tenant.json"])
    assert loaded.model.applications["gl-integration"].grants == ()
    assert [n.message.split(":")[0] for n in loaded.notes][:2] == [
        "consent of gl-integration to gl-api/GL.Journal.Read in prod is unknown",
        "consent of gl-integration to gl-api/GL.Journal.Write in prod is unknown",
    ]


def test_another_tools_template_that_names_our_kind_is_a_warning_not_a_failure(
    gateway: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Helm template is not YAML until rendered; `kind: Policy` alone does not make it ours."""
    write(
        gateway / "chart" / "templates" / "policy.yaml", "apiVersion: {{ .Values.api }}\nkind: Policy\n{{- if .x }}\n"
    )
    write(gateway / "sp.json", '{"appId": "9b7e2c14", "displayName": "ci", "password": "n0t-shown", "tenant": "t"}\n')
    code, out, err = run(capsys, "check", "--no-config", "gw", "-v")
    assert code == 0
    assert (
        "policycheck: gw/chart/templates/policy.yaml:4:1: warning: looks like an export or a policy but is not " in err
    )
    assert (
        "policycheck: gw/sp.json: skipped (another tool's file: no policycheck apiVersion" in err
    )  # az ad sp create-for-rbac
    assert "n0t-shown" not in out + err


# --- 8. the two realms of one project (tests/realms.py): the "must show" ---------------------------


@pytest.fixture
def two_realms(here: Path) -> Path:
    import realms

    root = realms.write_pair(here / "kc")
    write(root / "policy.yaml", realms.POLICY)
    return root


def at(location: dict[str, Any]) -> str:
    """The text of the line a report location points at, and the next two."""
    lines = Path(location["path"]).read_text(encoding="utf-8").splitlines()
    return "\n".join(lines[location["line"] - 1 : location["line"] + 2])


def test_two_realms_name_the_composite_difference_in_stables_file(
    two_realms: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "check", "--no-config", "--format", "json", "kc")
    assert (code, err) == (1, "")
    findings = json.loads(out)["findings"]
    gap = [f for f in findings if f["rule"] == "PC103"]
    assert [(f["environment"], f["location"]["path"], f["count"]) for f in gap] == [
        ("stable", "kc/stable/stable-realm.json", 4)  # mapping.edit and job.run of both connectors
    ]
    assert gap[0]["message"] == (
        "in stable, composite role 'connector-api/Connector User' does not include 'connector-api/mapping:read', "
        "'connector-api/mapping:write', 'connector-api/job:run' and 'connector-api/job:status', which it includes "
        "in dev: 2 applications hold it in both"
    )
    assert '"name" : "Connector User"' in at(gap[0]["location"])  # at stable's definition of the role
    assert "in stable (its definition there), as in dev" in gap[0]["fix"]
    parity = [f for f in findings if f["rule"] == "PC104"]
    assert [(f["environment"], f["location"]["path"]) for f in parity] == [("stable", "kc/stable/stable-realm.json")]
    assert "composite role 'connector-api/Connector User' does not include" in parity[0]["message"]
    # default-roles-dev and default-roles-stable are each realm's default role: no parity difference
    assert all("default-roles" not in f["message"] for f in findings if f["rule"] in ("PC103", "PC104"))
    # every stable finding points into stable's file, every dev finding into dev's
    for f in findings:
        if f["environment"] in ("dev", "stable"):
            assert f["location"]["path"] == f"kc/{f['environment']}/{f['environment']}-realm.json", f
    # five users a realm with "credentials" : [ ]: no secret
    assert [f for f in findings if f["rule"] == "PC907"] == []


def test_explain_in_stable_gives_the_vendor_true_fix(two_realms: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "explain", "--no-config", "--policies", "kc", "sap-connector", "job.run", "--env", "stable"
    )
    assert (code, err) == (1, "")
    lines = (two_realms / "stable" / "stable-realm.json").read_text(encoding="utf-8").splitlines()
    name = [text.strip() for text in lines].index('"name" : "Connector User",')  # 0-based; its "id" above
    line = name - 1  # 1-based: the role's "{", above its "id"
    where = f"kc/stable/stable-realm.json:{line}:9"
    fix = out.split("\nfix:\n", 1)[1]
    assert fix.splitlines()[:2] == [
        f"  1. add 'connector-api/job:run' to composite role 'connector-api/Connector User' ({where}) in stable, "
        "as dev defines it",
        f"  2. add 'connector-api/job:status' to composite role 'connector-api/Connector User' ({where}) in "
        "stable, as dev defines it",
    ]
    assert "inherit" not in out and "applies to dev" not in out
    assert (
        f"in stable, composite role 'connector-api/Connector User' ({where}) does not include it, which it "
        "includes in dev" in out
    )
    # in dev the same call is allowed, through dev's own definition
    code, out, _ = run(capsys, "explain", "--no-config", "--policies", "kc", "sap-connector", "job.run", "--env", "dev")
    assert code == 0 and "kc/dev/dev-realm.json" in out and "stable-realm.json" not in out


def test_diff_with_a_removed_application_loses_each_of_its_operations(
    two_realms: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import realms

    after = realms.write_pair(two_realms.parent / "after", dev=realms.realm("dev", realms.CHILDREN, ("sap-connector",)))
    code, out, err = run(
        capsys, "diff", "--no-config", "--policies", "kc/policy.yaml", "--format", "json", "kc", str(after)
    )
    assert (code, err) == (1, "")
    lost = [f for f in json.loads(out)["findings"] if f["rule"] == "PC301"]
    # salesforce-connector is gone from dev: each of the three operations it could call there is lost
    assert [(f["application"], f["environment"], f["operation"]) for f in lost] == [
        ("salesforce-connector", "dev", op) for op in ("connector.sync", "job.run", "mapping.edit")
    ]
    assert {f["message"].split(": ", 1)[1] for f in lost} >= {
        "'connector-api/connector:read': salesforce-connector is no longer assigned to dev; "
        "'connector-api/connector:write': salesforce-connector is no longer assigned to dev"
    }


def test_two_tenants_differ_in_a_disabled_app_role_named_in_its_tenants_file(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Both tenants assign GL.Journal.Write to gl-integration; prod has the role disabled (isEnabled: false)."""
    policy = ENTRA_POLICY.replace("  - name: prod\n", "  - name: test\n    parity: [prod]\n  - name: prod\n")
    write(here / "policy.yaml", policy.replace("environments: [prod]", "environments: [test, prod]"))
    for tenant in ("test", "prod"):
        root = here / "entra" / tenant
        exporter_tree(root)
        write_assignment = {
            "id": "Kq3zTqK1n0ibTq8rJm3yVQ",
            "appRoleId": WRITE_ROLE,
            "principalId": CLI_SP,
            "principalType": "ServicePrincipal",
            "resourceDisplayName": "gl-api",
            "resourceId": API_SP,
        }
        folder = root / "ServicePrincipals" / CLI_SP / "AppRoleAssignments" / write_assignment["id"]
        write(folder / f"{write_assignment['id']}.json", json.dumps(write_assignment, indent=4))
    api = api_application()
    api["appRoles"][1]["isEnabled"] = False  # disabled in prod's app registration (and so its service principal)
    api_file = here / "entra" / "prod" / "Applications" / api["id"] / f"{api['id']}.json"
    write(api_file, json.dumps(api, indent=4))
    sp_file = here / "entra" / "prod" / "ServicePrincipals" / API_SP / f"{API_SP}.json"
    write(sp_file, json.dumps(service_principal(API_SP, api), indent=4))

    code, out, _ = run(capsys, "check", "--no-config", "--format", "json", "policy.yaml", "entra")
    assert code == 1
    findings = {f["rule"]: f for f in json.loads(out)["findings"] if f["rule"] in ("PC101", "PC103", "PC104")}
    where = f"entra/prod/Applications/{api['id']}/{api['id']}.json"
    gap = findings["PC103"]
    assert (gap["environment"], gap["location"]["path"]) == ("prod", where)
    role = Path(where).read_text(encoding="utf-8").splitlines()[gap["location"]["line"] - 1 :]
    assert f'"id": "{WRITE_ROLE}"' in "\n".join(role[: role.index("        }")])  # at prod's definition of the role
    assert gap["message"] == (
        "in prod, disabled app role 'gl-api/GL.Journal.Write' delivers nothing, where in test it delivers "
        "'gl-api/GL.Journal.Write': gl-integration holds it in both"
    )
    assert gap["fix"] == (
        "enable app role 'gl-api/GL.Journal.Write' in prod (its definition there: isEnabled true), as in test"
    )
    assert "disabled app role 'gl-api/GL.Journal.Write' delivers nothing" in findings["PC104"]["message"]
    assert findings["PC101"]["fix"].startswith("enable app role 'gl-api/GL.Journal.Write' in prod")
    code, out, _ = run(
        capsys,
        "explain",
        "--no-config",
        "--policies",
        "policy.yaml",
        "--policies",
        "entra",
        "gl-integration",
        "gl.write",
        "--env",
        "prod",
    )
    assert code == 1
    assert "  1. enable app role 'gl-api/GL.Journal.Write' in prod (" + where in out


def test_a_grant_of_dev_only_is_made_again_in_stables_own_realm(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """stable's sap-connector lacks Connector User: the finding is in stable's file, the fix is stable's own grant."""
    import realms

    stable = realms.realm("stable", realms.CHILDREN)
    stable["users"][0]["clientRoles"] = {}  # service-account-sap-connector
    realms.write_pair(here / "kc", stable=stable)
    write(here / "kc" / "policy.yaml", realms.POLICY)
    code, out, _ = run(capsys, "check", "--no-config", "--format", "json", "kc")
    assert code == 1
    gaps = [f for f in json.loads(out)["findings"] if f["rule"] == "PC103"]
    assert [(f["application"], f["environment"], f["location"]["path"]) for f in gaps] == [
        ("sap-connector", "stable", "kc/stable/stable-realm.json")
    ]
    assert (
        gaps[0]["fix"]
        == "grant it in stable as well (in stable's own configuration: its realm, tenant or gateway file)"
    )
    code, out, _ = run(
        capsys, "explain", "--no-config", "--policies", "kc", "sap-connector", "job.run", "--env", "stable"
    )
    assert code == 1
    assert out.split("\nfix:\n", 1)[1].splitlines()[0] == (
        "  1. grant permission set 'connector-api/Connector User' to sap-connector in stable's own configuration, "
        "as dev does"
    )
    assert "inherit" not in out.split("\nfix:\n", 1)[1]


def test_explain_adds_the_missing_child_composite_not_its_leaves(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """dev's Connector User includes the composite Job Runner (job:run, job:status); stable's does not."""
    import realms

    def with_job_runner(name: str, children: list[str]) -> dict[str, Any]:
        data = realms.realm(name, children)
        roles = data["roles"]["client"]["connector-api"]
        roles.append(
            {
                "name": "Job Runner",
                "composite": True,
                "composites": {"client": {"connector-api": ["job:run", "job:status"]}},
                "clientRole": True,
            }
        )
        return data

    base = realms.CHILDREN[:4]
    realms.write_pair(
        here / "kc", dev=with_job_runner("dev", [*base, "Job Runner"]), stable=with_job_runner("stable", base)
    )
    write(here / "kc" / "policy.yaml", realms.POLICY)
    code, out, _ = run(
        capsys, "explain", "--no-config", "--policies", "kc", "sap-connector", "job.run", "--env", "stable"
    )
    assert code == 1
    steps = out.split("\nfix:\n", 1)[1].splitlines()
    assert len(steps) == 2 and steps[0].startswith(
        "  1. add 'connector-api/Job Runner' to composite role 'connector-api/Connector User' (kc/stable/stable-realm.json:"
    )
    assert steps[0].endswith(") in stable, as dev defines it")


def test_an_unrecognised_vendor_looking_file_is_said_and_validate_cannot_pass_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file with an export's field names that no importer recognises: a note in check and validate (no -v
    needed); a policy that cannot be parsed is exit 2 in validate (it cannot say whether it is valid)."""
    monkeypatch.chdir(tmp_path)
    story = Path(__file__).resolve().parent.parent / "policies" / "examples" / "cloudsuite"
    (tmp_path / "gw").mkdir()
    (tmp_path / "gw" / "broken-realm.json").write_text('{"realm": 5, "clients": "x"}')
    code, _, err = run(capsys, "check", "--no-config", "-q", "gw", str(story))
    assert code == 1
    assert err == (
        "policycheck: gw/broken-realm.json:1:1: note: looks like a vendor export (it has an export's field names) "
        "but is none policycheck recognises: skipped\n"
    )
    code, _, err = run(capsys, "validate", "gw/broken-realm.json")  # the pre-commit hook names every changed file
    assert code == 0 and "gw/broken-realm.json:1:1: note: looks like a vendor export" in err
    (tmp_path / "policy.yaml").write_text("apiVersion: policycheck/v1\nkind: Policy\n  bad: [\n")
    code, _, err = run(capsys, "validate", "policy.yaml")
    assert (code, err) == (
        2,
        "policycheck: policy.yaml:3:6: invalid YAML: mapping values are not allowed in this context\n",
    )
