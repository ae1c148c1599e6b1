"""The hooks in .pre-commit-hooks.yaml, run by the real pre-commit against this checkout.

A throwaway git repository holds policies and an export; `pre-commit try-repo`
installs policycheck from this checkout into pre-commit's own environment (from
PyPI, as for a user) and runs the hook. A broken export must fail with the
message; the repaired one must pass.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STORY = ROOT / "policies" / "examples"
PRE_COMMIT = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")

pytestmark = [
    pytest.mark.precommit,  # .ci/run leaves these to the main Python
    pytest.mark.skipif(PRE_COMMIT is None, reason="pre-commit is not installed (pip install -e '.[test]')"),
]


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("pre-commit-home")
    return {
        **os.environ,
        "PRE_COMMIT_HOME": str(home),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "PRE_COMMIT_COLOR": "never",
    }


def git(repo: Path, *args: str, env: dict[str, str]) -> None:
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def try_repo(repo: Path, hook: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    git(repo, "add", "-A", env=env)
    return subprocess.run(
        [str(PRE_COMMIT), "try-repo", str(ROOT), hook, "--all-files", "--verbose"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def test_policycheck_hook_fails_a_broken_export_and_passes_the_repaired_one(tmp_path: Path, env: dict[str, str]):
    repo = tmp_path / "config-repo"
    repo.mkdir()
    git(repo, "init", "-q", env=env)
    shutil.copy(STORY / "cloudsuite" / "policy.yaml", repo / "policy.yaml")
    (repo / "gateway").mkdir()
    shutil.copy(STORY / "cloudsuite" / "export.yaml", repo / "gateway" / "export.yaml")
    (repo / ".policycheck.yaml").write_text("paths: [policy.yaml, gateway]\n")

    broken = try_repo(repo, "policycheck", env)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "gateway/export.yaml:46:9: error PC102 [compliance-sync prod gl.journal-entries.create]" in broken.stdout
    assert "8 errors; 1 application x 2 environments x 3 operations checked" in broken.stdout

    shutil.copy(STORY / "cloudsuite-fixed" / "export.yaml", repo / "gateway" / "export.yaml")
    repaired = try_repo(repo, "policycheck", env)
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    assert "Passed" in repaired.stdout


def test_validate_hook_reports_a_schema_violation(tmp_path: Path, env: dict[str, str]):
    repo = tmp_path / "policies-only"
    repo.mkdir()
    git(repo, "init", "-q", env=env)
    text = (STORY / "cloudsuite" / "policy.yaml").read_text()
    (repo / "policy.yaml").write_text(
        text.replace(
            "request: POST /api/v1/generalLedger/journalEntries\n",
            "request: POST api/v1/generalLedger/journalEntries\n",
            1,
        )
    )
    (repo / "unrelated.yaml").write_text("just: a file\n")
    result = try_repo(repo, "policycheck-validate", env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "policy.yaml:32:5: operations[1].request: expected METHOD /path/{template}" in result.stdout
