"""The CLI over case folders: clean -> 0, findings -> 1, broken -> 2, with the exact output.

Each folder under tests/cases/<kind>/ holds the inputs and `expected.txt`: the exact
stdout (clean, findings) or stderr (broken) of `policycheck check . --no-config` run
inside it. Goldens are rewritten only with POLICYCHECK_UPDATE_GOLDENS=1.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from policycheck.cli import main

HERE = Path(__file__).parent
CASES = sorted(p for p in (HERE / "cases").glob("*/*") if p.is_dir())
EXIT = {"clean": 0, "findings": 1, "broken": 2}
UPDATE = os.environ.get("POLICYCHECK_UPDATE_GOLDENS") == "1"


def golden(path: Path, actual: str) -> str:
    if UPDATE:
        path.write_text(actual)
    return path.read_text()


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_case(case: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(case)
    code = main(["check", ".", "--no-config", "--today", "2026-11-29"])
    out, err = capsys.readouterr()
    expected = EXIT[case.parent.name]
    assert code == expected, out + err
    shown = err if expected == 2 else out
    assert shown == golden(case / "expected.txt", shown)
    assert "Traceback" not in out + err
    assert "SENTINEL" not in out + err


def test_every_kind_has_cases() -> None:
    assert {p.parent.name for p in CASES} == set(EXIT)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_the_bundled_story(fmt: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE.parent)
    code = main(["check", "policies/examples/cloudsuite", "--no-config", "--format", fmt, "--today", "2026-11-29"])
    out, err = capsys.readouterr()
    assert (code, err) == (1, "")
    suffix = "txt" if fmt == "text" else "json"
    assert out == golden(HERE / "golden" / f"cloudsuite.{suffix}", out)


def test_the_repaired_story_is_clean(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE.parent)
    code = main(["check", "policies/examples/cloudsuite-fixed", "--no-config"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert out.splitlines()[-1].startswith("no findings; 1 application x 2 environments x 3 operations checked")
    assert out.splitlines()[0] == "coverage: policy operations bound 3/3 (100%), bound calls allowed 6/6 (100%)"
