"""`policycheck diff`: the story's restructuring, before (it can post in prod) and after (read-only)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from policycheck.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "policies" / "examples"
POLICY = str(EXAMPLES / "cloudsuite" / "policy.yaml")
BEFORE = str(EXAMPLES / "cloudsuite-fixed" / "export.yaml")
AFTER = str(EXAMPLES / "cloudsuite" / "export.yaml")


def diff(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    code = main(["diff", "--no-config", "--policies", POLICY, "--format", "json", *args])
    return code, json.loads(capsys.readouterr().out)


def test_the_restructuring_loses_exactly_create_and_post_in_prod(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, report = diff(capsys, BEFORE, AFTER)
    assert code == 1
    found = [(f["rule"], f["application"], f["environment"], f["operation"]) for f in report["findings"]]
    assert found == [
        ("PC301", "compliance-sync", "prod", "gl.journal-entries.create"),
        ("PC301", "compliance-sync", "prod", "gl.journal-entries.post"),
    ]
    post = report["findings"][1]
    assert post["message"] == (
        "compliance-sync loses gl.journal-entries.post in prod: 'General Ledger - Journal Entry Post': "
        "prod no longer inherits base, where permission set 'GL Journal Posting' is mapped"
    )
    assert post["location"]["path"] == "policies/examples/cloudsuite/export.yaml"


def test_the_repair_gains_access_which_fails_only_when_asked(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, report = diff(capsys, AFTER, BEFORE)
    assert code == 0
    # one cause (the same new permissions in prod), with both calls it opens
    assert [(f["rule"], f["severity"], f["count"], f["cells"]) for f in report["findings"]] == [
        (
            "PC302",
            "note",
            2,
            [
                ["compliance-sync", "prod", "gl.journal-entries.create"],
                ["compliance-sync", "prod", "gl.journal-entries.post"],
            ],
        ),
    ]
    code, report = diff(capsys, AFTER, BEFORE, "--fail-on-new-access")
    assert code == 1 and {f["severity"] for f in report["findings"]} == {"error"}


def test_no_change_is_clean(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, report = diff(capsys, AFTER, AFTER)
    assert (code, report["findings"]) == (0, [])


def test_base_ref_reads_the_old_export_from_git(tmp_path, capsys, monkeypatch):
    repo = tmp_path / "repo"
    repo.mkdir()
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e"}
    for k, v in env.items():
        monkeypatch.setenv(k, v)

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    shutil.copy(POLICY, repo / "policy.yaml")
    shutil.copy(BEFORE, repo / "export.yaml")
    git("add", "-A")
    git("commit", "-qm", "before")
    shutil.copy(AFTER, repo / "export.yaml")
    monkeypatch.chdir(repo)
    code = main(["diff", "--no-config", "--policies", "policy.yaml", "--base-ref", "main", "export.yaml"])
    out = capsys.readouterr().out
    assert code == 1
    assert out.count("error PC301") == 2 and out.startswith("export.yaml:29:5: error PC301")
    assert main(["diff", "--no-config", "--policies", "policy.yaml", "--base-ref", "nope", "export.yaml"]) == 2
    assert capsys.readouterr().err == "policycheck: git has no export.yaml at 'nope'\n"


def test_usage(capsys):
    assert main(["diff", "--no-config", "--policies", POLICY, AFTER]) == 2
    assert "give BEFORE AFTER, or --base-ref REF AFTER" in capsys.readouterr().err
