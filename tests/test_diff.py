"""`policycheck diff`: the story's restructuring, before (it can post in prod) and after (read-only)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
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
    assert capsys.readouterr().err == "policycheck: git has no revision 'nope' (or this is not a git work tree)\n"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """A git repository in tmp with the two realms' policy committed on main; git(...) runs in it."""
    import realms

    root = tmp_path / "repo"
    root.mkdir()
    for k, v in {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t"}.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "t@e")

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    (root / "policies").mkdir()
    (root / "policies" / "policy.yaml").write_text(realms.POLICY, encoding="utf-8")
    git("add", "-A")
    git("commit", "-qm", "the policy")
    monkeypatch.chdir(root)
    return git


def test_base_ref_an_export_new_in_the_change_is_all_new_access(repo, capsys):
    import realms

    realms.write_pair(Path("gw"), realms.CHILDREN)
    repo("checkout", "-qb", "add-realms")
    repo("add", "-A")
    repo("commit", "-qm", "the realms")  # new in this branch: absent at main
    args = ["diff", "--no-config", "--policies", "policies", "--base-ref", "main", "--format", "json", "gw"]
    assert main(args) == 0
    out, err = capsys.readouterr()
    assert err == "policycheck: gw: note: not in main (new in this change): everything it grants is new access\n"
    found = json.loads(out)["findings"]
    assert {(f["rule"], f["severity"]) for f in found} == {("PC302", "note")}
    cells = {tuple(c) for f in found for c in f.get("cells", [[f["application"], f["environment"], f["operation"]]])}
    assert len(cells) == 2 * 2 * 3  # every bound call of both connectors in both realms
    assert main([*args, "--fail-on-new-access"]) == 1


def test_base_ref_reads_a_file_deleted_since_the_base(repo, capsys):
    import realms

    realms.write_pair(Path("gw"), realms.CHILDREN)
    repo("add", "-A")
    repo("commit", "-qm", "the realms")
    Path("gw/stable/stable-realm.json").unlink()  # the pull request deletes stable's export
    code = main(["diff", "--no-config", "--policies", "policies", "--base-ref", "main", "--format", "json", "gw"])
    out, err = capsys.readouterr()
    assert (code, err) == (1, "")
    found = json.loads(out)["findings"]
    lost = {(f["environment"], f["rule"]) for f in found if f["rule"] == "PC301"}
    assert lost == {("stable", "PC301")}
    shrunk = [f for f in found if f["rule"] == "PC303"]
    assert [f["location"]["path"] for f in shrunk] == ["main:gw/stable/stable-realm.json"]
    assert "(not in the new export) shrank: realms 1 -> 0 (vanished)" in shrunk[0]["message"]


def test_usage(capsys):
    assert main(["diff", "--no-config", "--policies", POLICY, AFTER]) == 2
    assert "give BEFORE AFTER, or --base-ref REF AFTER" in capsys.readouterr().err


def test_a_broken_export_read_twice_is_one_line(tmp_path, capsys):
    shutil.copy(POLICY, tmp_path / "policy.yaml")
    broken = tmp_path / "export.json"  # read as BEFORE, as AFTER, and beside the policies
    broken.write_text('{"apiVersion": "policycheck/v1", "kind": "GatewayExport",\n "applications": [{"id": 5,}]}\n')
    assert main(["diff", "--no-config", "--policies", str(tmp_path), str(broken), str(broken)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "export.json:2:" in err and ": invalid JSON: " in err, err  # columns vary by Python


def test_base_ref_an_export_deleted_in_the_change_loses_everything(repo, capsys):
    import realms

    realms.write_pair(Path("gw"), realms.CHILDREN)
    repo("add", "-A")
    repo("commit", "-qm", "the realms")
    shutil.rmtree("gw")  # the pull request deletes the whole export folder
    code = main(["diff", "--no-config", "--policies", "policies", "--base-ref", "main", "--format", "json", "gw"])
    out, err = capsys.readouterr()
    assert code == 1
    assert err == "policycheck: gw: note: not in the work tree (deleted in this change): what it grants is lost\n"
    found = json.loads(out)["findings"]
    lost = {
        tuple(c)
        for f in found
        if f["rule"] == "PC301"
        for c in f.get("cells") or [[f["application"], f["environment"], f["operation"]]]
    }
    assert {env for _, env, _ in lost} == {"dev", "stable"}
    shrunk = [f["message"].split(" shrank")[0] for f in found if f["rule"] == "PC303"]
    assert shrunk == [
        "the keycloak export main:gw/dev/dev-realm.json, main:gw/stable/stable-realm.json (not in the new export)"
    ]
    assert main(["diff", "--no-config", "--policies", "policies", "--base-ref", "main", "nowhere"]) == 2
    assert capsys.readouterr().err == "policycheck: nowhere: neither at 'main' nor in the work tree\n"


def test_a_policy_beside_the_exports_is_read_once_from_policies(repo, capsys):
    """`diff --base-ref main .`: the policy in AFTER (and its old version at main) is not read again as an input."""
    import realms

    realms.write_pair(Path("gw"), realms.CHILDREN)
    repo("add", "-A")
    repo("commit", "-qm", "the realms")
    old = Path("policies/policy.yaml").read_text(encoding="utf-8")
    Path("policies/policy.yaml").write_text(old.replace("mapping.edit, job.run]", "mapping.edit]"), encoding="utf-8")
    code = main(["diff", "--no-config", "--policies", "policies", "--base-ref", "main", "--format", "json", "."])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["findings"] == []  # the same exports, the same (current) policy on both sides
    assert report["summary"]["bindings"] == 2 * 2 * 2  # two connectors, two realms, two operations: once
