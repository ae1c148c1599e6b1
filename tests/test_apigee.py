"""The Apigee importer: apigeecli organisation exports and the apigee-config-maven-plugin layout.

The bundled example (policies/examples/apigee) is one organisation with test and prod;
its findings are pinned exactly: the three-level approval chain (app, key, the key's
product entry), a revoked key, an inactive developer, an expired key, a product that
prod does not list, a product the app does not hold.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from vendor_helpers import FORMATS, found, run
from vendor_helpers import write_json as write

from policycheck.loading.importers import apigee, detect
from policycheck.loading.importers.identity import Identity
from policycheck.loading.inputs import load_inputs, load_model
from policycheck.model import EXPIRED, Status

EXAMPLE = Path(__file__).resolve().parent.parent / "policies" / "examples" / "apigee"


EXAMPLE_FINDINGS = [
    ("PC101", "acme-org/apps.json:2", "gl-integration", "prod", "gl.journal-entries.approve"),
    ("PC101", "acme-org/apps.json:2", "gl-integration", "prod", "gl.journal-entries.create"),
    ("PC101", "acme-org/apps.json:2", "gl-integration", "prod", "gl.journal-entries.post"),
    ("PC101", "acme-org/apps.json:2", "gl-integration", "test", "gl.journal-entries.create"),
    ("PC104", "acme-org/apps.json:2", "gl-integration", "prod", None),
    ("PC103", "acme-org/apps.json:12", "gl-integration", "prod", None),
    ("PC907", "acme-org/apps.json:14", None, None, None),
    ("PC907", "acme-org/apps.json:15", None, None, None),
    ("PC102", "acme-org/apps.json:22", "gl-integration", "prod", "gl.journal-entries.create"),
    ("PC102", "acme-org/apps.json:22", "gl-integration", "test", "gl.journal-entries.create"),
    ("PC907", "acme-org/apps.json:23", None, None, None),
    ("PC907", "acme-org/apps.json:24", None, None, None),
    ("PC101", "acme-org/apps.json:34", "reporting-app", "prod", "gl.journal-entries.list"),
    ("PC111", "acme-org/apps.json:40", "reporting-app", "prod", "gl.journal-entries.list"),
    ("PC907", "acme-org/apps.json:41", None, None, None),
    ("PC907", "acme-org/apps.json:42", None, None, None),
    ("PC101", "acme-org/apps.json:51", "audit-app", "prod", "gl.journal-entries.list"),
    ("PC110", "acme-org/apps.json:57", "audit-app", "prod", "gl.journal-entries.list"),
    ("PC907", "acme-org/apps.json:58", None, None, None),
    ("PC907", "acme-org/apps.json:59", None, None, None),
    ("PC101", "acme-org/apps.json:68", "partner-portal", "test", "gl.journal-entries.list"),
    ("PC111", "acme-org/apps.json:74", "partner-portal", "test", "gl.journal-entries.list"),
    ("PC907", "acme-org/apps.json:75", None, None, None),
    ("PC907", "acme-org/apps.json:76", None, None, None),
    ("PC114", "acme-org/products.json:3", "gl-integration", "prod", "gl.journal-entries.get"),
    ("PC114", "acme-org/products.json:3", "gl-integration", "test", "gl.journal-entries.get"),
]


def test_example_findings_exactly(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(EXAMPLE)
    code, out, err = run(capsys, "check", "--no-config", "--format", "json", ".")
    assert (code, err) == (1, "")
    assert found(out) == EXAMPLE_FINDINGS
    code, out, _ = run(capsys, "check", "--no-config", "--no-color", ".")
    lines = out.splitlines()
    assert (
        "acme-org/apps.json:22:25: error PC102 [gl-integration prod gl.journal-entries.create] the grant of "
        "permission set 'gl-write' to gl-integration is pending approval; 'gl.journal-entries.create' needs "
        "'gl-write' in prod" in lines
    )
    assert any("PC111" in line and "(credential status 'revoked')" in line for line in lines)
    assert any("PC111" in line and "(developer 'partner@globex.example' inactive)" in line for line in lines)
    assert any("PC110" in line and "expired on 2024-01-01" in line for line in lines)
    assert "    fix: map permission set 'gl-post' to prod (PC103)" in lines
    # the trap of operation groups: gl-read is held and approved, but covers listing only
    assert (
        "acme-org/products.json:3:5: error PC114 [gl-integration prod gl.journal-entries.get] no API product "
        "gl-integration holds covers GET /gl/v1/journalEntries/{journalEntryId} in prod: 'gl-read' covers GET "
        "/journalEntries of proxy gl-api-v1 (scopes gl.read); Apigee refuses gl.journal-entries.get" in lines
    )
    assert "    fix: add resource /journalEntries/* with method GET to API product 'gl-read' in prod" in lines


def test_example_imports_and_listing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(EXAMPLE)
    loaded = load_inputs(["."])
    assert [(s, n) for v, _, s, n in loaded.model.imports if v == "apigee"] == [
        ("products", 3),
        ("developers", 2),
        ("apps", 4),
        ("credentials", 5),
        ("product entries", 6),
    ]
    assert [str(f) for f in loaded.files if f.path.startswith("acme-org/")] == [
        "acme-org/apps.json: Apigee export (apps)",
        "acme-org/developers.json: Apigee export (developers)",
        "acme-org/products.json: Apigee export (products)",
    ]
    model = loaded.model
    app = model.applications["gl-integration"]
    assert app.name == "GL Integration" and set(app.clients) == {"test", "prod"}
    assert [(g.permission_set, g.status) for g in app.grants] == [
        ("gl-read", Status.APPROVED),
        ("gl-post", Status.APPROVED),
        ("gl-write", Status.PENDING),
    ]
    assert model.environments["prod"].permission_sets == ("gl-read", "gl-write")
    assert model.environments["test"].permission_sets == ("gl-read", "gl-write", "gl-post")


def test_no_key_or_secret_in_any_output(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(EXAMPLE)
    canaries = [
        line.split('"')[3] for line in (EXAMPLE / "acme-org/apps.json").read_text().splitlines() if "CANARY" in line
    ]
    assert len(canaries) == 10
    for fmt in FORMATS:
        code, out, err = run(capsys, "check", "--no-config", "-v", "--format", fmt, ".")
        assert code == 1, fmt
        assert not any(c in out + err for c in canaries), fmt
    code, out, err = run(
        capsys,
        "explain",
        "gl-integration",
        "gl.journal-entries.create",
        "--env",
        "prod",
        "--no-config",
        "--policies",
        ".",
    )
    assert code == 1 and not any(c in out + err for c in canaries)


# --- the three levels, one at a time ------------------------------------------------------


def product(name: str, envs: list[str], approval: str = "auto") -> dict[str, Any]:
    return {"name": name, "approvalType": approval, "environments": envs, "apiResources": ["/**"]}


def app(
    app_status: str, key_status: str, entry_status: str, expires: Any = "-1", developer: str = "d1"
) -> dict[str, Any]:
    return {
        "name": "svc",
        "developerId": developer,
        "status": app_status,
        "credentials": [
            {
                "apiProducts": [{"apiproduct": "p", "status": entry_status}],
                "consumerKey": "k-123",
                "consumerSecret": "s-456",
                "expiresAt": expires,
                "status": key_status,
            }
        ],
    }


def org(here: Path, *apps: dict[str, Any], developers: list[dict[str, Any]] | None = None) -> Path:
    write(here / "org/products.json", {"apiProduct": [product("p", ["test", "prod"])]})
    write(here / "org/apps.json", list(apps))
    if developers is not None:
        write(here / "org/developers.json", {"developer": developers})
    return here / "org"


@pytest.mark.parametrize(
    ("levels", "status", "blocked_by"),
    [
        (("approved", "approved", "approved"), Status.APPROVED, None),
        (("approved", "approved", "pending"), Status.PENDING, None),
        (("approved", "pending", "approved"), Status.PENDING, None),
        (("pending", "approved", "approved"), Status.PENDING, None),
        (("approved", "revoked", "approved"), Status.REVOKED, "credential status 'revoked'"),
        (("revoked", "approved", "approved"), Status.REVOKED, "app status 'revoked'"),
        (("approved", "approved", "revoked"), Status.REVOKED, "product entry status 'revoked'"),
        (("Approved", "approved", "pending"), Status.PENDING, None),
        (("approved", "revoked", "pending"), Status.REVOKED, "credential status 'revoked'"),
    ],
)
def test_all_three_levels_decide(
    here: Path, levels: tuple[str, str, str], status: Status, blocked_by: str | None
) -> None:
    org(here, app(*levels))
    grant = load_model(["org"]).applications["svc"].grants[0]
    assert (grant.permission_set, grant.status, grant.blocked_by) == ("p", status, blocked_by)


def test_an_unknown_status_is_said_and_grants_nothing(here: Path) -> None:
    org(here, app("approved", "approved", "on-hold"))
    loaded = load_inputs(["org"])
    assert loaded.model.applications["svc"].grants == ()
    assert [n.message for n in loaded.notes] == [
        "app 'svc': product entry status 'on-hold' is not approved, pending or revoked: no grant of 'p' is read"
    ]


def test_an_inactive_developer_blocks_every_key(here: Path) -> None:
    org(
        here,
        app("approved", "approved", "approved"),
        developers=[{"email": "d@x.example", "developerId": "d1", "firstName": "D", "status": "inactive"}],
    )
    grant = load_model(["org"]).applications["svc"].grants[0]
    assert (grant.status, grant.blocked_by) == (Status.REVOKED, "developer 'd@x.example' inactive")


@pytest.mark.parametrize(
    ("expires", "status"),
    [
        ("-1", Status.APPROVED),
        (-1, Status.APPROVED),
        (1704067200000, Status.REVOKED),
        ("4102444800000", Status.APPROVED),
    ],
)
def test_key_expiry(here: Path, expires: Any, status: Status) -> None:
    org(here, app("approved", "approved", "approved", expires=expires))
    grant = load_model(["org"]).applications["svc"].grants[0]
    assert grant.status is status
    assert (grant.blocked_by == EXPIRED) is (status is Status.REVOKED)


def test_the_keys_are_dropped_but_the_credentials_kept(here: Path) -> None:
    org(here, app("approved", "approved", "approved"))
    loaded = load_inputs(["org"])
    assert [s.key for s in loaded.model.secrets] == ["consumerKey", "consumerSecret"]
    assert "k-123" not in repr(loaded.model.applications) and "s-456" not in repr(loaded.model.applications)


def test_a_product_without_environments_is_said(here: Path) -> None:
    write(here / "org/products.json", [product("p", [])])
    write(here / "org/apps.json", [app("approved", "approved", "approved")])
    loaded = load_inputs(["org"])
    assert "API product 'p' lists no environments: it is read as available in none" in [n.message for n in loaded.notes]


def test_a_held_product_no_file_defines_is_said(here: Path) -> None:
    write(here / "org/products.json", [product("other", ["test"])])
    write(here / "org/apps.json", [app("approved", "approved", "approved")])
    notes = [n.message for n in load_inputs(["org"]).notes]
    assert (
        "app 'svc' holds API product 'p', which no products file in its folder defines: it gives no permission" in notes
    )


def test_maven_plugin_layout(here: Path) -> None:
    edge = here / "resources/edge/org"
    write(edge / "apiProducts.json", [product("weather", ["test"]), product("weather-admin", ["test"], "manual")])
    write(
        edge / "developerApps.json",
        {
            "hugh@example.com": [
                {"name": "hughapp", "apiProducts": ["weather", "weather-admin"], "callbackUrl": "", "scopes": []}
            ]
        },
    )
    write(
        edge / "developers.json",
        [{"email": "hugh@example.com", "firstName": "Hugh", "lastName": "Jack", "userName": "hughj"}],
    )
    write(here / "resources/edge/env/test/caches.json", [{"name": "weather-cache"}])
    loaded = load_inputs(["resources"])
    grants = loaded.model.applications["hughapp"].grants
    assert [(g.permission_set, g.status) for g in grants] == [
        ("weather", Status.APPROVED),
        ("weather-admin", Status.PENDING),
    ]
    assert {str(f) for f in loaded.files} >= {
        "resources/edge/org/apiProducts.json: Apigee export (products)",
        "resources/edge/org/developerApps.json: Apigee export (maven-apps)",
        "resources/edge/org/developers.json: Apigee export (developers)",
    }


def test_an_organisation_per_stage_by_folder_map(here: Path) -> None:
    for stage, env in (("nonprod", "test"), ("prod", "prod")):
        write(here / f"{stage}/products.json", [product("p", ["default"])])
        write(here / f"{stage}/apps.json", [app("approved", "approved", "pending" if env == "prod" else "approved")])
    model = load_model(["nonprod", "prod"], identity=Identity(environments={"nonprod/": "test", "prod/": "prod"}))
    svc = model.applications["svc"]
    assert set(svc.clients) == {"test", "prod"}
    assert sorted(model.scoped_sets) == ["prod", "test"]


def test_detected_by_content_not_name(here: Path) -> None:
    assert detect([app("approved", "approved", "approved")], "x/whatever.json") == "apigee"
    assert detect({"apiProduct": [product("p", ["test"])]}, "x/list.json") == "apigee"
    assert detect([{"name": "x", "status": "ok"}], "apps.json") is None
    assert apigee.kind_of({"developer": [{"email": "a@b", "firstName": "A"}]}) == "developers"


def test_a_wrong_type_is_exit_2_at_its_line(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = app("approved", "approved", "approved")
    bad["credentials"][0]["apiProducts"] = [{"apiproduct": ["p"], "status": "approved"}]
    write(here / "org/apps.json", [bad])
    write(here / "org/products.json", [product("p", ["test"])])
    code, out, err = run(capsys, "check", "--no-config", "org")
    assert code == 2
    line = next(i for i, t in enumerate((here / "org/apps.json").read_text().splitlines(), 1) if '"apiproduct": [' in t)
    assert (
        err
        == f"policycheck: org/apps.json:{line}:13: [0].credentials[0].apiProducts[0].apiproduct: expected a string, got a list\n"
    )
    assert "k-123" not in out + err


def test_diff_when_prod_gets_the_missing_product(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(EXAMPLE, here / "before")
    shutil.copytree(EXAMPLE, here / "after")
    products = here / "after/acme-org/products.json"
    products.write_text(products.read_text().replace('"environments": ["test"],', '"environments": ["test", "prod"],'))
    code, out, err = run(
        capsys,
        "diff",
        "--no-config",
        "--no-color",
        "--policies",
        "before/policy.yaml",
        "before/acme-org",
        "after/acme-org",
    )
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == (
        "after/acme-org/apps.json:2:3: note PC302 [gl-integration prod gl.journal-entries.post] gl-integration can "
        "now call gl.journal-entries.post in prod (new: 'gl-post')"
    )
    # and the other way round: prod loses it, exit 1
    code, out, _ = run(
        capsys,
        "diff",
        "--no-config",
        "--no-color",
        "--policies",
        "before/policy.yaml",
        "after/acme-org",
        "before/acme-org",
    )
    assert code == 1 and " PC301 [gl-integration prod gl.journal-entries.post] " in out


def test_input_format_forces_apigee(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(EXAMPLE)
    files = ["acme-org/apps.json", "acme-org/products.json", "acme-org/developers.json"]
    code, out, _ = run(capsys, "check", "--no-config", "--input-format", "apigee", "policy.yaml", *files)
    assert code == 1 and out.splitlines()[-1].startswith("16 errors, 10 warnings;")
    code, _, err = run(capsys, "check", "--no-config", "--input-format", "apim", "policy.yaml", files[0])
    assert (code, err) == (
        2,
        "policycheck: acme-org/apps.json:1:1: not an export of format apim (--input-format apim)\n",
    )
