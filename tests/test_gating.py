"""Adopting policycheck on an existing repository: waivers, baselines, fingerprints, severities."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from policycheck.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "policies" / "examples" / "cloudsuite", tmp_path / "gw")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict, str]:
    code = main(["check", "gw", "--no-config", "--format", "json", "--today", "2026-11-29", *args])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.startswith("{") else {}), err


def waiver(**fields: str) -> str:
    body = "".join(f"    {k}: {v}\n" for k, v in fields.items())
    return f"apiVersion: policycheck/v1\nkind: Waivers\nwaivers:\n  - reason: r\n    owner: o\n{body}"


def test_waived_findings_are_listed_and_counted_not_hidden(repo, capsys):
    (repo / "w.yaml").write_text(waiver(rule="PC10*", application="compliance-sync", environment="prod"))
    code, report, _ = check(capsys, "--waivers", "w.yaml")
    assert code == 1  # PC103 'prod does not inherit base' has no application: not matched
    assert [f["rule"] for f in report["findings"]] == ["PC103", "PC203"]
    assert report["summary"]["waived"] == len(report["waived"]) == 6


def test_expired_waiver_is_a_finding_and_waives_nothing(repo, capsys):
    (repo / "w.yaml").write_text(waiver(rule="PC104", expires="2026-11-28"))
    _, report, _ = check(capsys, "--waivers", "w.yaml")
    rules = [f["rule"] for f in report["findings"]]
    assert "PC104" in rules and "PC904" in rules and report["waived"] == []
    expired = next(f for f in report["findings"] if f["rule"] == "PC904")
    assert expired["location"] == {"path": "w.yaml", "line": 4, "column": 5}
    assert "expired on 2026-11-28" in expired["message"]
    # the day it expires it still applies
    _, report, _ = check(capsys, "--waivers", "w.yaml", "--today", "2026-11-28")
    assert "PC904" not in [f["rule"] for f in report["findings"]]


def test_unused_waiver_is_a_warning(repo, capsys):
    (repo / "w.yaml").write_text(waiver(rule="PC101", application="legacy-batch"))
    _, report, _ = check(capsys, "--waivers", "w.yaml")
    unused = [f for f in report["findings"] if f["rule"] == "PC905"]
    assert len(unused) == 1 and unused[0]["severity"] == "warning"


def test_waivers_are_not_read_from_the_checked_paths(repo, capsys):
    (repo / "gw" / "w.yaml").write_text(waiver(rule="PC101"))
    code, _, err = check(capsys)
    assert code == 2
    assert err == (
        "policycheck: gw/w.yaml:2:1: waivers are read only from the waiver files named in the "
        "configuration (waivers:) or with --waivers\n"
    )


def test_baseline_reports_only_new_findings_and_counts_fixed(repo, capsys):
    code = main(["check", "gw", "--no-config", "--write-baseline", "baseline.json"])
    out, _ = capsys.readouterr()
    assert (code, out) == (0, "wrote 8 findings to the baseline baseline.json\n")
    code, report, _ = check(capsys, "--baseline", "baseline.json")
    assert (code, report["findings"], report["summary"]["baselined"]) == (0, [], 8)
    # repair one thing: the pending grant is approved -> one baseline entry is now fixed
    export = repo / "gw" / "export.yaml"
    export.write_text(export.read_text().replace("status: pending", "status: approved"))
    _, report, _ = check(capsys, "--baseline", "baseline.json")
    assert report["summary"]["fixed"] >= 1 and report["findings"] == []


def test_a_new_finding_of_the_same_rule_elsewhere_is_not_absorbed(repo, capsys):
    main(["check", "gw", "--no-config", "--write-baseline", "baseline.json"])
    capsys.readouterr()
    export = repo / "gw" / "export.yaml"
    export.write_text(
        export.read_text()
        + """\
  - id: audit-reader
    clients: {prod: ACME_PRD~audit}
    grants:
      - permission: General Ledger - Read
        status: approved
"""
    )
    policy = repo / "gw" / "policy.yaml"
    policy.write_text(
        policy.read_text()
        + """\
  - application: audit-reader
    environments: [prod]
    operations: [gl.journal-entries.list, gl.journal-entries.post]
"""
    )
    code, report, _ = check(capsys, "--baseline", "baseline.json")
    assert code == 1
    assert [(f["rule"], f["application"], f["operation"]) for f in report["findings"]] == [
        ("PC101", "audit-reader", "gl.journal-entries.post")
    ]


def test_fingerprints_survive_lines_moving(repo, capsys):
    _, before, _ = check(capsys)
    for name in ("export.yaml", "policy.yaml"):
        path = repo / "gw" / name
        path.write_text("# a comment\n# and another\n" + path.read_text())
    _, after, _ = check(capsys)
    assert [f["fingerprint"] for f in before["findings"]] == [f["fingerprint"] for f in after["findings"]]
    assert [f["location"]["line"] + 2 for f in before["findings"]] == [f["location"]["line"] for f in after["findings"]]


def test_several_formats_in_one_run(repo, capsys):
    (repo / "out").mkdir()
    code = main(
        ["check", "gw", "--no-config", "--format", "text", "--format", "sarif=out/r.sarif", "--format", "junit=r.xml"]
    )
    out, _ = capsys.readouterr()
    assert code == 1 and out.endswith(
        "8 errors; 1 application x 2 environments x 3 operations checked (6 bindings, 3 files)\n"
    )
    assert json.loads((repo / "out" / "r.sarif").read_text())["version"] == "2.1.0"
    assert (repo / "r.xml").read_text().startswith("<?xml")
    code = main(["check", "gw", "--no-config", "--format", "text", "--format", "json"])
    assert code == 2 and "only one report can go to stdout" in capsys.readouterr().err


def test_per_rule_severity_and_fail_on(repo, capsys):
    (repo / ".policycheck.yaml").write_text(
        "paths: [gw]\nseverity: {PC101: note, PC102: note, PC103: note, PC104: note, PC203: note}\n"
    )
    assert main(["check"]) == 0
    assert capsys.readouterr().out.startswith("gw/export.yaml:25:5: note PC103")
    assert main(["check", "--fail-on", "note"]) == 1
