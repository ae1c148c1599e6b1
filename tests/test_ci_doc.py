"""docs/ci.md as a new user follows it: its configuration and the commands of its pipelines."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import pytest
import yaml

from policycheck.cli import main

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "ci.md").read_text()
BLOCKS = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", DOC, re.S)]


def commands() -> list[str]:
    found = []
    for block in BLOCKS:
        text = json.dumps(block, default=str)
        found += re.findall(r"\"(policycheck [^\"]+)\"", text)
    return found


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    story = ROOT / "policies" / "examples" / "cloudsuite"
    (tmp_path / "policies").mkdir()
    (tmp_path / "gateway").mkdir()
    shutil.copy(story / "policy.yaml", tmp_path / "policies" / "policy.yaml")
    shutil.copy(story / "export.yaml", tmp_path / "gateway" / "export.yaml")
    config, waivers = BLOCKS[0], next(b for b in BLOCKS if isinstance(b, dict) and b.get("kind") == "Waivers")
    (tmp_path / ".policycheck.yaml").write_text(yaml.safe_dump(config))
    (tmp_path / "policies" / "waivers.yaml").write_text(yaml.safe_dump(waivers))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_doc_has_the_three_setups() -> None:
    assert any("jobs" in b for b in BLOCKS if isinstance(b, dict))
    assert any("policycheck" in b and "script" in b["policycheck"] for b in BLOCKS if isinstance(b, dict))
    hooks = [h["id"] for b in BLOCKS if isinstance(b, dict) and "repos" in b for h in b["repos"][0]["hooks"]]
    published = [h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())]
    assert hooks == published


@pytest.mark.parametrize("command", [c for c in commands() if c.startswith("policycheck check")])
def test_pipeline_commands_run_on_the_story(command: str, repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = shlex.split(command)[1:]
    assert main(args) == 1  # the story has findings: the job fails, and writes its reports
    capsys.readouterr()
    for match in re.findall(r"=(\S+)", command):
        written = repo / match
        assert written.stat().st_size > 0, match
        if match.endswith((".sarif", ".json")):
            json.loads(written.read_text())


def test_the_baseline_steps(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    steps = re.findall(r"`(policycheck check --[^`]*baseline[^`]*)`", DOC)
    assert len(steps) == 2
    assert main(shlex.split(steps[0])[1:]) == 0
    assert main(shlex.split(steps[1])[1:]) == 0
    assert "in the baseline" in capsys.readouterr().out
