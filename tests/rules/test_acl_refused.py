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
      - name: acl
        config: {allow: [api/items:write], deny: [contractors]}
consumers:
  - username: app
    acls: [{group: api/items:write}, {group: contractors}]
"""


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_fails_at_the_acl_plugin_when_a_denied_group_is_held(here: Path) -> None:
    (found,) = findings(here, "PC108", {"kong-prod.yaml": KONG})
    assert brief(found) == ("PC108", "kong-prod.yaml", 8, "app", "prod", None)
    assert found.message == (
        "the acl plugin of route 'items' denies group 'contractors' in prod, and app is in it: "
        "items.list, items.create refused whatever else is held (deny wins)"
    )


def test_fails_when_the_allowed_group_is_only_a_consumer_group(here: Path) -> None:
    kong = KONG.replace(", deny: [contractors]", "").replace(
        "    acls: [{group: api/items:write}, {group: contractors}]\n", "    groups: [{name: api/items:write}]\n"
    )
    (found,) = findings(here, "PC108", {"kong-prod.yaml": kong})
    assert brief(found) == ("PC108", "kong-prod.yaml", 8, "app", "prod", None)
    assert "include_consumer_groups is not true" in found.message
    assert found.fix.startswith("set include_consumer_groups: true on the acl plugin of route 'items' in prod")


def test_passes_without_the_denied_group_or_with_consumer_groups_included(here: Path) -> None:
    assert findings(here, "PC108", {"kong-prod.yaml": KONG.replace(", {group: contractors}", "")}) == []
    included = KONG.replace(", deny: [contractors]", ", include_consumer_groups: true").replace(
        "    acls: [{group: api/items:write}, {group: contractors}]\n", "    groups: [{name: api/items:write}]\n"
    )
    assert findings(here, "PC108", {"kong-prod.yaml": included}) == []
