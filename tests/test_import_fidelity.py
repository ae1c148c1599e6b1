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
        "clients": [{"clientId": "gl-integration", "secret": "**********"}, {"clientId": "etl", "secret": "3tl-s3cr3t"}],
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
        "users": [{"username": "service-account-svc", "serviceAccountClientId": "svc", "clientRoles": {"secret": ["read"]}}],
    }
    write(here / "erp-realm.json", pretty(realm))
    model = load_model(["erp-realm.json"])
    assert "erp:secret/read" in model.permission_sets
    assert [g.permission_set for g in model.applications["svc"].grants] == ["erp:secret/read"]
    assert [s.key for s in model.secrets] == ["secret"]
    line = model.secrets[0].source.location().line
    assert "real-client-secret" in (here / "erp-realm.json").read_text().splitlines()[line - 1]
