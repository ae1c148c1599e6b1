"""docs/ci.md as a new user follows it: its configuration and the commands of its pipelines."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator
from referencing import Registry

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


# --- the GitHub Action as docs/ci.md uses it ----------------------------------------------------

VENDOR = ROOT / "tests" / "data" / "vendor-schemas"
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())


def workflows() -> list[dict[Any, Any]]:
    """The GitHub workflows the page shows, with `on:` as GitHub reads it (YAML 1.1 makes it True)."""
    found = []
    for block in BLOCKS:
        if isinstance(block, dict) and "jobs" in block and "runs-on" in json.dumps(block, default=str):
            found.append({("on" if k is True else k): v for k, v in block.items()})
    return found


def action_step() -> tuple[dict[str, Any], dict[str, Any]]:
    for workflow in workflows():
        for job in workflow["jobs"].values():
            for step in job["steps"]:
                if re.fullmatch(r"[\w.-]+/policycheck@\S+", step.get("uses", "")):
                    return workflow, step
    raise AssertionError("docs/ci.md shows no workflow that uses the policycheck action")


def test_the_workflows_are_valid_github_workflows() -> None:
    schema = json.loads((VENDOR / "github-workflow.schemastore.json").read_text())
    validator = Draft7Validator(schema, registry=Registry())
    assert len(workflows()) == 2
    for workflow in workflows():
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(workflow)]
        assert errors == [], workflow["name"]


def test_the_action_snippet_uses_the_inputs_and_permissions_the_action_has() -> None:
    workflow, step = action_step()
    _, ref = step["uses"].split("@")
    readme = (ROOT / "README.md").read_text()
    assert f"git tag -a {ref} " in readme, "the ref is the tag the README creates"
    assert "uses: <owner>/policycheck@<ref>" in DOC and "commit SHA" in DOC
    assert set(step.get("with", {})) <= set(ACTION["inputs"])
    assert {"security-events": "write", "pull-requests": "write"}.items() <= workflow["permissions"].items()
    steps = [s.get("uses", "") for job in workflow["jobs"].values() for s in job["steps"]]
    assert steps.index("actions/checkout@v5") < steps.index(step["uses"]), "the action checks the checkout"
    for name in ACTION["inputs"]:
        assert f"| `{name}` |" in DOC, f"the inputs table lists {name}"


def step_env(step: dict[str, Any], github: dict[str, str]) -> dict[str, str]:
    """The env of the action's run step as GitHub would set it for the snippet's `with:` inputs."""
    (run,) = [s for s in ACTION["runs"]["steps"] if s.get("id") == "run"]
    inputs = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    inputs |= {k: str(v) for k, v in step.get("with", {}).items()}
    env = {}
    for key, value in run["env"].items():

        def expand(m: re.Match[str]) -> str:
            expr = m.group(1)
            return inputs[expr[7:]] if expr.startswith("inputs.") else github.get(expr, "")

        env[key] = re.sub(r"\$\{\{ ([^}]+) \}\}", expand, value)
    return env


@pytest.mark.skipif(shutil.which("bash") is None or shutil.which("git") is None, reason="bash and git run the step")
@pytest.mark.parametrize("waivers", [True, False], ids=["doc-waivers", "no-waivers"])
def test_the_action_snippet_on_a_pull_request_that_breaks_prod(
    repo: Path, waivers: bool, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The snippet's inputs through the action's run step, on a pull request that changes gateway/."""
    _, step = action_step()
    if not waivers:
        (repo / ".policycheck.yaml").write_text("paths: [policies/, gateway/]\n")
        (repo / "policies" / "waivers.yaml").unlink()

    def git(*args: str) -> str:
        who = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com"}
        who |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
        return subprocess.run(
            ["git", *args], cwd=repo, env={**os.environ, **who}, check=True, capture_output=True, text=True
        ).stdout.strip()

    fixed = ROOT / "policies" / "examples" / "cloudsuite-fixed" / "export.yaml"
    broken = repo / "gateway" / "export.yaml"
    story = broken.read_bytes()
    broken.write_bytes(fixed.read_bytes())
    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "base")
    base = git("rev-parse", "HEAD")
    broken.write_bytes(story)
    git("commit", "-qam", "restructure permissions")
    runner = tmp_path_factory.mktemp("runner")
    summary, output = runner / "summary.md", runner / "output"
    github = {
        "github.event.pull_request.number": "12",
        "github.event.pull_request.base.sha": base,
        "runner.temp": str(runner),
    }
    env = {**os.environ, **step_env(step, github)}
    env |= {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(output)}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "action" / "run.sh")],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert outputs["exit-code"] == "1", done.stdout + done.stderr
    assert "title=PC301 lost-access::compliance-sync loses gl.journal-entries.create in prod" in done.stdout
    assert ("PC905" in summary.read_text()) is waivers, "the doc's waiver for legacy-batch matches nothing here"
    comment = Path(outputs["review-file"]).read_text()
    assert comment.startswith("<!-- policycheck-review -->\n## policycheck review")
    json.loads(Path(outputs["sarif-file"]).read_text())


def test_the_hooks_match_ionapi_files() -> None:
    for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text()):
        files = re.compile(hook["files"])
        for name in ("gateway/GL-Integration_PRD.ionapi", "policies/policy.yaml", "export.yml", "realm.json"):
            assert files.search(name), (hook["id"], name)
        assert not files.search("README.md") and not files.search("tokens/prod.jwt"), hook["id"]
        assert "types_or" not in hook and "types" not in hook, "pre-commit's file types know no .ionapi"


# --- installing: policycheck is not on PyPI ------------------------------------------------------


def _pip_requirements() -> list[str]:
    """The requirement of every `pip install` in docs/ci.md (prose and snippets), and the action's `version` example."""
    found = [shlex.split(m)[0] for m in re.findall(r"pip install (?!-)((?:\"[^\"]+\"|'[^']+'|\S+))", DOC)]
    table = next(line for line in DOC.splitlines() if line.startswith("| `version` |"))
    found += re.findall(r"e\.g\. `([^`]+)`", table)
    found += re.findall(r"e\.g\. `([^`]+)`", ACTION["inputs"]["version"]["description"])
    return found


def test_every_install_names_the_repository_at_a_ref() -> None:
    from packaging.requirements import Requirement

    found = _pip_requirements()
    assert len(found) >= 5  # the prose, the workflow, GitLab, the version input in the table and in action.yml
    for text in found:
        req = Requirement(text)  # a bare `policycheck` or `policycheck==0.1.0` would ask PyPI, which has none
        assert req.name == "policycheck" and req.url is not None, text
        assert req.url.startswith("git+") and re.search(r"@[\w.\-/]+$", req.url), text


def test_the_gitlab_image_gets_git_before_pip_needs_it() -> None:
    job = next(b for b in BLOCKS if isinstance(b, dict) and "policycheck" in b and "script" in b["policycheck"])
    script = job["policycheck"]["script"]
    pip = next(i for i, line in enumerate(script) if line.startswith("pip install"))
    if job["policycheck"]["image"].startswith("python:") and job["policycheck"]["image"].endswith("-slim"):
        assert any("install" in line and " git" in line for line in script[:pip])
