"""`policycheck init` binds only what `check` then allows: the same evaluation, gateway gates included.

End to end from the CLI on the bundled examples: the Kong example without its bindings
(an acl deny in prod, PC108; a spec operation no route serves, PC107), and the fixed
CloudSuite example whose policy already binds every call made today (not repeated).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from policycheck.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "policies" / "examples"

SPEC = """\
openapi: 3.0.3
info: {title: General ledger, version: "1.0"}
paths:
  /api/v1/generalLedger/journalEntries:
    get:
      operationId: gl.journal-entries.list
      responses: {"200": {description: ok}}
  /api/v1/generalLedger/accounts:
    get:
      operationId: gl.accounts.list
      responses: {"200": {description: ok}}
"""


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.fixture
def kong(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The Kong example with its operations but without its bindings."""
    here = tmp_path / "kong"
    shutil.copytree(EXAMPLES / "kong" / "gateway", here / "gateway")
    policy = (EXAMPLES / "kong" / "policy.yaml").read_text(encoding="utf-8")
    (here / "operations.yaml").write_text(policy.split("bindings:", 1)[0], encoding="utf-8")
    monkeypatch.chdir(here)
    return here


def bound(starter: str) -> set[tuple[str, str, str]]:
    """(application, environment, operation) of every binding init wrote."""
    import yaml

    doc = yaml.safe_load(starter)
    return {(b["application"], e, o) for b in doc["bindings"] for e in b["environments"] for o in b["operations"]}


def test_init_leaves_out_a_call_the_gateway_acl_denies(capsys: pytest.CaptureFixture[str], kong: Path) -> None:
    code, out, _ = cli(capsys, "init", "gateway", "operations.yaml")
    assert code == 0
    written = bound((kong / "policycheck-starter.yaml").read_text(encoding="utf-8"))
    # reporting-export holds gl-readers in prod, but the route's acl denies its group contractors (deny wins)
    assert ("reporting-export", "prod", "gl.journal-entries.list") not in written
    assert ("reporting-export", "test", "gl.journal-entries.list") in written
    assert ("gl-integration", "prod", "gl.journal-entries.list") in written
    assert f"bound to the {len(written)} call(s) they can make today;" in out
    _, out, _ = cli(capsys, "check")
    assert "PC108" not in out and "PC107" not in out
    assert "bound calls allowed 5/5 (100%)" in out


def test_init_openapi_leaves_out_an_operation_no_route_serves(capsys: pytest.CaptureFixture[str], kong: Path) -> None:
    (kong / "operations.yaml").unlink()
    (kong / "openapi.yaml").write_text(SPEC, encoding="utf-8")
    assert cli(capsys, "init", "gateway", "--openapi", "openapi.yaml")[0] == 0
    written = bound((kong / "policycheck-starter.yaml").read_text(encoding="utf-8"))
    assert {op for _, _, op in written} == {"gl.journal-entries.list"}  # no route serves GET .../accounts
    _, out, _ = cli(capsys, "check")
    assert "PC107" not in out and "PC108" not in out
    assert "bound calls allowed 3/3 (100%)" in out


def test_who_can_and_must_not_call_agree_with_check_on_a_denied_group(
    capsys: pytest.CaptureFixture[str], kong: Path
) -> None:
    code, out, _ = cli(capsys, "who-can", "--policies", ".", "gl.journal-entries.list", "--env", "prod")
    assert code == 0
    can = out.split("can (", 1)[1].split("bound but cannot", 1)[0]
    assert "gl-integration" in can and "reporting-export" not in can
    # must_not_call: the gateway refuses it, so the application cannot call it (no PC106)
    (kong / "forbid.yaml").write_text(
        "apiVersion: policycheck/v1\nkind: Policy\nbindings:\n"
        "  - application: reporting-export\n    environments: [prod]\n"
        "    must_not_call: [gl.journal-entries.list]\n"
        "  - application: reporting-export\n    environments: [test]\n"
        "    must_not_call: [gl.journal-entries.list]\n",
        encoding="utf-8",
    )
    _, out, _ = cli(capsys, "check", "--no-config", "--select", "PC106", ".")
    assert "[reporting-export test gl.journal-entries.list]" in out  # allowed in test: a violation
    assert "[reporting-export prod" not in out


def test_who_can_names_the_gateway_refusal_of_a_bound_call(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(
        capsys, "who-can", "--policies", str(EXAMPLES / "kong"), "gl.journal-entries.list", "--env", "prod"
    )
    assert code == 0
    cannot = out.split("bound but cannot (1):", 1)[1]
    assert "reporting-export" in cannot
    assert "the gateway refuses it: the acl plugin of route 'gl-journal-entries-list' denies group 'contractors'" in (
        cannot
    )


def test_init_does_not_repeat_the_policies_bindings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(EXAMPLES / "cloudsuite-fixed", tmp_path / "fixed")
    monkeypatch.chdir(tmp_path / "fixed")
    code, out, _ = cli(capsys, "init")
    assert code == 0
    assert "0 call(s) they can make today (6 more already bound in the policies, not repeated)" in out
    starter = (tmp_path / "fixed" / "policycheck-starter.yaml").read_text(encoding="utf-8")
    assert bound(starter.replace("bindings: []", "bindings: []\n")) == set()
    assert "the policies' bindings already name all 6 calls made today" in starter
    code, out, _ = cli(capsys, "check")
    assert code == 0 and "(6 bindings, 4 files)" in out
