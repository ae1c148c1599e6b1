"""The Auth0 Deploy CLI importer: the bundled example (YAML tenant and directory format), then its traps."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from vendor_helpers import headers
from vendor_helpers import run as cli
from vendor_helpers import write_dedented as write

from policycheck.engine import Selection, run
from policycheck.loading.importers.auth0 import VALUES
from policycheck.loading.importers.identity import Identity
from policycheck.loading.inputs import load_inputs, load_model
from policycheck.model import Model

ROOT = Path(__file__).resolve().parent.parent
AUTH0 = ROOT / "policies" / "examples" / "auth0"
TODAY = date(2026, 12, 1)
CANARY = "auth0-canary-51c0ffee"

AUTH0_FINDINGS = [
    "prod/clients/GL Integration.json:1:1: error PC101 [GL Integration prod gl.journal-entries.post] GL Integration "
    "cannot call POST /api/v1/generalLedger/journalEntries/{journalEntryId}/post in prod: missing "
    "'GL API/gl:journal:post'",
    "prod/clients/GL Integration.json:1:1: error PC103 [GL Integration prod] GL Integration is granted "
    "'GL API/gl:journal:post' in test's own configuration but not in prod's",  # in prod's own files now
    "prod/clients/GL Integration.json:1:1: error PC104 [GL Integration prod] prod is not in parity with test: "
    "GL Integration has 'GL API/gl:journal:post' in test but not in prod",
    "prod/organizations/acme-finance.json:6:5: error PC901 organization 'acme-finance' refers to unknown client "
    "'GL Integration Legacy', which the export does not define",
    "prod/resource-servers/GL API.json:1:1: warning PC109 [prod] tokens for API 'GL API' in prod carry no permissions "
    "claim (RBAC off: enforce_policies is not true): the grants of 2 applications arrive only in scope, so "
    "gl.journal-entries.list, gl.journal-entries.create, gl.journal-entries.post fail where the API checks "
    "permissions; in test they carry it, so tokens differ between environments (breaks 4 calls of 2 applications)",
]


def findings(model: Model, *rules: str) -> list[tuple[str, str | None, str | None, str]]:
    return [
        (f.rule, f.environment, f.operation, f.message) for f in run(model, Selection(select=rules), TODAY).findings
    ]


POLICY = """\
apiVersion: policycheck/v1
kind: Policy
operations:
  - id: gl.write
    request: POST /journal
    requires:
      permissions: GL/gl:write
environments:
  - name: prod
bindings:
  - application: sync
    environments: [prod]
    operations: [gl.write]
"""

TENANT = """\
tenant:
  friendly_name: Acme
clients:
  - name: sync
    app_type: non_interactive
  - name: portal
    app_type: spa
resourceServers:
  - name: GL
    identifier: https://gl.##ENV##.example
    enforce_policies: true
    token_dialect: access_token_authz
    scopes:
      - value: gl:read
      - value: gl:write
clientGrants:
  - client_id: sync
    audience: https://gl.##ENV##.example
    GRANT
"""


def tenant(here: Path, grant: str, name: str = "prod/tenant.yaml") -> Model:
    write(here / "policy.yaml", POLICY)
    write(here / name, TENANT.replace("GRANT", grant))
    return load_model(["policy.yaml", name])


# --- the bundled example -------------------------------------------------------


def test_auth0_example_check(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(AUTH0)
    code, out, err = cli(capsys, "check", "--no-config", "--no-color", ".")
    assert code == 1
    assert headers(out) == AUTH0_FINDINGS
    assert out.splitlines()[-1] == (
        "4 errors, 1 warning; 2 applications x 2 environments x 3 operations checked (8 bindings, 10 files)"
    )
    assert err == (
        "policycheck: prod/roles/GL Accountant.json:1:1: note: 1 role(s) read: roles are assigned to users, not to "
        "machine-to-machine clients, so they grant no application anything (a client's access is its client grants)\n"
        "policycheck: test/tenant.yaml:53:5: note: 1 role(s) read: roles are assigned to users, not to "
        "machine-to-machine clients, so they grant no application anything (a client's access is its client grants)\n"
    )


def test_auth0_example_both_formats_read_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(AUTH0)
    loaded = load_inputs(["."])
    model = loaded.model
    assert {a: app.clients for a, app in model.applications.items()} == {
        "GL Integration": {"test": "GL Integration", "prod": "GL Integration"},
        "Reporting Export": {"test": "Reporting Export", "prod": "Reporting Export"},
    }
    counts = {(f, s): n for v, f, s, n in model.imports if v == "auth0"}
    assert counts == {
        ("test/tenant.yaml", "APIs"): 1,
        ("test/tenant.yaml", "clients"): 3,
        ("test/tenant.yaml", "client grants"): 2,
        ("test/tenant.yaml", "machine-to-machine applications"): 2,
        ("test/tenant.yaml", "roles"): 1,
        ("test/tenant.yaml", "organizations"): 0,
        ("prod", "APIs"): 1,
        ("prod", "clients"): 2,
        ("prod", "client grants"): 2,
        ("prod", "machine-to-machine applications"): 2,
        ("prod", "roles"): 1,
        ("prod", "organizations"): 1,
    }
    listed = {f.path: str(f) for f in loaded.files}
    assert listed["prod/tenant.json"] == (
        "prod/tenant.json: Auth0 Deploy CLI tenant (directory format: the tenant settings of this folder)"
    )
    assert listed["prod/grants/GL Integration-GL API.json"].endswith(
        "Auth0 Deploy CLI tenant (directory format: part of the tenant in the folder above)"
    )
    shapes = {(s.api, s.environment): s.claim for s in model.token_shapes}
    assert shapes == {("GL API", "test"): True, ("GL API", "prod"): False}


def test_auth0_example_diff_of_a_tenant_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(AUTH0)
    after = tmp_path / "test" / "tenant.yaml"
    after.parent.mkdir()
    text = (AUTH0 / "test" / "tenant.yaml").read_text(encoding="utf-8")
    changed = text.replace("      - 'gl:journal:write'\n", "")
    assert changed != text
    after.write_text(changed, encoding="utf-8")
    code, out, _ = cli(capsys, "diff", "--no-config", "--policies", "policy.yaml", "test/tenant.yaml", str(after))
    assert code == 1
    (lost,) = [line for line in headers(out) if " PC301 " in line]
    assert lost.endswith(
        "[GL Integration test gl.journal-entries.create] GL Integration loses gl.journal-entries.create in test: "
        "'GL API/gl:journal:write': the grant of 'GL API/gl:journal:write' was removed in test"
    )


# --- grants, clients, RBAC -------------------------------------------------------


def test_a_client_grant_gives_its_scopes_and_allow_all_scopes_all(here: Path) -> None:
    model = tenant(here, "scope: [gl:read]")
    assert [g.permission for g in model.applications["sync"].grants] == ["GL/gl:read"]
    assert [(r, o) for r, _, o, _ in findings(model, "PC101")] == [("PC101", "gl.write")]
    model = tenant(here, "allow_all_scopes: true")
    assert [g.permission for g in model.applications["sync"].grants] == ["GL/gl:read", "GL/gl:write"]
    assert findings(model, "PC101") == []
    assert "portal" not in model.applications  # a login client without grants is no application


def test_dangling_client_api_and_scope_are_findings_not_crashes(here: Path) -> None:
    write(here / "policy.yaml", POLICY)
    write(
        here / "prod" / "tenant.yaml",
        TENANT.replace("GRANT", "scope: [gl:write, gl:delete]")
        + """\
  - client_id: ghost
    audience: https://gl.##ENV##.example
    scope: [gl:read]
  - client_id: sync
    audience: https://other.example
    scope: [x]
organizations:
  - name: acme
    display_name: Acme
    client_grants:
      - client_id: nobody
""",
    )
    model = load_model(["."])
    assert sorted(m for r, _, _, m in findings(model, "PC901")) == [
        "a client grant for 'https://gl.##ENV##.example' refers to unknown client 'ghost', which the export "
        "does not define",
        "organization 'acme' refers to unknown client 'nobody', which the export does not define",
        "the client grant of 'sync' refers to unknown API 'https://other.example', which the export does not define",
        "the client grant of 'sync' refers to unknown scope 'GL/gl:delete', which the export does not define",
    ]


@pytest.mark.parametrize(
    ("settings", "claim"),
    [
        ("enforce_policies: true\n    token_dialect: access_token_authz", True),
        ("enforce_policies: true\n    token_dialect: rfc9068_profile_authz", True),
        ("enforce_policies: true\n    token_dialect: access_token", False),
        ("enforce_policies: false\n    token_dialect: access_token_authz", False),
        ("token_dialect: access_token_authz", False),
    ],
)
def test_the_permissions_claim_follows_the_rbac_settings(here: Path, settings: str, claim: bool) -> None:
    write(here / "policy.yaml", POLICY)
    text = TENANT.replace("GRANT", "scope: [gl:write]").replace(
        "enforce_policies: true\n    token_dialect: access_token_authz", settings
    )
    write(here / "prod" / "tenant.yaml", text)
    model = load_model(["."])
    assert [s.claim for s in model.token_shapes] == [claim]
    assert findings(model, "PC101") == []  # the grant is there either way: only the claim differs
    assert [r for r, _, _, _ in findings(model, "PC109")] == ([] if claim else ["PC109"])


def test_a_placeholder_scope_list_stays_symbolic_and_is_said(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(here / "policy.yaml", POLICY)
    write(here / "prod" / "tenant.yaml", TENANT.replace("GRANT", "scope: '@@SYNC_SCOPES@@'"))
    code, out, err = cli(capsys, "check", "--no-config", ".")
    assert code == 1
    assert "PC101" in out
    assert err == (
        "policycheck: prod/tenant.yaml:17:5: note: the scopes of 'sync''s grant for 'GL' are '@@SYNC_SCOPES@@', "
        "not a list (a placeholder?): not read\n"
    )


def test_one_tenant_per_environment_by_folder_name_or_configuration(here: Path) -> None:
    write(here / "policy.yaml", POLICY)
    write(here / "auth0-dev" / "tenant.yaml", TENANT.replace("GRANT", "scope: [gl:write]"))
    write(here / "tenant_PRD.yaml", TENANT.replace("GRANT", "scope: [gl:write]"))
    model = load_model(["."], identity=Identity(environments={"auth0-dev/": "dev"}))
    assert model.applications["sync"].clients == {"dev": "sync", "prod": "sync"}


def test_a_configuration_file_per_environment_resolves_the_placeholders(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        here / "policy.yaml",
        POLICY.replace("[prod]", "[test, prod]").replace("  - name: prod", "  - name: test\n  - name: prod"),
    )
    shared = (
        TENANT.replace("name: sync", "name: 'sync ##STAGE##'")
        .replace("client_id: sync", "client_id: 'sync ##STAGE##'")
        .replace("GRANT", "scope: '@@SYNC_SCOPES@@'")
    )
    write(here / "auth0" / "tenant.yaml", shared)
    values = {"ENV": "x", "STAGE": "TEST", "SYNC_SCOPES": ["gl:read", "gl:write"]}
    write(here / "auth0" / "config.test.json", json.dumps({"AUTH0_CLIENT_SECRET": f"{CANARY}-cfg", VALUES: values}))
    values = {"ENV": "y", "STAGE": "PROD", "SYNC_SCOPES": ["gl:read"]}
    write(here / "auth0" / "config-prod.json", json.dumps({"AUTH0_DOMAIN": "acme.eu.auth0.com", VALUES: values}))
    model = load_model(["."], identity=Identity(aliases={"sync TEST": "sync", "sync PROD": "sync"}))
    app = model.applications["sync"]
    assert app.clients == {"prod": "sync PROD", "test": "sync TEST"}
    assert sorted((g.permission, g.environments) for g in app.grants) == [
        ("GL/gl:read", ("prod",)),
        ("GL/gl:read", ("test",)),
        ("GL/gl:write", ("test",)),
    ]
    assert [(r, e) for r, e, _, _ in findings(model, "PC101")] == [("PC101", "prod")]
    code, out, err = cli(capsys, "check", "--no-config", "-v", "--format", "json", ".")
    assert code == 1
    assert CANARY not in out + err
    assert "PC907" in out
    assert (
        "policycheck: auth0/config-prod.json: Auth0 Deploy CLI tenant (Deploy CLI configuration: keyword values, "
        "one environment of the tenant in this folder)\n"
    ) in err


# --- secrets: the canary --------------------------------------------------------


def test_no_secret_of_a_tenant_reaches_any_output(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(here / "policy.yaml", POLICY)
    yaml_tenant = TENANT.replace("GRANT", "scope: [gl:write]").replace(
        "    app_type: non_interactive\n",
        f"    app_type: non_interactive\n    client_secret: {CANARY}-yaml\n",
    )
    write(here / "yaml" / "tenant.yaml", yaml_tenant + f"emailProvider:\n  credentials:\n    api_key: {CANARY}-mail\n")
    write(
        here / "prod" / "clients" / "sync.json",
        json.dumps({"name": "sync", "app_type": "non_interactive", "client_secret": f"{CANARY}-dir"}),
    )
    write(
        here / "prod" / "resource-servers" / "GL.json",
        json.dumps({"name": "GL", "identifier": "https://gl", "scopes": [{"value": "gl:write"}]}),
    )
    write(
        here / "prod" / "grants" / "sync.json",
        json.dumps({"client_id": "sync", "audience": "https://gl", "scope": ["gl:write"]}),
    )
    seen = ""
    for fmt in ("text", "json", "sarif", "junit", "github", "markdown", "html", "review"):
        code, out, err = cli(capsys, "check", "--no-config", "-v", "--format", fmt, ".")
        assert code == 1  # PC907 for each secret
        seen += out + err
    for command in (
        ["explain", "sync", "gl.write", "--env", "prod", "--no-config", "--policies", "."],
        ["diff", "--no-config", "--policies", "policy.yaml", "yaml/tenant.yaml", "prod"],
        ["validate", "-v", "."],
    ):
        _, out, err = cli(capsys, *command)
        seen += out + err
    assert CANARY not in seen
    assert seen.count("PC907") >= 8 * 3
    assert CANARY not in repr(load_inputs(["."]))


# --- bad input --------------------------------------------------------------------


def test_a_field_of_the_wrong_type_is_one_line_at_that_field(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(here / "policy.yaml", POLICY)
    write(here / "prod" / "grants" / "sync.json", '{\n  "client_id": "sync",\n  "audience": ["https://gl"]\n}\n')
    write(here / "prod" / "tenant.yaml", "tenant: {}\nclients: []\nresourceServers:\n  - identifier: 7\n")
    code, out, err = cli(capsys, "check", "--no-config", "prod/tenant.yaml", "policy.yaml")
    assert (code, out) == (2, "")
    assert err == "policycheck: prod/tenant.yaml:4:5: resourceServers[0].identifier: expected a string, got a number\n"
    (here / "prod" / "tenant.yaml").unlink()
    code, out, err = cli(capsys, "check", "--no-config", ".")
    assert (code, out) == (2, "")
    assert err == "policycheck: prod/grants/sync.json:3:3: audience: expected a string, got a list\n"
