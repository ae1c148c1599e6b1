from __future__ import annotations

import json

import pytest

from policycheck.cli import main

from .base import EXPORT, POLICY
from .conftest import POLICY_HEAD, brief

SECRET = "s3cr3t-Client-VALUE-9f8e7d"
FIX = "remove it from the file (mask it, or keep credentials in a secret store), and rotate it if it was ever committed"


def with_secret(value: str, key: str = "client_secret") -> str:
    """EXPORT with `key: value` in app's entry: export.yaml line 19, column 5 (after the header)."""
    return EXPORT.replace("    grants:\n", f"    {key}: {value}\n    grants:\n", 1)


def shown(f) -> str:
    return repr(f) + f.message + f.fix + (f.subject or "")


def test_fails_at_the_key_and_never_shows_the_value(check):
    found = check(POLICY, with_secret(SECRET), "PC907")
    assert [brief(f) for f in found] == [("PC907", "export.yaml", 19, None, None, None)]
    assert (found[0].location.column, found[0].subject) == (5, "client_secret")
    assert found[0].message == (
        "'client_secret' holds a secret in a file that is checked in (policycheck dropped it unread)"
    )
    assert found[0].fix == FIX
    assert SECRET not in shown(found[0])


@pytest.mark.parametrize("value", ['"**********"', "${APP_SECRET}", "$(env:APP_SECRET)", "REDACTED", "null", '""'])
def test_passes_when_the_value_is_masked_a_placeholder_or_empty(check, value):
    assert check(POLICY, with_secret(value), "PC907") == []


def test_each_secret_key_is_named_with_its_line(check):
    export = with_secret(SECRET, "password").replace("    password:", f"    client_secret: {SECRET}x\n    password:")
    found = check(POLICY, export, "PC907")
    assert [(f.subject, f.location.line, f.location.column) for f in found] == [
        ("client_secret", 19, 5),
        ("password", 20, 5),
    ]
    assert all(SECRET not in shown(f) for f in found)


def test_an_environment_called_secret_is_a_name_not_a_secret(check):
    export = EXPORT.replace("clients: {test: app-tst, prod: app-prd}", "clients: {test: app-tst, secret: app-sec}")
    assert check(POLICY, export, "PC907") == []


def test_json_export_and_every_cli_format_keep_the_value_out(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "policy.yaml").write_text(POLICY_HEAD + POLICY)
    export = {
        "apiVersion": "policycheck/v1",
        "kind": "GatewayExport",
        "environments": [{"name": "test"}, {"name": "prod"}],
        "applications": [{"id": "app", "clients": {"prod": "app-prd"}, "clientSecret": SECRET, "grants": []}],
    }
    text = json.dumps(export, indent=2)
    (tmp_path / "export.json").write_text(text)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if SECRET in t)
    column = text.splitlines()[line - 1].index('"clientSecret"') + 1
    for fmt in ("text", "json", "sarif", "github", "markdown"):
        main(["check", "--no-config", "--no-color", "--format", fmt, "policy.yaml", "export.json"])
        out, err = capsys.readouterr()
        assert "PC907" in out, fmt
        assert SECRET not in out + err, fmt
    main(["check", "--no-config", "--format", "json", "--select", "PC907", "policy.yaml", "export.json"])
    report = json.loads(capsys.readouterr().out)
    assert [(f["rule"], f["subject"], f["location"]) for f in report["findings"]] == [
        ("PC907", "clientSecret", {"path": "export.json", "line": line, "column": column})
    ]
