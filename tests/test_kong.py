"""The Kong decK / DB-less importer: the bundled example end to end, then one small file per trap.

Each inline file goes through the same loading as `policycheck check` (detection by content,
the identity configuration, the route matching of loading/routes.py) and the real engine.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from datetime import date
from pathlib import Path

import pytest
from vendor_helpers import headers
from vendor_helpers import run as cli
from vendor_helpers import write_dedented as write

from policycheck.engine import Selection, run
from policycheck.explanation import explain
from policycheck.loading.importers.identity import Identity
from policycheck.loading.inputs import load_inputs, load_model
from policycheck.model import Model

ROOT = Path(__file__).resolve().parent.parent
KONG = ROOT / "policies" / "examples" / "kong"
TODAY = date(2026, 12, 1)

KONG_FINDINGS = [
    "gateway/kong-prod.yaml:27:7: error PC108 [reporting-export prod gl.journal-entries.list] the acl plugin of route "
    "'gl-journal-entries-list' denies group 'contractors' in prod, and reporting-export is in it: "
    "gl.journal-entries.list refused whatever else is held (deny wins)",
    "gateway/kong-prod.yaml:42:7: error PC108 [gl-integration prod gl.journal-entries.create] gl-integration is in "
    "consumer group 'gl-writers', which the acl plugin of route 'gl-journal-entries-create' allows in prod, but the "
    "plugin does not count consumer groups (include_consumer_groups is not true): gl.journal-entries.create refused",
    "gateway/kong-prod.yaml:59:7: error PC107 [gl-integration prod gl.journal-entries.post] route "
    "'gl-journal-entries-post' answers every request with 403 itself (request-termination): gl-integration cannot "
    "call gl.journal-entries.post in prod",
    "gateway/kong-prod.yaml:71:3: error PC101 [gl-integration prod gl.journal-entries.create] gl-integration cannot "
    "call POST /api/v1/generalLedger/journalEntries in prod: missing 'gl-writers'",
    "gateway/kong-prod.yaml:71:3: error PC101 [gl-integration prod gl.journal-entries.post] gl-integration cannot "
    "call POST /api/v1/generalLedger/journalEntries/{journalEntryId}/post in prod: missing 'gl-posters'",
    "gateway/kong-prod.yaml:71:3: error PC103 [gl-integration prod] gl-integration is granted 'gl-posters' in test's "
    "own configuration but not in prod's",
    "gateway/kong-prod.yaml:71:3: error PC104 [gl-integration prod] prod is not in parity with test: gl-integration "
    "has 'gl-posters' in test but not in prod",
    "gateway/kong-prod.yaml:71:3: warning PC401 [gl-integration prod] 'consumer-group:gl-writers' is granted to "
    "gl-integration in prod, and no operation bound there needs it",
    "gateway/kong-prod.yaml:81:3: warning PC401 [reporting-export prod] 'contractors' is granted to reporting-export "
    "in prod, and no operation bound there needs it",
    "gateway/kong-test.yaml:79:3: error PC104 [reporting-export test] test is not in parity with prod: "
    "reporting-export has 'contractors' in prod but not in test",
    "gateway/kong-test.yaml:86:3: error PC113 [ledger-sync test gl.journal-entries.list] consumer ledger-sync has no "
    "keyauth_credentials in test: the key-auth plugin of route 'gl-journal-entries-list' does not identify it, so "
    "Kong refuses gl.journal-entries.list (401) before any ACL group counts",
]


POLICY = """\
apiVersion: policycheck/v1
kind: Policy
operations:
  - id: items.list
    request: GET /items
    requires: {}
  - id: items.create
    request: POST /items
    requires: {}
  - id: item.show
    request: GET /items/{id}
    requires: {}
environments:
  - name: prod
bindings:
  - application: app
    environments: [prod]
    operations: [items.list, items.create, item.show]
"""


def findings(model: Model, *rules: str) -> list[tuple[str, str | None, str | None, str]]:
    found = run(model, Selection(select=rules) if rules else Selection(), TODAY).findings
    return [(f.rule, f.environment, f.operation, f.message) for f in found]


def kong(here: Path, body: str, name: str = "kong-prod.yaml") -> Model:
    write(here / "policy.yaml", POLICY)
    write(here / name, '_format_version: "3.0"\n' + textwrap.dedent(body))
    return load_model(["policy.yaml", name])


# --- the bundled example -------------------------------------------------------


def test_kong_example_check(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(KONG)
    code, out, err = cli(capsys, "check", "--no-config", "--no-color", ".")
    assert (code, err) == (1, "")
    assert headers(out) == KONG_FINDINGS
    assert out.splitlines()[-1] == (
        "9 errors, 2 warnings; 3 applications x 2 environments x 3 operations checked (9 bindings, 3 files)"
    )


def test_kong_example_section_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(KONG)
    model = load_model(["."])
    counts = {(f, s): n for v, f, s, n in model.imports if v == "kong"}
    assert counts == {
        **{
            (f"gateway/kong-{env}.yaml", section): n
            for env in ("test", "prod")
            for section, n in (
                ("services", 1),
                ("routes", 3),
                ("plugins", 6 if env == "prod" else 5),
                ("consumers", 3 if env == "test" else 2),
                ("ACL groups", 2),
                ("consumer groups", 1),
                ("operations served", 3),
            )
        }
    }


def test_kong_example_explain_names_the_gateway(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(KONG)
    model = load_model(["."])
    dead = explain(model, "gl-integration", "gl.journal-entries.post", "prod")
    assert (dead.allowed, dead.status, dead.gateway) == (
        False,
        403,
        "route 'gl-journal-entries-post' answers every request with 403 itself (request-termination)",
    )
    denied = explain(model, "reporting-export", "gl.journal-entries.list", "prod")
    assert (denied.allowed, denied.gateway) == (
        False,
        "the acl plugin of route 'gl-journal-entries-list' denies group 'contractors' in prod (deny wins)",
    )
    assert denied.steps == (
        "change the gateway configuration of prod: the acl plugin of route 'gl-journal-entries-list' denies group "
        "'contractors' in prod (deny wins)",
    )  # nothing to grant: the any-of is met by gl-readers
    allowed = explain(model, "gl-integration", "gl.journal-entries.list", "test")
    assert (allowed.allowed, allowed.steps) == (True, ())
    group = explain(model, "gl-integration", "gl.journal-entries.create", "prod")
    assert group.steps[0].startswith("set include_consumer_groups: true on the acl plugin of route ")
    assert explain(model, "gl-integration", "gl.journal-entries.create", "test").allowed


def test_kong_example_diff_sees_a_route_closed_by_a_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    work = tmp_path / "kong"
    shutil.copytree(KONG, work)
    monkeypatch.chdir(work)
    before = work / "gateway" / "kong-test.yaml"
    after = work / "next" / "kong-test.yaml"
    after.parent.mkdir()
    text = before.read_text(encoding="utf-8")
    closed = text.replace(
        "        allow:\n        - gl-posters\n",
        "        allow:\n        - gl-posters\n    - name: request-termination\n      config:\n        status_code: 503\n",
    )
    assert closed != text
    after.write_text(closed, encoding="utf-8")
    code, out, _ = cli(capsys, "diff", "--no-config", "--policies", "policy.yaml", str(before), str(after))
    assert code == 1
    assert headers(out) == [
        "next/kong-test.yaml:71:3: error PC301 [gl-integration test gl.journal-entries.post] gl-integration loses "
        "gl.journal-entries.post in test: the gateway refuses it now: route 'gl-journal-entries-post' answers every "
        "request with 503 itself (request-termination)"
    ]


def test_kong_example_diff_names_the_consumer_group_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(KONG)
    after = tmp_path / "kong-test.yaml"
    text = (KONG / "gateway" / "kong-test.yaml").read_text(encoding="utf-8")
    after.write_text(text.replace("include_consumer_groups: true", "include_consumer_groups: false"), encoding="utf-8")
    code, out, _ = cli(capsys, "diff", "--no-config", "--policies", "policy.yaml", "gateway/kong-test.yaml", str(after))
    assert code == 1
    (lost,) = headers(out)
    assert lost.endswith(
        "error PC301 [gl-integration test gl.journal-entries.create] gl-integration loses gl.journal-entries.create "
        "in test: the acl plugin of route 'gl-journal-entries-create' no longer counts consumer group 'gl-writers' "
        "(include_consumer_groups is not true)"
    )


# --- consumers, groups, plugins -------------------------------------------------


def test_acls_in_the_consumer_and_at_the_top_level_are_both_grants(here: Path) -> None:
    model = kong(
        here,
        """\
        services:
          - name: s
            plugins: [{name: key-auth}]
            routes:
              - {name: list, methods: [GET], paths: [/items], plugins: [{name: acl, config: {allow: [readers]}}]}
              - {name: create, methods: [POST], paths: [/items], plugins: [{name: acl, config: {allow: [writers]}}]}
        consumers:
          - username: app
            keyauth_credentials: [{key: '${{ env "DECK_APP_KEY" }}'}]
            acls: [{group: readers}]
        acls:
          - {consumer: app, group: writers}
          - {consumer: ghost, group: writers}
        """,
    )
    app = model.applications["app"]
    assert [g.permission for g in app.grants] == ["readers", "writers"]
    assert app.clients == {"prod": "app"}
    # GET /items/{id} is served by the prefix route 'list' (Kong matches /items as a prefix): allowed
    assert findings(model, "PC101", "PC107") == []


def test_a_consumer_group_counts_only_with_include_consumer_groups(here: Path) -> None:
    body = """\
    plugins: [{name: key-auth}]
    services:
      - name: s
        routes:
          - name: create
            methods: [POST]
            paths: [/items]
            plugins: [{name: acl, config: {allow: [writers]INCLUDE}}]
          - {name: list, paths: [/items]}
    consumer_groups: [{name: writers}]
    consumers:
      - username: app
        keyauth_credentials: [{key: '${{ env "DECK_APP_KEY" }}'}]
        groups: [{name: writers}]
    """
    counted = kong(here, body.replace("INCLUDE", ", include_consumer_groups: true"))
    assert findings(counted, "PC101", "PC108") == []
    ignored = kong(here, body.replace("INCLUDE", ""))
    assert findings(ignored, "PC101", "PC108") == [
        (
            "PC108",
            "prod",
            "items.create",
            "app is in consumer group 'writers', which the acl plugin of route 'create' allows in prod, but the "
            "plugin does not count consumer groups (include_consumer_groups is not true): items.create refused",
        ),
        ("PC101", "prod", "items.create", "app cannot call POST /items in prod: missing 'writers'"),
    ]


def test_deny_wins_and_legacy_blacklist_is_read(here: Path) -> None:
    body = """\
    plugins: [{name: key-auth}]
    routes:
      - name: all
        paths: [/items]
        plugins: [{name: acl, config: {KEY: [contractors], allow: [readers]}}]
    consumers:
      - username: app
        keyauth_credentials: [{key: '${{ env "DECK_APP_KEY" }}'}]
        acls: [{group: readers}, {group: contractors}]
    """
    for key in ("deny", "blacklist"):
        model = kong(here, body.replace("KEY", key))
        assert [(r, e, o) for r, e, o, _ in findings(model, "PC101", "PC108")] == [
            ("PC108", "prod", None),  # one cause, every call it breaks
        ]
        (found,) = run(model, Selection(select=("PC108",)), TODAY).findings
        assert [c[2] for c in found.cells] == ["items.list", "items.create", "item.show"]


def test_the_most_specific_plugin_wins_and_disabled_ones_do_not_count(here: Path) -> None:
    model = kong(
        here,
        """\
        plugins:
          - {name: key-auth}
          - {name: acl, config: {allow: [admins]}}
          - {name: acl, service: s, config: {allow: [readers]}}
        services:
          - name: s
            routes:
              - {name: list, methods: [GET], paths: [/items]}
              - name: create
                methods: [POST]
                paths: [/items]
                plugins:
                  - {name: acl, config: {allow: [writers]}}
                  - {name: request-termination, enabled: false, config: {status_code: 503}}
        consumers:
          - username: app
            keyauth_credentials: [{key: '${{ env "DECK_APP_KEY" }}'}]
            acls: [{group: readers}]
        """,
    )
    assert [(r, o, m.split(": ")[-1]) for r, _, o, m in findings(model, "PC101", "PC107")] == [
        ("PC101", "items.create", "missing 'writers'"),
    ]


def test_request_termination_with_a_trigger_does_not_close_the_route(here: Path) -> None:
    model = kong(
        here,
        """\
        plugins: [{name: key-auth}, {name: request-termination, config: {status_code: 503, trigger: X-Debug}}]
        routes: [{name: all, paths: [/]}]
        consumers: [{username: app, keyauth_credentials: [{key: '${{ env "DECK_APP_KEY" }}'}]}]
        """,
    )
    assert findings(model, "PC107") == []


def test_an_operation_no_route_serves_is_unreachable(here: Path) -> None:
    model = kong(
        here,
        """\
        routes: [{name: list, methods: [GET], paths: ["~/items$"]}]
        consumers: [{username: app, keyauth_credentials: [{key: '${{ env "DECK_APP_KEY" }}'}]}]
        """,
    )
    assert [(f[2], f[3].split(":")[0]) for f in findings(model, "PC107")] == [
        ("item.show", "no route of the gateway configuration in prod serves GET /items/{id} (the gateway answers 404)"),
        ("items.create", "no route of the gateway configuration in prod serves POST /items (the gateway answers 404)"),
    ]


def test_a_route_named_as_the_operation_serves_it_whatever_its_path(here: Path) -> None:
    model = kong(
        here,
        """\
        plugins: [{name: key-auth}]
        routes:
          - {name: items.create, paths: [/v2/things], plugins: [{name: acl, config: {allow: [writers]}}]}
          - {name: rest, paths: [/]}
        consumers: [{username: app, keyauth_credentials: [{key: '${{ env "DECK_APP_KEY" }}'}]}]
        """,
    )
    assert [(o, m.split(": ")[-1]) for _, _, o, m in findings(model, "PC101")] == [
        ("items.create", "missing 'writers'")
    ]


def test_regex_routes_come_before_prefixes_and_by_priority(here: Path) -> None:
    model = kong(
        here,
        """\
        plugins: [{name: key-auth}]
        routes:
          - {name: prefix, paths: [/items], plugins: [{name: acl, config: {allow: [readers]}}]}
          - name: low
            paths: ["~/items/[^/]+$"]
            regex_priority: 1
            plugins: [{name: acl, config: {allow: [low]}}]
          - name: high
            paths: ["~/items/\\\\d+$"]
            regex_priority: 5
            plugins: [{name: acl, config: {allow: [high]}}]
        consumers: [{username: app, keyauth_credentials: [{key: '${{ env "DECK_APP_KEY" }}'}], acls: [{group: readers}]}]
        """,
    )
    assert [(o, m.split(": ")[-1]) for _, _, o, m in findings(model, "PC101")] == [("item.show", "missing 'high'")]


def test_openid_connect_required_scopes_are_requirements(here: Path) -> None:
    model = kong(
        here,
        """\
        routes:
          - name: all
            paths: [/]
            plugins: [{name: openid-connect, config: {scopes_required: [items:read]}}]
        consumers: [{username: app}]
        """,
    )
    assert model.operations["items.list"].requirement_in("prod").scopes == ("items:read",)
    assert model.operations["items.list"].requirement_in("test").scopes == ()


def test_the_environment_is_the_workspace_else_the_name_else_the_folder(here: Path) -> None:
    write(here / "a" / "kong.yaml", '_format_version: "3.0"\n_workspace: staging\nconsumers: [{username: x}]\n')
    write(here / "prod" / "kong.yml", '_format_version: "3.0"\nconsumers: [{username: y}]\n')
    write(here / "gw" / "kong-test.yaml", '_format_version: "3.0"\nconsumers: [{username: z}]\n')
    write(here / "gw2" / "edge.yaml", '_format_version: "3.0"\nconsumers: [{username: w}]\n')
    model = load_model(["."], identity=Identity(environments={"gw2/": "qa"}))
    assert {a: app.clients for a, app in model.applications.items()} == {
        "x": {"staging": "x"},
        "y": {"prod": "y"},
        "z": {"test": "z"},
        "w": {"qa": "w"},
    }


def test_env_placeholders_stay_symbolic_and_are_no_secret(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(here / "policy.yaml", POLICY)
    write(
        here / "kong-prod.yaml",
        """\
        _format_version: "3.0"
        routes: [{name: all, paths: [/], hosts: ['${{ env "DECK_HOST" }}']}]
        consumers:
          - username: app
            keyauth_credentials: [{key: '${{ env "DECK_APP_KEY" }}'}]
        """,
    )
    code, out, err = cli(capsys, "check", "--no-config", ".")
    assert (code, err) == (0, "")
    assert "PC907" not in out


OIDC_PLUGIN = {
    "_format_version": "3.0",
    "routes": [
        {
            "name": "all",
            "paths": ["/"],
            "plugins": [
                {
                    "name": "openid-connect",
                    "config": {
                        "issuer": "https://idp.example.com/.well-known/openid-configuration",
                        "client_id": ["gateway"],
                        # the shape decK writes: a list of secrets, here placeholders only
                        "client_secret": ['${{ env "DECK_OIDC_SECRET" }}', "", None, "**********"],
                        "auth_methods": ["bearer"],
                    },
                }
            ],
        }
    ],
    "consumers": [{"username": "app", "keyauth_credentials": [{"key": '${{ env "DECK_APP_KEY" }}'}]}],
}


@pytest.mark.parametrize("as_json", [False, True], ids=["yaml", "json"])
@pytest.mark.parametrize("leaked", [False, True], ids=["placeholders", "one-real"])
def test_a_list_of_placeholder_secrets_holds_nothing(
    here: Path, capsys: pytest.CaptureFixture[str], as_json: bool, leaked: bool
) -> None:
    import copy

    import yaml

    write(here / "policy.yaml", POLICY)
    doc = copy.deepcopy(OIDC_PLUGIN)
    if leaked:  # one real item among the placeholders: the list holds a secret
        doc["routes"][0]["plugins"][0]["config"]["client_secret"].append(f"{CANARY}-oidc")  # type: ignore[index]
    name = "kong-prod.json" if as_json else "kong-prod.yaml"
    text = json.dumps(doc, indent=2) if as_json else yaml.safe_dump(doc)
    (here / name).write_text(text, encoding="utf-8")
    code, out, err = cli(capsys, "check", "--no-config", ".")
    assert CANARY not in out + err
    if leaked:
        assert code == 1
        assert "PC907" in out and "'client_secret' holds a secret" in out
    else:
        assert (code, err) == (0, "")
        assert "PC907" not in out


# --- secrets: the canary --------------------------------------------------------

CANARY = "kong-canary-7f3e9b1d"
CREDENTIALS = f"""\
_format_version: "3.0"
certificates:
  - cert: "-----BEGIN CERTIFICATE-----{CANARY}-cert"
    key: "-----BEGIN PRIVATE KEY-----{CANARY}-tls"
routes: [{{name: all, paths: [/], plugins: [{{name: key-auth}}]}}]
consumers:
  - username: app
    keyauth_credentials: [{{key: {CANARY}-key}}]
    jwt_secrets: [{{key: iss, secret: {CANARY}-jwt, algorithm: HS256}}]
    basicauth_credentials: [{{username: app, password: {CANARY}-basic}}]
    hmacauth_credentials: [{{username: app, secret: {CANARY}-hmac}}]
    oauth2_credentials: [{{name: app, client_id: cid, client_secret: {CANARY}-oauth}}]
"""


@pytest.mark.parametrize("as_json", [False, True], ids=["yaml", "json"])
def test_no_credential_reaches_any_output(here: Path, capsys: pytest.CaptureFixture[str], as_json: bool) -> None:
    import yaml

    write(here / "policy.yaml", POLICY)
    name = "kong-prod.json" if as_json else "kong-prod.yaml"
    text = json.dumps(yaml.safe_load(CREDENTIALS), indent=2) if as_json else CREDENTIALS
    (here / name).write_text(text, encoding="utf-8")
    seen = ""
    for fmt in ("text", "json", "sarif", "junit", "github", "markdown", "html", "review"):
        code, out, err = cli(capsys, "check", "--no-config", "-v", "--format", fmt, ".")
        assert code == 1  # PC907 for each credential list
        seen += out + err
    for command in (
        ["explain", "app", "items.list", "--env", "prod", "--no-config", "--policies", "."],
        ["diff", "--no-config", "--policies", "policy.yaml", name, name],
        ["validate", "-v", "."],
    ):
        _, out, err = cli(capsys, *command)
        seen += out + err
    assert CANARY not in seen
    loaded = load_inputs(["."])
    assert {s.key for s in loaded.model.secrets} >= {
        "basicauth_credentials",
        "certificates",
        "hmacauth_credentials",
        "jwt_secrets",
        "keyauth_credentials",
        "oauth2_credentials",
    }
    assert CANARY not in repr(loaded)


# --- bad input --------------------------------------------------------------------


def test_a_field_of_the_wrong_type_is_one_line_at_that_field(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(here / "policy.yaml", POLICY)
    write(here / "kong.yaml", '_format_version: "3.0"\nconsumers:\n  - username: app\n    acls: readers\n')
    assert cli(capsys, "check", "--no-config", ".") == (
        2,
        "",
        "policycheck: kong.yaml:4:5: consumers[0].acls: expected a list, got a string\n",
    )


def test_input_format_kong_is_accepted_and_checked(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(here / "p" / "policy.yaml", POLICY)
    write(
        here / "kong-prod.yaml",
        '_format_version: "3.0"\nroutes: [{name: all, paths: [/]}]\nconsumers: [{username: app}]\n',
    )
    write(here / "other.json", '{"realm": "x", "clients": []}')
    code, _, err = cli(capsys, "check", "--no-config", "p", "--input-format", "kong", "kong-prod.yaml")
    assert (code, err) == (0, "")
    code, _, err = cli(capsys, "check", "--no-config", "p", "--input-format", "kong", "other.json")
    assert (code, err) == (2, "policycheck: other.json:1:1: not an export of format kong (--input-format kong)\n")
