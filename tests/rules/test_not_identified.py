"""PC113 not-identified: Kong's authentication plugins and the consumers' credentials (present or not) decide who is identified."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from policycheck.analysis import Analysis
from policycheck.cli import main
from policycheck.loading.inputs import load_model

from .conftest import brief
from .gateway_helpers import findings

KEY = """'${{ env "DECK_APP_KEY" }}'"""

KONG = f"""\
_format_version: "3.0"
services:
  - name: items
    plugins:
      - name: key-auth
        config: {{key_names: [apikey]}}
    routes:
      - name: items
        paths: [/items]
        plugins: [{{name: acl, config: {{allow: [api/items:write]}}}}]
consumers:
  - username: app
    acls: [{{group: api/items:write}}]
    jwt_secrets: [{{key: {KEY}, algorithm: HS256, secret: {KEY}}}]
"""


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_consumer_without_the_routes_credential_is_refused(here: Path) -> None:
    (found,) = findings(here, "PC113", {"kong-prod.yaml": KONG})
    assert brief(found) == ("PC113", "kong-prod.yaml", 12, "app", "prod", None)
    assert [c[2] for c in found.cells] == ["items.list", "items.create"]
    assert found.message == (
        "consumer app has no keyauth_credentials in prod: the key-auth plugin of route 'items' does not identify "
        "it, so Kong refuses items.list, items.create (401) before any ACL group counts"
    )
    assert found.fix == (
        "add a key-auth credential (keyauth_credentials) to consumer app in prod, or set config.anonymous on the "
        "plugin to let unidentified requests through"
    )
    model = load_model(["policy.yaml", "kong-prod.yaml"])
    assert [(f.operation, f.status) for f in Analysis(model).failures] == [
        ("items.list", "blocked"),
        ("items.create", "blocked"),
    ]


def test_a_credential_of_that_kind_identifies_it_masked_or_not(here: Path) -> None:
    for value in (KEY, "'********'", "plain-text-key"):
        kong = KONG.replace("    jwt_secrets:", f"    keyauth_credentials: [{{key: {value}}}]\n    jwt_secrets:")
        assert findings(here, "PC113", {"kong-prod.yaml": kong}) == []
    model = load_model(["policy.yaml", "kong-prod.yaml"])
    assert model.applications["app"].credentials == {"prod": frozenset({"keyauth_credentials", "jwt_secrets"})}
    assert Analysis(model).failures == []
    empty = KONG.replace("    jwt_secrets:", "    keyauth_credentials: []\n    jwt_secrets:")
    assert len(findings(here, "PC113", {"kong-prod.yaml": empty})) == 1  # an empty list is no credential


def test_the_same_from_a_json_file_both_parser_paths(here: Path) -> None:
    data = yaml.safe_load(KONG)
    assert len(findings(here, "PC113", {"kong-prod.json": json.dumps(data)})) == 1
    data["consumers"][0]["keyauth_credentials"] = [{"key": "k1"}]
    assert findings(here, "PC113", {"kong-prod.json": json.dumps(data)}) == []
    text = json.dumps(data).replace('"username": "app"', '"username": "app", "username": "app"')
    (here / "kong-prod.json").write_text(text)  # a key written twice: the parser's careful path
    model = load_model(["policy.yaml", "kong-prod.json"])
    assert model.applications["app"].credentials["prod"] == {"keyauth_credentials", "jwt_secrets"}


ANONYMOUS = KONG.replace("config: {key_names: [apikey]}", "config: {key_names: [apikey], anonymous: guest}") + (
    "  - username: guest\n    acls: [{group: GUEST}]\n"
)


def test_anonymous_runs_the_request_as_that_consumer_whose_groups_count(here: Path) -> None:
    refused = ANONYMOUS.replace("GUEST", "api/items:read")
    (found,) = findings(here, "PC113", {"kong-prod.yaml": refused})
    assert [c[2] for c in found.cells] == ["items.list", "items.create"]
    assert found.message.startswith(
        "consumer app has no keyauth_credentials in prod: the key-auth plugin of route 'items' runs its requests "
        "as the anonymous consumer 'guest', whose ACL groups count instead, and it cannot call "
    )
    assert found.fix == "add a key-auth credential (keyauth_credentials) to consumer app in prod"
    allowed = ANONYMOUS.replace("GUEST", "api/items:write")  # guest may: the call goes through, as guest
    assert findings(here, "PC113", {"kong-prod.yaml": allowed}) == []
    model = load_model(["policy.yaml", "kong-prod.yaml"])
    assert Analysis(model).failures == []


def test_anonymous_that_names_no_consumer(here: Path) -> None:
    kong = KONG.replace("config: {key_names: [apikey]}", "config: {key_names: [apikey], anonymous: nobody}")
    (found,) = findings(here, "PC113", {"kong-prod.yaml": kong})
    assert "sets anonymous 'nobody', which no consumer of the file is" in found.message
    assert found.fix.endswith(", or define consumer 'nobody'")


def test_one_credential_is_enough_when_the_other_plugin_lets_anonymous_through(here: Path) -> None:
    both = ANONYMOUS.replace("GUEST", "none").replace(
        "      - name: key-auth\n", "      - name: jwt\n        config: {anonymous: guest}\n      - name: key-auth\n"
    )
    assert findings(here, "PC113", {"kong-prod.yaml": both}) == []  # jwt finds its secret: identified
    strict = KONG.replace("      - name: key-auth\n", "      - name: jwt\n      - name: key-auth\n")
    (found,) = findings(here, "PC113", {"kong-prod.yaml": strict})  # without anonymous, each must find its own
    assert found.subject == "key-auth"


def test_identity_providers_are_not_judged_by_consumer_credentials(here: Path) -> None:
    oidc = KONG.replace("name: key-auth\n        config: {key_names: [apikey]}", "name: openid-connect")
    assert findings(here, "PC113", {"kong-prod.yaml": oidc}) == []
    mtls = KONG.replace("name: key-auth\n        config: {key_names: [apikey]}", "name: mtls-auth")
    assert findings(here, "PC113", {"kong-prod.yaml": mtls}) == []  # the certificate may name the consumer
    strict = KONG.replace(
        "name: key-auth\n        config: {key_names: [apikey]}", "name: mtls-auth\n        config: {consumer_by: []}"
    )
    (found,) = findings(here, "PC113", {"kong-prod.yaml": strict})
    assert "no mtls_auth_credentials" in found.message


def test_top_level_credentials_are_not_attributed_and_say_so(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kong = KONG + "keyauth_credentials:\n  - {consumer: app, key: top-level-secret}\n"
    assert findings(here, "PC113", {"kong-prod.yaml": kong}) == []
    code = main(["check", "--no-config", "--no-color", "."])
    out, err = capsys.readouterr()
    assert (
        "top-level keyauth_credentials (credentials listed apart from their consumers) are dropped unread" in out + err
    )
    assert "top-level-secret" not in out + err
    assert code in (0, 1)


def test_end_to_end_from_the_cli_without_any_credential_value(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kong = KONG.replace(KEY, "'CANARY-jwt-9f2c'")
    (here / "kong-prod.yaml").write_text(kong)
    findings(here, "PC113", {"kong-prod.yaml": kong})
    code = main(["check", "--no-config", "--no-color", "."])
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in out + err
    assert "kong-prod.yaml:12:5: error PC113 [app prod] consumer app has no keyauth_credentials in prod" in out
    assert "CANARY" not in out + err


def test_explain_says_the_consumer_is_not_identified(here: Path) -> None:
    from policycheck.explanation import explain

    findings(here, "PC113", {"kong-prod.yaml": KONG})
    e = explain(load_model(["policy.yaml", "kong-prod.yaml"]), "app", "items.create", "prod")
    assert (e.allowed, e.status) == (False, 401)
    assert e.gateway == (
        "consumer app has no keyauth_credentials in prod: the key-auth plugin of route 'items' does not identify "
        "it (401)"
    )
    findings(here, "PC113", {"kong-prod.yaml": ANONYMOUS.replace("GUEST", "api/items:write")})
    assert explain(load_model(["policy.yaml", "kong-prod.yaml"]), "app", "items.create", "prod").allowed
