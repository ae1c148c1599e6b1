"""The hooks in .pre-commit-hooks.yaml, run by the real pre-commit against this checkout.

The hook repository is a snapshot of this checkout (its tracked and new files, or the
files of an unpacked sdist) committed in a throwaway git repository and tagged as the
README says a release is tagged. A second throwaway repository holds policies and an
export; pre-commit installs policycheck from the snapshot into its own environment
(dependencies from PyPI, as for a user) and runs the hook: `try-repo` for each hook, and
docs/ci.md's `.pre-commit-config.yaml` as written, with only `repo:` pointing at the
snapshot. A broken export must fail with the message; the repaired one must pass.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

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


SKIP = {".git", ".venv", "venv", "node_modules", "build", "dist", "__pycache__", ".hypothesis", ".mypy_cache"}
SKIP |= {".ruff_cache", ".pytest_cache", "artifacts", "out"}


def checkout_files() -> list[Path]:
    """This checkout's files: git's tracked and new ones, or (an unpacked sdist) all but caches."""
    if (ROOT / ".git").exists() and shutil.which("git"):
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return [ROOT / n for n in listed.split("\0") if n and (ROOT / n).is_file()]
    return [
        p
        for p in ROOT.rglob("*")
        if p.is_file() and not SKIP & set(p.relative_to(ROOT).parts) and ".egg-info" not in str(p)
    ]


def release_tag_command() -> list[str]:
    """The README's command that tags a release, without the push (there is no remote here)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (line,) = re.findall(r"^(git tag -a \S+ -m .+?)(?: && git push .*)?$", readme, re.M)
    return shlex.split(line)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> Path:
    repo = tmp_path_factory.mktemp("policycheck-hooks")
    for file in checkout_files():
        target = repo / file.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(file, target)
    git(repo, "init", "-q", env=env)
    git(repo, "add", "-A", env=env)
    git(repo, "commit", "-qm", "snapshot", env=env)
    git(repo, *release_tag_command()[1:], env=env)
    return repo


def try_repo(repo: Path, hook: str, env: dict[str, str], hooks: Path) -> subprocess.CompletedProcess[str]:
    git(repo, "add", "-A", env=env)
    return subprocess.run(
        [str(PRE_COMMIT), "try-repo", str(hooks), hook, "--all-files", "--verbose"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def test_policycheck_hook_fails_a_broken_export_and_passes_the_repaired_one(
    tmp_path: Path, env: dict[str, str], hook_repo: Path
):
    repo = tmp_path / "config-repo"
    repo.mkdir()
    git(repo, "init", "-q", env=env)
    shutil.copy(STORY / "cloudsuite" / "policy.yaml", repo / "policy.yaml")
    (repo / "gateway").mkdir()
    shutil.copy(STORY / "cloudsuite" / "export.yaml", repo / "gateway" / "export.yaml")
    (repo / ".policycheck.yaml").write_text("paths: [policy.yaml, gateway]\n")

    broken = try_repo(repo, "policycheck", env, hook_repo)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "gateway/export.yaml:46:9: error PC102 [compliance-sync prod gl.journal-entries.create]" in broken.stdout
    assert "8 errors; 1 application x 2 environments x 3 operations checked" in broken.stdout

    shutil.copy(STORY / "cloudsuite-fixed" / "export.yaml", repo / "gateway" / "export.yaml")
    repaired = try_repo(repo, "policycheck", env, hook_repo)
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    assert "Passed" in repaired.stdout


def test_validate_hook_reports_a_schema_violation(tmp_path: Path, env: dict[str, str], hook_repo: Path):
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
    result = try_repo(repo, "policycheck-validate", env, hook_repo)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "policy.yaml:32:5: operations[1].request: expected METHOD /path/{template}" in result.stdout


def documented_config(hooks: Path) -> str:
    """docs/ci.md's .pre-commit-config.yaml, with `repo:` pointing at the snapshot (and nothing else changed)."""
    doc = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```yaml\n(.*?)```", doc, re.S) if b.startswith("repos:")]
    config = yaml.safe_load(block)
    assert config["repos"][0]["rev"] == release_tag_command()[3], "the docs pin the tag the README creates"
    assert re.fullmatch(r"v\d+\.\d+\.\d+", config["repos"][0]["rev"])
    return re.sub(r"(?m)^(  - repo: ).*$", lambda m: m.group(1) + str(hooks), block, count=1)


def test_the_documented_pre_commit_config_fails_the_story_and_passes_its_repair(
    tmp_path: Path, env: dict[str, str], hook_repo: Path
):
    repo = tmp_path / "gateway-config"
    repo.mkdir()
    git(repo, "init", "-q", env=env)
    (repo / ".pre-commit-config.yaml").write_text(documented_config(hook_repo))
    (repo / ".policycheck.yaml").write_text("paths: [policies/]\n")

    def run(example: str) -> subprocess.CompletedProcess[str]:
        shutil.rmtree(repo / "policies", ignore_errors=True)
        shutil.copytree(STORY / example, repo / "policies")
        git(repo, "add", "-A", env=env)
        return subprocess.run(
            [str(PRE_COMMIT), "run", "--all-files", "--verbose"],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )

    broken = run("cloudsuite")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert re.search(r"^policycheck\.+Failed$", broken.stdout, re.M), broken.stdout
    assert re.search(r"^policycheck validate\.+Passed$", broken.stdout, re.M), broken.stdout
    assert "policies/export.yaml:46:9: error PC102 [compliance-sync prod gl.journal-entries.create]" in broken.stdout
    assert "8 errors; 1 application x 2 environments x 3 operations checked" in broken.stdout

    repaired = run("cloudsuite-fixed")
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    assert re.search(r"^policycheck\.+Passed$", repaired.stdout, re.M), repaired.stdout
    assert re.search(r"^policycheck validate\.+Passed$", repaired.stdout, re.M), repaired.stdout
