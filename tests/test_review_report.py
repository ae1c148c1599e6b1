"""The Markdown review report: the story's golden (rewritten only with POLICYCHECK_UPDATE_GOLDENS=1), the CLI."""

from __future__ import annotations

import os
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from policycheck.cli import main
from policycheck.engine import Selection, run
from policycheck.findings import Cell, Change, Checked, Finding, Holding, Location, Result, Severity
from policycheck.loading.inputs import load_model
from policycheck.reporters.review import code, render, text

HERE = Path(__file__).parent
EXAMPLES = HERE.parent / "policies" / "examples"
UPDATE = os.environ.get("POLICYCHECK_UPDATE_GOLDENS") == "1"

WAIVERS = """\
apiVersion: policycheck/v1
kind: Waivers
waivers:
  - rule: environment-non-parity
    application: compliance-sync
    environment: prod
    reason: prod is read-only until the restructuring review (SEC-1234)
    owner: it-security@example.com
    expires: 2026-12-31
"""


@pytest.fixture
def gw(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(EXAMPLES / "cloudsuite", tmp_path / "gw")
    shutil.copytree(EXAMPLES / "cloudsuite-fixed", tmp_path / "fixed")
    (tmp_path / "waivers.yaml").write_text(WAIVERS)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def golden(name: str, actual: str) -> str:
    path = HERE / "golden" / name
    if UPDATE:
        path.write_text(actual)
    return path.read_text()


def test_story_golden(gw: Path) -> None:
    model = load_model(["gw"], waiver_files=["waivers.yaml"])
    result = run(model, Selection(), date(2026, 11, 29))
    out = render(result)
    assert out == golden("story.review.md", out)
    assert render(result) == out
    assert "#### `prod`" in out and "| `compliance-sync` | `gl.journal-entries.post` | ⊘ **gap** |" in out
    assert "error, waived" in out and "What the new export changes" not in out


def test_check_format_review_from_the_cli(gw: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code_ = main(["check", "gw", "--no-config", "--format", "review", "--format", "review=out.md"])
    out, err = capsys.readouterr()
    assert code_ == 1 and err == ""
    assert out.startswith("## policycheck review\n") and "### Access matrix" in out and "### Parity" in out
    assert "| `compliance-sync` | `gl.journal-entries.create` | ⊘ **gap** |" in out
    assert (gw / "out.md").read_text() == out


def test_diff_format_review_from_the_cli(gw: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["diff", "--no-config", "--policies", "gw/policy.yaml", "fixed/export.yaml", "gw/export.yaml"]
    code_ = main([*args, "--format", "review"])
    out, _ = capsys.readouterr()
    assert code_ == 1 and out.startswith("## policycheck diff review\n")
    assert "### Access matrix after the change" in out
    assert "⊘ **gap** (lost: allowed before)" in out
    assert "- **loses operation** `gl.journal-entries.post`: allowed before, not after" in out
    assert (
        "- **loses permission** `General Ledger - Journal Entry Post`: prod no longer inherits base, "
        "where permission set 'GL Journal Posting' is mapped"
    ) in out


def test_markdown_cannot_be_broken_by_names() -> None:
    assert text("a|b\nc <x> *y* [z](u) `q`") == "a\\|b\\\\x0ac &lt;x&gt; \\*y\\* \\[z\\](u) \\`q\\`"
    assert code("a|b") == "`a\\|b`" and code("x`y") == "``x`y``" and code("`x") == "`` `x ``"
    app = "evil|app\n| injected | row |"
    result = Result(
        (Finding("PC101", "missing-grant", Severity.ERROR, Location("a|b.yaml", 2, 1), "m|x", "f\ny", app, "prod"),),
        Checked(bound=((app, ("prod",), ("op", "undefined|op")),)),
        matrix=(Cell(app, "prod", "op", "missing", ("p|q",)),),
        holdings=(Holding(app, "prod", ("p",), ()),),
        changes=(Change(app, "prod", ("op",), (), (("p", "chain|x"),), ()),),
    )
    out = render(result)
    for block in out.split("\n\n"):
        rows = [line for line in block.splitlines() if line.startswith("|")]
        assert len({len(re.findall(r"(?<!\\)\|", row)) for row in rows}) <= 1, block  # no extra columns
    assert "Bound but not evaluated (the application or operation is not defined): `evil\\|app" in out
    assert "\n| injected" not in out and "evil\\|app\\x0a\\| injected \\| row \\|" in out
