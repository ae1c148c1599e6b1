"""The habits of the ecosystem: NO_COLOR and FORCE_COLOR, -q, rules as JSON, a bare call's help,
shell completion, and annotations by default under GitHub Actions; the audit header of the HTML page."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from policycheck.cli import main
from policycheck.rules import REGISTRY

ROOT = Path(__file__).resolve().parent.parent
STORY = ROOT / "policies" / "examples" / "cloudsuite"
ESC = "\x1b["


@pytest.fixture
def story(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(STORY, tmp_path / "gw")
    monkeypatch.chdir(tmp_path)
    for name in ("NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("env", "flag", "coloured"),
    [
        ({}, None, False),  # not a terminal
        ({"FORCE_COLOR": "1"}, None, True),
        ({"FORCE_COLOR": ""}, None, False),  # empty means unset (force-color.org)
        ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, None, False),  # NO_COLOR wins, as in CPython
        ({"NO_COLOR": "1"}, "--color", True),  # an explicit flag wins over both
        ({"FORCE_COLOR": "1"}, "--no-color", False),
    ],
)
def test_color_follows_no_color_and_force_color(
    env: dict[str, str], flag: str | None, coloured: bool, story: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, out, _ = run(capsys, "check", "gw", *([flag] if flag else []))
    assert code == 1 and (ESC in out) is coloured


def test_quiet_prints_the_summary_only_and_keeps_the_files_whole(story: Path, capsys) -> None:
    code, out, err = run(capsys, "check", "gw", "-q", "--format", "text", "--format", "json=r.json")
    assert code == 1 and err == ""
    assert out == "8 errors; 1 application x 2 environments x 3 operations checked (6 bindings, 3 files)\n"
    assert len(json.loads((story / "r.json").read_text())["findings"]) == 8


def test_quiet_diff(story: Path, capsys) -> None:
    shutil.copytree(ROOT / "policies" / "examples" / "cloudsuite-fixed", story / "before")
    code, out, _ = run(capsys, "diff", "-q", "--policies", "gw/policy.yaml", "before/export.yaml", "gw/export.yaml")
    assert code == 1 and out.count("\n") == 1 and out.startswith("2 errors")


def test_github_actions_adds_annotations_to_the_default_diff_text(story: Path, monkeypatch, capsys) -> None:
    shutil.copytree(ROOT / "policies" / "examples" / "cloudsuite-fixed", story / "before")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code, out, _ = run(capsys, "diff", "--policies", "gw/policy.yaml", "before/export.yaml", "gw/export.yaml")
    assert code == 1 and "::error title=policycheck::" in out and out.count("title=PC301 ") == 2
    assert out.index("PC301") < out.index("::error")  # the text report first


def test_rules_as_json(capsys) -> None:
    code, out, _ = run(capsys, "rules", "--format", "json")
    rules = json.loads(out)
    assert code == 0 and [r["id"] for r in rules] == list(REGISTRY)
    first = rules[0]
    assert set(first) == {"id", "name", "severity", "summary", "help_uri", "documentation"}
    assert first["help_uri"].endswith("#pc101-missing-grant") and first["severity"] == "error"
    code, out, _ = run(capsys, "rules", "missing-grant", "--format", "json")
    assert code == 0 and json.loads(out) == first


def test_a_bare_call_prints_the_help_formatted(capsys) -> None:
    code, out, err = run(capsys)
    assert code == 2 and err == ""  # nothing was checked: a usage error, never a pass
    assert out.startswith("Usage: policycheck [OPTIONS] COMMAND [ARGS]...\n\n")
    assert "\nCommands:\n" in out and "\n  check " in out


def test_shell_completion_is_click_s(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "policycheck"
    env = {**os.environ, "_POLICYCHECK_COMPLETE": "bash_source"}
    done = subprocess.run([str(exe)], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and "_policycheck_completion()" in done.stdout
    env = {**os.environ, "_POLICYCHECK_COMPLETE": "bash_complete", "COMP_WORDS": "policycheck ch", "COMP_CWORD": "1"}
    done = subprocess.run([str(exe)], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert "plain,check" in done.stdout.splitlines()


def test_github_actions_adds_annotations_to_the_default_text(story: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code, out, _ = run(capsys, "check", "gw")
    text, _, annotations = out.partition("::error title=policycheck::")
    assert code == 1 and "gw/export.yaml:25:5: error PC103" in text and text.rstrip().endswith("3 files)")
    assert annotations.count("\n::error file=gw/export.yaml") == 8
    code, out, _ = run(capsys, "check", "gw", "--format", "text")  # a format given: exactly that
    assert "::error" not in out
    monkeypatch.setenv("GITHUB_ACTIONS", "false")
    code, out, _ = run(capsys, "check", "gw")
    assert "::error" not in out


def test_html_header_is_an_audit_record(story: Path, capsys) -> None:
    subprocess.run(["git", "init", "-q"], check=True)
    subprocess.run(["git", "add", "gw"], check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "x"], check=True)
    head = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    (story / "gw" / "policy.yaml").write_text((story / "gw" / "policy.yaml").read_text() + "\n# edited\n")
    code, _, _ = run(capsys, "check", "gw", "--today", "2026-11-28", "--format", "html=r.html")
    page = (story / "r.html").read_text()
    import hashlib

    digest = hashlib.sha256((story / "gw" / "export.yaml").read_bytes()).hexdigest()
    assert code == 1 and "<dt>date</dt><dd>2026-11-28 (expiry dates evaluated as of this day)</dd>" in page
    assert f"<dt>commit</dt><dd><code>{head}</code> (with uncommitted changes to 1 inputs: " in page
    assert f"<code>gw/export.yaml</code> sha256 <code>{digest}</code>" in page
