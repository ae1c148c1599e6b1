"""policycheck who-can: who can call an operation, with the chain; who is bound and cannot, with the stop."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from policycheck.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def story(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "policies" / "examples" / "cloudsuite", tmp_path / "gw")
    monkeypatch.chdir(tmp_path / "gw")
    return tmp_path / "gw"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["who-can", "--policies", ".", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_allowed_in_test_with_the_chain(capsys, story):
    code, out, err = run(capsys, "gl.journal-entries.post", "--env", "test")
    assert (code, err) == (0, "")
    assert out.splitlines()[2:5] == [
        "can (1):",
        "  compliance-sync [bound]",
        "      General Ledger - Journal Entry Post: grant of permission set 'GL Journal Posting' (export.yaml:37:9) "
        "-> set 'GL Journal Posting' -> mapped to base (inherited by test)",
    ]
    assert out.splitlines()[-1] == "  (none)"


def test_blocked_in_prod_at_the_hop_that_stops_it(capsys, story):
    code, out, _ = run(capsys, "POST /api/v1/generalLedger/journalEntries/42/post", "--env", "prod")
    assert code == 0  # a question, not a check
    assert "can (0):\n  (no application)" in out
    assert out.splitlines()[-2:] == [
        "  compliance-sync",
        "      General Ledger - Journal Entry Post stops: grant of permission set 'GL Journal Posting' "
        "(export.yaml:37:9): its set is not mapped to prod or what it inherits (mapped in base)",
    ]


def test_json(capsys, story):
    code, out, _ = run(capsys, "gl.journal-entries.create", "--env", "prod", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["version"] == "1" and data["can"] == []
    (caller,) = data["cannot"]
    assert caller["application"] == "compliance-sync" and caller["bound"] is True
    stops = {(h["permission"], h["text"]) for h in caller["hops"]}
    assert (
        "General Ledger - Journal Entry Create",
        "grant of 'General Ledger - Journal Entry Create' (export.yaml:46:9): pending approval",
    ) in stops


def test_an_unbound_application_that_can_is_listed(capsys, story):
    policy = story / "policy.yaml"
    policy.write_text(policy.read_text().replace("      - gl.journal-entries.list\n", ""))
    code, out, _ = run(capsys, "gl.journal-entries.list", "--env", "prod")
    assert code == 0 and "  compliance-sync\n      General Ledger - Read: grant of 'General Ledger - Read'" in out


def test_unknown_environment_is_a_usage_error(capsys, story):
    code, out, err = run(capsys, "gl.journal-entries.post", "--env", "production")
    assert (code, out) == (2, "") and "unknown environment 'production' (did you mean prod?)" in err


@pytest.fixture
def orders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "policies" / "examples" / "orders", tmp_path / "orders")
    monkeypatch.chdir(tmp_path / "orders")
    return tmp_path / "orders"


def test_a_public_operation_is_callable_by_every_assigned_application(capsys, orders):
    code = main(["who-can", "GET /health", "--env", "prod"])
    out = capsys.readouterr().out
    assert code == 0 and "can (3):" in out
    assert "  reporting\n      the operation requires no permission\n" in out


def test_an_application_that_must_not_call_is_marked(capsys, orders):
    export = orders / "export.yaml"
    export.write_text(
        export.read_text()
        + "      - permission_set: Refunders\n        status: approved\n        environments: [prod]\n"
    )
    assert main(["who-can", "refundOrder", "--env", "prod"]) == 0
    out = capsys.readouterr().out
    assert "can (2):" in out and "  reporting [MUST NOT CALL]\n      orders:admin: grant of permission set" in out
