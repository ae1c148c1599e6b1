"""Every exit-2 line names file:line:column where the input has one (issue 13 item 11)."""

from __future__ import annotations

import os

import pytest
from tokens_helpers import ROOT, assert_one_line_error, cli, write

STORY = ROOT / "policies" / "examples" / "cloudsuite"
HEAD = "apiVersion: policycheck/v1\nkind: Policy\npermissions:\n"


@pytest.mark.parametrize(
    ("name", "raw", "where"),
    [
        ("latin1.yaml", HEAD.encode() + b"  - name: caf\xe9 x\n", "latin1.yaml:4:14: invalid YAML"),
        ("control.yaml", HEAD.encode() + b'  - name: "\xc3\xa9\xc3\xa9\x01"\n', "control.yaml:4:14: invalid YAML"),
        ("latin1.json", b'{"apiVersion": "policycheck/v1",\n "kind": "Policy", "x": "caf\xe9"}\n', "latin1.json:2:29:"),
        ("utf16.yaml", "a: 1\nb: 2\n".encode("utf-16") + b"\x00", "utf16.yaml:3:1: invalid YAML"),
    ],
)
def test_encoding_errors_have_a_column(capsys, tmp_path, monkeypatch, name, raw, where):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / name, raw)
    assert_one_line_error(cli(capsys, "check", "--no-config", name), where)


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        (".policycheck.yaml", "paths: [.]\nfail-on: fatal\n", ".policycheck.yaml:2:1: fail-on:"),
        (".policycheck.yaml", "paths: [.]\nseverity:\n  PC101: loud\n", ".policycheck.yaml:3:3: severity.PC101:"),
        (".policycheck.yaml", "paths: [.]\nbogus: 1\n", ".policycheck.yaml:2:1: unknown setting 'bogus'"),
        (".policycheck.yaml", "- paths\n", ".policycheck.yaml:1:1: expected a mapping"),
        (".policycheck.yaml", "paths: 3\n", ".policycheck.yaml:1:1: paths: expected a list"),
        (
            "pyproject.toml",
            '[project]\nname = "x"\n\n[tool.policycheck]\n  fail-on = "x"\n',
            "pyproject.toml:5:3: fail-on:",
        ),
        ("pyproject.toml", '[tool.policycheck]\n[tool.policycheck.severity]\nPC101 = "x"\n', "pyproject.toml:2:1:"),
        ("pyproject.toml", "[tool.policycheck]\n  paths = 3\n", "pyproject.toml:2:3: paths: expected a list"),
        ("pyproject.toml", '[tool.policycheck]\npaths = [".",\n', "pyproject.toml:3:1: invalid TOML"),
        ("pyproject.toml", "[tool.policycheck]\nx = = 1\n", "pyproject.toml:2:5: invalid TOML"),
    ],
)
def test_configuration_errors_have_a_line_and_column(capsys, tmp_path, monkeypatch, name, text, where):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / name, text)
    assert_one_line_error(cli(capsys, "check"), where)


def test_toml_that_is_not_utf8(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "pyproject.toml", b'[tool.policycheck]\npaths = ["caf\xe9"]\n')
    assert_one_line_error(cli(capsys, "check"), "pyproject.toml:2:14: invalid TOML (not UTF-8 text)")


def test_a_broken_baseline_has_a_line_and_column(capsys, tmp_path):
    write(tmp_path / "b.json", '{"version": "1",\n  "findings": [}\n')
    run = cli(
        capsys, "check", "--no-config", STORY / "policy.yaml", STORY / "export.yaml", "--baseline", tmp_path / "b.json"
    )
    assert_one_line_error(run, "b.json:2:16: expected a baseline")


CLOUDSUITE = os.path.join(ROOT, "policies", "examples", "cloudsuite")


@pytest.mark.parametrize(
    ("name", "text", "shown"),
    [
        (".policycheck.yaml", "select: [PC101, PC999]\n", ".policycheck.yaml:1:17: select: unknown rule 'PC999'"),
        (".policycheck.yaml", "ignore:\n  - nope\n", ".policycheck.yaml:2:5: ignore: unknown rule 'nope'"),
        (".policycheck.yaml", "severity:\n  PC999: error\n", ".policycheck.yaml:2:3: severity: unknown rule 'PC999'"),
        (".policycheck.yaml", "paths: [nonexist/]\n", ".policycheck.yaml:1:9: paths: 'nonexist/': no such file"),
        (".policycheck.yaml", "waivers: [w.yaml]\n", ".policycheck.yaml:1:11: waivers: 'w.yaml': no such file"),
        ("pyproject.toml", '[tool.policycheck]\nselect = ["PC999"]\n', "pyproject.toml:2:1: select: unknown rule"),
        ("pyproject.toml", "[tool.policycheck\n", "pyproject.toml:1:18: invalid TOML"),
    ],
)
def test_a_wrong_setting_is_named_where_it_is_written(capsys, tmp_path, monkeypatch, name, text, shown):
    """Configuration errors say file:line:column of the setting, not a bare name found later."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / name, text)
    run = cli(capsys, "check", CLOUDSUITE)
    assert run.code == 2 and run.err.startswith(f"policycheck: {shown}"), run
