"""OpenAPI documents: the reader's semantics, `import openapi` end to end, and the configured cross-check."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from policycheck.cli import main
from policycheck.errors import InputError
from policycheck.loading.limits import Limits
from policycheck.loading.openapi import read_spec, stable_id
from policycheck.loading.source import load
from policycheck.loading.validate import validate

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "openapi"
ORDERS = ROOT / "policies" / "examples" / "orders"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def by_id(path: Path, **kw: str) -> dict[str, object]:
    spec = read_spec(str(path), **kw)  # type: ignore[arg-type]
    return {o.id: o for o in spec.operations}


def sets(*alternatives: tuple[str, ...]) -> frozenset[frozenset[str]]:
    return frozenset(frozenset(a) for a in alternatives)


def test_oas3_or_and_global_public_and_external_refs():
    ops = by_id(DATA / "orders" / "openapi.yaml")
    assert list(ops) == [
        "getHealth",
        "listOrders",
        "createOrder",
        "getOrder",
        "delete.orders.orderId",
        "listRefunds",
        "refundOrder",
    ]
    health, listing, create = ops["getHealth"], ops["listOrders"], ops["createOrder"]
    assert health.public and health.security == () and health.scope_sets() == sets(())
    assert listing.inherited and listing.scope_sets() == sets(("orders:read",))
    assert not create.inherited
    assert create.scope_sets() == sets(("orders:write",), ("openid", "partner:orders.write"))
    # one requirement object with two schemes: AND (the API key adds no scope)
    assert ops["delete.orders.orderId"].scope_sets() == sets(("orders:write", "orders:admin"))
    assert [u.scheme for u in ops["delete.orders.orderId"].security[0]] == ["orders_oauth", "api_key"]
    # a path item in another file: the operation points at that file's line
    refund = ops["refundOrder"].source.location()
    assert (refund.path.endswith("orders/paths/refunds.yaml"), refund.line) == (True, 1)
    assert ops["listRefunds"].scope_sets() == sets(("orders:read",))  # the global security reaches it


def test_swagger2_security_definitions():
    spec = read_spec(str(DATA / "petstore-swagger2.yaml"))
    assert spec.version == "2.0" and spec.dialect == "oas"
    assert set(spec.schemes["petstore_auth"].scopes) == {"read:pets", "write:pets"}
    ops = {o.id: o for o in spec.operations}
    assert ops["addPet"].scope_sets() == sets(("write:pets", "read:pets"))
    assert ops["getPetById"].scope_sets() == sets(())  # an API key: authenticated, no scope
    assert not ops["getInventory"].public and ops["getInventory"].security == ()


def test_aws_http_api_route_scopes_are_alternatives():
    spec = read_spec(str(DATA / "aws" / "ledger-http-api.json"))
    assert spec.dialect == "aws-apigateway"
    ops = {o.id: o for o in spec.operations}
    assert ops["get.journal-entries"].scope_sets() == sets(("ledger/journal.read",), ("ledger/journal.write",))
    assert ops["post.journal-entries.entryId.post"].scope_sets() == sets(("ledger/journal.post",))
    assert not ops["get.status"].public and ops["get.status"].scope_sets() == sets(())  # no authorizer on the route
    # ANY is not guessed into methods: said out loud, at its line
    (note,) = spec.notes
    assert "aws/ledger-http-api.json:" in note.split(" ")[0]
    assert "warning: ANY /legacy/{proxy+} (x-amazon-apigateway-any-method) not read" in note


def test_aws_rest_api_key_is_enforced_with_the_authorizer():
    ops = by_id(DATA / "aws" / "ledger-rest-api.yaml")
    post = ops["post.journal-entries"]
    assert [[u.scheme for u in alt] for alt in post.security] == [["ledger-cognito", "api_key"]]  # AND, not OR
    assert post.scope_sets() == sets(("ledger/journal.write",))
    # read as plain OpenAPI, the same document lets the API key alone through
    oas = by_id(DATA / "aws" / "ledger-rest-api.yaml", dialect="oas")
    assert oas["post.journal-entries"].scope_sets() == sets(())


@pytest.mark.parametrize("head", ["openapi: 3\n", "swagger: '1.2'\n", "openapi: '4.0.0'\n", "- 1\n"])
def test_what_is_not_an_openapi_document(tmp_path, head):
    spec = tmp_path / "s.yaml"
    spec.write_text(head)
    with pytest.raises(InputError) as e:
        read_spec(str(spec))
    assert "OpenAPI" in e.value.message


def test_stable_ids():
    assert stable_id(None, "GET", "/pets/{petId}") == "get.pets.petId"
    assert stable_id(None, "GET", "/") == "get.root"
    assert stable_id("list pets/all", "GET", "/x") == "list-pets-all"


@pytest.mark.parametrize(
    "body, message",
    [
        ("paths:\n  /a:\n    $ref: 'https://example.com/a.yaml'\n", "remote $ref refused"),
        ("paths:\n  /a:\n    $ref: '../../outside.yaml'\n", "outside the repository"),
        ("paths:\n  /a:\n    $ref: './missing.yaml'\n", "'./missing.yaml': no such file"),
        ("paths:\n  /a:\n    get:\n      security: [{nope: []}]\n", "security scheme 'nope' is not defined"),
        (
            "paths:\n  /a:\n    get: {operationId: x}\n  /b:\n    get: {operationId: x}\n",
            "operationId 'x' is also GET /a",
        ),
        ("paths: [1, 2]\n", "paths: expected a mapping"),
        ("paths:\n  /a:\n    get:\n      security: {a: 1}\n", "security: expected a list"),
        ("paths:\n  /a b:\n    get: {}\n", "holds whitespace"),
        ("paths:\n  a:\n    get: {}\n", "does not start with /"),
        ("paths:\n  /a:\n    get: [1]\n", "expected an operation object"),
        (
            "paths:\n  /a:\n    get:\n      security: [{k: [1]}]\ncomponents:\n  securitySchemes:\n"
            "    k: {type: apiKey, in: header, name: k}\n",
            "expected a list of scopes",
        ),
        ("paths:\n  /a:\n    $ref: '#/nowhere'\n", "$ref target not found"),
    ],
)
def test_bad_documents_name_the_line(tmp_path, body, message):
    (tmp_path / ".git").mkdir()
    spec = tmp_path / "api" / "spec.yaml"
    spec.parent.mkdir()
    spec.write_text("openapi: 3.1.0\ninfo: {title: t, version: '1'}\n" + body)
    with pytest.raises(InputError) as e:
        read_spec(str(spec))
    assert message in e.value.message and e.value.line is not None and e.value.line > 2


def test_undeclared_scope_is_a_warning(tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text(
        textwrap.dedent("""\
        openapi: 3.0.3
        info: {title: t, version: '1'}
        paths:
          /a:
            get:
              security: [{o: [a:write]}]
        components:
          securitySchemes:
            o: {type: oauth2, flows: {clientCredentials: {tokenUrl: /t, scopes: {a:read: r}}}}
        """)
    )
    notes = read_spec(str(spec)).notes
    assert len(notes) == 1 and ":6:" in notes[0] and "warning: scope 'a:write' is not declared" in notes[0]


@pytest.mark.parametrize(
    "spec",
    [
        "orders/openapi.yaml",
        "petstore-swagger2.yaml",
        "aws/ledger-http-api.json",
        "aws/ledger-rest-api.yaml",
        "admin-3.1.json",
    ],
)
def test_import_prints_a_valid_policy_with_exactly_the_specs_operations_and_scopes(capsys, tmp_path, spec):
    code, out, err = run(capsys, "import", "openapi", str(DATA / spec), "--api", "x")
    assert code == 0 and " read from " in err
    policy = tmp_path / "policy.yaml"
    policy.write_text(out)
    doc = load(str(policy), out.encode(), Limits())
    validate(doc, "policy")  # raises on a schema error
    read = read_spec(str(DATA / spec))
    assert [o["id"] for o in doc.data["operations"]] == [o.id for o in read.operations]
    assert {o["request"] for o in doc.data["operations"]} == {f"{o.method} {o.path}" for o in read.operations}
    used = {s for o in read.operations for a in o.security for u in a for s in u.scopes}
    declared = {s for scheme in read.schemes.values() for s in scheme.scopes}
    assert {p["name"] for p in doc.data["permissions"]} == used | declared
    # each operation is commented with its spec line
    for o in read.operations:
        where = o.source.location()
        assert f"# {where.path}:{where.line}: {o.method} {o.path}: " in out
    assert run(capsys, "validate", str(policy))[0] == 0


def test_import_of_a_remote_ref_is_one_line_exit_2(capsys):
    code, out, err = run(capsys, "import", "openapi", str(DATA / "remote-ref.yaml"))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "remote-ref.yaml:5:5: remote $ref refused" in err


# --- the configured cross-check ------------------------------------------------


@pytest.fixture
def orders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ORDERS, tmp_path / "orders")
    monkeypatch.chdir(tmp_path / "orders")
    return tmp_path / "orders"


def test_the_orders_example_is_clean(capsys, orders):
    code, out, err = run(capsys, "check")
    assert (code, err) == (0, "")
    assert out.splitlines()[-1].startswith("no findings; 3 applications x 2 environments x 6 operations")


def test_a_renamed_path_in_the_spec_is_found_at_the_spec_line(capsys, orders):
    spec = orders / "api" / "openapi.yaml"
    spec.write_text(spec.read_text().replace("  /orders/{orderId}:\n", "  /orders/{id}/details:\n"))
    code, out, _ = run(capsys, "check", "--select", "PC501,PC502")
    assert code == 1
    lines = [line for line in out.splitlines() if " PC50" in line]
    assert lines[0].startswith("api/openapi.yaml:34:5: error PC501 [getOrder] policy operation getOrder")
    assert "the document has GET /orders/{id}/details here (operationId getOrder), likely its new path" in lines[0]
    assert lines[1].startswith("api/openapi.yaml:38:5: error PC501 [delete.orders.orderId]")
    assert "PC502" not in out  # a rename is one finding, not a removed and an added operation


def test_a_policy_without_the_specs_scope_disagrees(capsys, orders):
    policy = orders / "policy.yaml"
    text = policy.read_text()
    policy.write_text(text.replace('permissions: ["orders:admin", "orders:write"]', 'permissions: ["orders:write"]'))
    code, out, _ = run(capsys, "check", "--select", "PC503")
    assert code == 1
    assert out.splitlines()[0] == (
        "api/openapi.yaml:38:5: error PC503 [delete.orders.orderId] DELETE /orders/{orderId} requires "
        "orders:admin and orders:write in the document, but policy operation delete.orders.orderId "
        "(policy.yaml:66:5) requires orders:write (the policy never mentions orders:admin)"
    )


def test_a_configured_spec_that_is_missing_is_exit_2(capsys, orders):
    (orders / "api" / "openapi.yaml").unlink()
    code, out, err = run(capsys, "check")
    assert code == 2 and out == "" and "api/openapi.yaml: no such file" in err


def test_the_example_policy_is_the_import_plus_bindings(capsys, orders):
    code, out, _ = run(capsys, "import", "openapi", "api/openapi.yaml", "--api", "orders")
    assert code == 0 and (orders / "policy.yaml").read_text().startswith(out)


DOC = (ROOT / "docs" / "openapi.md").read_text()


def test_the_docs_pc501_line_is_real(capsys, orders):
    spec = orders / "api" / "openapi.yaml"
    spec.write_text(spec.read_text().replace("  /orders/{orderId}:\n", "  /orders/{id}/details:\n"))
    _, out, _ = run(capsys, "check")
    (line,) = [x for x in out.splitlines() if "PC501 [getOrder]" in x]
    assert line in DOC


def test_the_docs_pc106_line_is_real(capsys, orders):
    export = orders / "export.yaml"
    export.write_text(
        export.read_text()
        + "      - permission_set: Refunders\n        status: approved\n        environments: [test]\n"
    )
    code, out, _ = run(capsys, "check", "--select", "PC106")
    assert code == 1
    (line,) = [x for x in out.splitlines() if " PC106 " in x]
    assert line in DOC


def test_min_coverage(capsys, orders):
    code, _, err = run(capsys, "check", "--min-coverage", "85")
    assert (code, err) == (0, "")
    code, out, err = run(capsys, "check", "--min-coverage", "90")
    assert code == 1 and err == "policycheck: coverage below 90%: policy operations bound 85.7%\n"
    assert "coverage: spec operations 7/7 (100%), policy operations bound 6/7 (85.7%)" in out


def test_coverage_in_the_json_report(capsys, orders):
    import json

    _, out, _ = run(capsys, "check", "--format", "json")
    assert json.loads(out)["coverage"] == {
        "spec_operations": {"covered": 7, "total": 7, "percent": 100.0},
        "policy_operations": {"covered": 6, "total": 7, "percent": 85.7},
        "bound_calls": {"covered": 20, "total": 20, "percent": 100.0},
    }


def test_a_bad_openapi_setting_is_exit_2(capsys, orders):
    (orders / ".policycheck.yaml").write_text("paths: [policy.yaml, export.yaml]\nopenapi: [{file: x}]\n")
    code, _, err = run(capsys, "check")
    assert code == 2 and "openapi: expected a list of paths, or of {path: FILE, api: NAME}" in err


# --- init ------------------------------------------------------------------------


def without_bindings(policy: Path) -> None:
    """The policy without its bindings: init then binds what can be called today (it never repeats a binding)."""
    import yaml

    doc = yaml.safe_load(policy.read_text(encoding="utf-8"))
    del doc["bindings"]
    policy.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def test_init_then_check_on_the_fixed_example(capsys, tmp_path, monkeypatch):
    shutil.copytree(ROOT / "policies" / "examples" / "cloudsuite-fixed", tmp_path / "fixed")
    monkeypatch.chdir(tmp_path / "fixed")
    without_bindings(tmp_path / "fixed" / "policy.yaml")
    code, out, _ = run(capsys, "init")
    assert code == 0 and out.startswith("wrote .policycheck.yaml and policycheck-starter.yaml: 1 application(s)")
    starter = (tmp_path / "fixed" / "policycheck-starter.yaml").read_text()
    assert '  - application: "compliance-sync"\n    environments: ["prod", "test"]\n' in starter
    assert run(capsys, "validate", "policycheck-starter.yaml")[0] == 0
    assert run(capsys, "check")[0] == 0
    # never overwritten without --force
    code, _, err = run(capsys, "init")
    assert code == 2 and ".policycheck.yaml exists: init never overwrites a file without --force" in err
    assert run(capsys, "init", "--force")[0] == 0


def test_init_binds_only_what_can_be_called_today(capsys, tmp_path, monkeypatch):
    shutil.copytree(ROOT / "policies" / "examples" / "cloudsuite", tmp_path / "story")
    monkeypatch.chdir(tmp_path / "story")
    without_bindings(tmp_path / "story" / "policy.yaml")
    assert run(capsys, "init", "--policy", "today.yaml")[0] == 0
    today = (tmp_path / "story" / "today.yaml").read_text()
    # prod: only the list call works today (the story's restructuring broke the others)
    assert '    environments: ["prod"]\n    operations:\n      - "gl.journal-entries.list"\n  - ' in today
    assert '    environments: ["test"]\n' in today


def test_init_from_an_openapi_document(capsys, orders):
    (orders / "policy.yaml").unlink()
    (orders / ".policycheck.yaml").unlink()
    code, _, _ = run(capsys, "init", "export.yaml", "--openapi", "api/openapi.yaml", "--api", "orders")
    assert code == 0
    assert "openapi: [{path: api/openapi.yaml, api: orders}]" in (orders / ".policycheck.yaml").read_text()
    assert run(capsys, "validate", "policycheck-starter.yaml")[0] == 0
    code, out, _ = run(capsys, "check", "--select", "PC101,PC106,PC501,PC502,PC503")
    assert code == 0 and "coverage: spec operations 7/7 (100%)" in out


def test_oas31_roles_of_a_non_oauth_scheme_and_webhooks_left_out():
    spec = read_spec(str(DATA / "admin-3.1.json"))
    assert spec.version == "3.1.0" and [o.id for o in spec.operations] == ["listUsers"]  # webhooks are not paths
    assert spec.operations[0].scope_sets() == sets(("admin",), ("auditor",))
    assert spec.notes == ()  # role names of an http scheme are not OAuth scopes to declare


def test_an_openapi_document_among_the_inputs_is_named_as_one(capsys, orders):
    code, _, err = run(capsys, "check", ".", "-v")
    assert code == 0
    assert "policycheck: api/openapi.yaml: skipped (an OpenAPI document: read only when the configuration" in err
    code, out, err = run(capsys, "check", "api/openapi.yaml", "policy.yaml", "export.yaml")
    assert (code, out) == (2, "")
    assert err.startswith("policycheck: api/openapi.yaml:1:1: an OpenAPI document: name it in the configuration")
