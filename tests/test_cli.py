"""The command line as a user runs it: options, configuration, exit codes, the error boundary."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry

from policycheck.cli import main
from policycheck.commands import check as app
from policycheck.loading.schemas import NAMES, schema

ROOT = Path(__file__).resolve().parent.parent
STORY = ROOT / "policies" / "examples" / "cloudsuite"


@pytest.fixture
def story(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(STORY, tmp_path / "gw")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith("policycheck 0.1.0 (Python ") and "YAML loader" in out


def test_python_dash_m_and_the_console_script_agree():
    for cmd in (
        [sys.executable, "-m", "policycheck", "--version"],
        [str(Path(sys.executable).parent / "policycheck"), "--version"],
    ):
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        assert done.returncode == 0 and done.stdout.startswith("policycheck 0.1.0"), cmd


def test_rules_lists_every_rule_and_shows_one(capsys):
    code, out, _ = run(capsys, "rules")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == [
        "PC101",
        "PC102",
        "PC103",
        "PC104",
        "PC105",
        "PC106",
        "PC107",
        "PC108",
        "PC109",
        "PC110",
        "PC111",
        "PC112",
        "PC113",
        "PC114",
        "PC201",
        "PC202",
        "PC203",
        "PC204",
        "PC205",
        "PC301",
        "PC302",
        "PC303",
        "PC401",
        "PC402",
        "PC403",
        "PC404",
        "PC501",
        "PC502",
        "PC503",
        "PC901",
        "PC902",
        "PC903",
        "PC904",
        "PC905",
        "PC906",
        "PC907",
    ]
    code, out, _ = run(capsys, "rules", "inheritance-gap")
    assert code == 0 and out.startswith("PC103 inheritance-gap:") and "Failing example" in out


def test_schema_prints_valid_json(capsys):
    code, out, _ = run(capsys, "schema", "policy")
    assert code == 0 and json.loads(out)["title"] == "policycheck policy, version 1"


@pytest.mark.parametrize("name", list(NAMES))
def test_schema_prints_every_shipped_schema(capsys, name):
    code, out, err = run(capsys, "schema", name)
    assert (code, err) == (0, "")
    assert json.loads(out) == schema(name)
    assert name in run(capsys, "schema", "--help")[1]


def test_validate_reads_token_profiles(capsys, tmp_path):
    assert "token-profile" in run(capsys, "validate", "--help")[1]
    profile = tmp_path / "token-profile.yaml"
    profile.write_text(
        "apiVersion: policycheck/v1\nkind: TokenProfile\nname: p\npermission_claims: scope\n", encoding="utf-8"
    )
    code, out, err = run(capsys, "validate", str(profile))
    assert code == 1 and "permission_claims" in out + err


def test_json_report_is_valid_against_its_schema(story, capsys):
    code, out, _ = run(capsys, "check", "gw", "--format", "json")
    assert code == 1
    report = json.loads(out)
    Draft202012Validator(schema("report"), registry=Registry()).validate(report)
    assert report["summary"]["errors"] == len(report["findings"]) == 8


def test_select_ignore_and_fail_on(story, capsys):
    code, out, _ = run(capsys, "check", "gw", "--select", "PC102,PC104", "--format", "json")
    assert {f["rule"] for f in json.loads(out)["findings"]} == {"PC102", "PC104"}
    code, out, _ = run(capsys, "check", "gw", "--ignore", "missing-grant", "--ignore", "PC103", "--format", "json")
    assert {f["rule"] for f in json.loads(out)["findings"]} == {"PC102", "PC104", "PC203"}
    code, _, err = run(capsys, "check", "gw", "--select", "PC999")
    assert code == 2 and err == "policycheck: unknown rule 'PC999' (see 'policycheck rules')\n"


def test_fail_on_error_ignores_warnings(story, capsys):
    # only a warning-level rule selected: fails at the default level, passes at --fail-on error
    policy = story / "gw" / "policy.yaml"
    policy.write_text(
        policy.read_text().replace(
            "    parity: [prod]\n",
            "    parity: [prod]\n    allowed_differences:\n      - permission: General Ledger - Read\n"
            "        reason: r\n        owner: o\n        expires: 2020-01-01\n",
        )
    )
    assert run(capsys, "check", "gw", "--select", "PC105")[0] == 1
    assert run(capsys, "check", "gw", "--select", "PC105", "--fail-on", "error")[0] == 0


def test_configuration_file_is_found_from_a_subdirectory(story, capsys, monkeypatch):
    (story / ".policycheck.yaml").write_text("paths: [gw]\nselect: [PC102]\n")
    (story / "sub").mkdir()
    monkeypatch.chdir(story / "sub")
    code, out, _ = run(capsys, "check")
    assert code == 1
    assert out.splitlines()[0].startswith("../gw/export.yaml:46:9: error PC102 ")


def test_pyproject_table(story, capsys):
    (story / "pyproject.toml").write_text(
        '[tool.policycheck]\npaths = ["gw"]\nfail-on = "error"\n'
        'severity = {PC101 = "warning", PC102 = "warning", '
        'PC103 = "warning", PC104 = "warning", PC203 = "warning"}\n'
    )
    code, out, _ = run(capsys, "check")
    assert code == 0
    assert out.endswith("8 warnings; 1 application x 2 environments x 3 operations checked (6 bindings, 3 files)\n")


def test_bad_configuration_is_exit_2(story, capsys):
    (story / ".policycheck.yaml").write_text("paths: [gw]\nfail-on: sometimes\n")
    code, _, err = run(capsys, "check")
    assert (code, err) == (2, "policycheck: .policycheck.yaml:2:1: fail-on: expected error, warning or note\n")


def test_no_paths_and_no_configuration(story, capsys):
    code, _, err = run(capsys, "check", "--no-config")
    assert code == 2 and err.startswith("policycheck: nothing to check: give PATHS")


def test_output_file(story, capsys):
    code, out, _ = run(capsys, "check", "gw", "--format", "json", "--output", "report.json")
    assert code == 1 and out == ""
    assert json.loads((story / "report.json").read_text())["summary"]["errors"] == 8


def test_usage_error_is_exit_2_not_1(story, capsys):
    code, _, err = run(capsys, "check", "gw", "--format", "yaml")
    assert code == 2 and "Invalid value for '--format'" in err


def test_internal_error_is_exit_2_with_a_hint(story, capsys, monkeypatch):
    def boom(options):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(app, "run", boom)
    code, _, err = run(capsys, "check", "gw")
    assert code == 2
    assert err == ("policycheck: internal error: ZeroDivisionError (a bug; rerun with --traceback and report it)\n")
    code, _, err = run(capsys, "--traceback", "check", "gw")
    assert code == 2 and "Traceback" in err


def test_colour_only_when_asked(story, capsys):
    _, plain, _ = run(capsys, "check", "gw")
    _, coloured, _ = run(capsys, "check", "gw", "--color")
    assert "\x1b[" not in plain and "\x1b[31merror\x1b[0m" in coloured
