import json
from datetime import date
from pathlib import Path

import pytest

from .vendor import POLICY, findings

TODAY = date(2026, 11, 29)
SPEC = "openapi: 3.0.1\ninfo: {title: items, version: '1'}\npaths:\n  /items:\n    get: {operationId: list}\n    post: {operationId: create}\n"


def policy_xml(claims: str = "", base: bool = True) -> str:
    check = f"<validate-jwt header-name='Authorization'><required-claims>{claims}</required-claims></validate-jwt>"
    return f"<policies>\n  <inbound>\n    {'<base />' if base else ''}\n    {check if claims else ''}\n  </inbound>\n</policies>\n"


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "apim/apis/items/operations/create").mkdir(parents=True)
    (tmp_path / "apim/apis/items/apiInformation.json").write_text(
        json.dumps({"properties": {"path": "api", "displayName": "items"}})
    )
    (tmp_path / "apim/apis/items/specification.yaml").write_text(SPEC)
    (tmp_path / "policy.yaml").write_text(POLICY)
    return tmp_path


WRITE = "<claim name='roles' match='all'><value>Items.Write</value></claim>"


def test_an_operation_policy_without_base_leaves_the_call_unchecked(here: Path) -> None:
    (here / "apim/apis/items/policy.xml").write_text(policy_xml(WRITE))
    (here / "apim/apis/items/operations/create/policy.xml").write_text(policy_xml(base=False))
    found = findings(here, "PC112", TODAY)
    assert [(f.location.path, f.location.line, f.environment, f.operation) for f in found] == [
        ("apim/apis/items/operations/create/policy.xml", 2, "apim", "items.create"),
    ]
    assert found[0].message == (
        "in apim, the gateway validates no token on POST /items of API 'items' (through an API subscription), while "
        "items.create requires authorization: apim/apis/items/operations/create/policy.xml has no <base /> in "
        "<inbound>, so the token checks of the scopes above it do not apply"
    )
    assert found[0].fix == "add <base /> to that <inbound>, or a validate-jwt with the required claims"


def test_a_claim_the_policy_does_not_name(here: Path) -> None:
    (here / "apim/apis/items/operations/create/policy.xml").write_text(
        policy_xml("<claim name='roles' match='all'><value>Items.Write</value><value>Items.Admin</value></claim>")
    )
    found = [f for f in findings(here, "PC112", TODAY) if f.operation == "items.create"]
    assert [(f.location.line, f.subject) for f in found] == [(4, "claim:items:roles:Items.Admin")]
    assert "requires claim 'roles' to hold 'Items.Admin' on POST /items" in found[0].message


def test_passes_when_the_inherited_check_names_what_the_policy_requires(here: Path) -> None:
    (here / "apim/apis/items/policy.xml").write_text(policy_xml(WRITE))
    (here / "apim/apis/items/operations/create/policy.xml").write_text(policy_xml())
    found = findings(here, "PC112", TODAY)
    # items.list names no claims: the API's check is not compared with it, and it is not open
    assert found == []


def test_operations_the_gateway_does_not_serve_are_not_compared(here: Path) -> None:
    (here / "apim/apis/items/specification.yaml").write_text(SPEC.replace("/items:", "/other:"))
    assert findings(here, "PC112", TODAY) == []
