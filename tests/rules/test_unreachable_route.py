from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import brief
from .gateway_helpers import findings

KONG = """\
_format_version: "3.0"
plugins:
  - name: key-auth
routes:
  - name: items
    paths: [/items]
    plugins:
      - name: request-termination
        config: {status_code: 503, message: maintenance}
consumers:
  - username: app
"""


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_fails_at_the_termination_plugin_with_every_call_it_breaks(here: Path) -> None:
    (found,) = findings(here, "PC107", {"kong-prod.yaml": KONG})
    assert brief(found) == ("PC107", "kong-prod.yaml", 8, "app", "prod", None)
    assert [c[2] for c in found.cells] == ["items.list", "items.create"]
    assert found.message == (
        "route 'items' answers every request with 503 itself (request-termination): app cannot call "
        "items.list, items.create in prod"
    )
    assert found.fix == "remove (or disable) the request-termination plugin of route 'items' in prod"


def test_an_acl_without_authentication_closes_the_route(here: Path) -> None:
    kong = KONG.replace("plugins:\n  - name: key-auth\n", "").replace(
        "name: request-termination\n        config: {status_code: 503, message: maintenance}",
        "name: acl\n        config: {allow: [writers]}",
    )
    (found,) = findings(here, "PC107", {"kong-prod.yaml": kong})
    assert brief(found)[:3] == ("PC107", "kong-prod.yaml", 6)
    assert found.message.startswith("route 'items' has an acl plugin but no authentication plugin")


def test_passes_when_the_plugin_is_disabled(here: Path) -> None:
    kong = KONG.replace("- name: request-termination\n", "- name: request-termination\n        enabled: false\n")
    assert findings(here, "PC107", {"kong-prod.yaml": kong}) == []


def test_an_environment_without_gateway_configuration_is_not_judged(here: Path) -> None:
    assert findings(here, "PC107", {"kong-test.yaml": KONG}) == []  # app is bound in prod only
