"""The GitHub Action (action.yml): its metadata against SchemaStore's schema, and its shell steps
run here as GitHub would run them: the check, the diff of a pull request that changes the export,
the step summary, and the one pull-request comment kept up to date through a fake `gh`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator
from referencing import Registry

ROOT = Path(__file__).resolve().parent.parent
ACTION = ROOT / "action.yml"
RUN = ROOT / "scripts" / "action" / "run.sh"
COMMENT = ROOT / "scripts" / "action" / "comment.sh"
SCHEMA = ROOT / "tests" / "data" / "vendor-schemas" / "github-action.schemastore.json"
STORY = ROOT / "policies" / "examples"
BIN = Path(sys.executable).parent
BASH = shutil.which("bash")
GIT = shutil.which("git")
MARKER = "<!-- policycheck-review -->"

needs_shell = pytest.mark.skipif(BASH is None or GIT is None, reason="bash and git run the action's steps")


def action() -> dict[str, Any]:
    data = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def steps() -> list[dict[str, Any]]:
    return list(action()["runs"]["steps"])


# --- metadata -------------------------------------------------------------------------------


def test_action_metadata_is_valid_against_the_schemastore_schema() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in Draft7Validator(schema, registry=Registry()).iter_errors(action())
    ]
    assert errors == []


def test_the_schema_refuses_what_github_refuses() -> None:
    """The vendored schema is not vacuous: a step with run but no shell, a boolean default."""
    validator = Draft7Validator(json.loads(SCHEMA.read_text(encoding="utf-8")), registry=Registry())
    broken = action()
    broken["runs"]["steps"][1] = {"run": "echo hi"}
    assert not validator.is_valid(broken)
    broken = action()
    broken["inputs"]["sarif"]["default"] = True
    assert not validator.is_valid(broken)


def test_the_inputs_the_issue_asks_for() -> None:
    inputs = action()["inputs"]
    for name in ("paths", "config", "formats", "fail-on", "sarif", "comment", "version", "exports"):
        assert name in inputs, name
    for name, spec in inputs.items():
        assert spec["description"].strip(), name
        assert isinstance(spec.get("default", ""), str), name


def test_every_input_is_used_and_every_reference_is_an_input() -> None:
    text = ACTION.read_text(encoding="utf-8")
    used = set(re.findall(r"\binputs\.([A-Za-z0-9_-]+)", text))
    assert used == set(action()["inputs"])


def test_every_output_comes_from_the_run_step() -> None:
    ids = {s.get("id") for s in steps()}
    written = set(re.findall(r'echo "([a-z-]+)=', RUN.read_text(encoding="utf-8")))
    for name, spec in action()["outputs"].items():
        match = re.fullmatch(r"\$\{\{ steps\.([a-z-]+)\.outputs\.([a-z-]+) \}\}", spec["value"])
        assert match and match.group(1) in ids and match.group(2) in written, name


def test_actions_it_uses_are_pinned_by_major_version() -> None:
    uses = [s["uses"] for s in steps() if "uses" in s]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    for u in uses:
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@v\d+", u), u


def test_it_installs_from_its_own_checkout_with_pip() -> None:
    (install,) = [s for s in steps() if s.get("name") == "Install policycheck"]
    assert install["env"]["PC_ACTION_PATH"] == "${{ github.action_path }}"
    assert "pip install" in install["run"] and '"${PC_VERSION:-$PC_ACTION_PATH}"' in install["run"]


def test_the_steps_pass_every_variable_the_scripts_read() -> None:
    by_script = {"run.sh": RUN, "comment.sh": COMMENT}
    for step in steps():
        match = re.search(r"scripts/action/(\w+\.sh)", step.get("run", ""))
        if not match:
            continue
        script = by_script.pop(match.group(1))
        assert script.is_file()
        read = set(re.findall(r"\$\{(PC_[A-Z_]+)", script.read_text(encoding="utf-8"))) - {"PC_BIN"}
        assert read <= set(step["env"]), (script.name, read - set(step["env"]))
        for value in step["env"].values():
            assert "inputs." not in step["run"], "inputs reach the shell through env, never spliced into run:"
            assert isinstance(value, str)
    assert by_script == {}, "every script is run by a step"


# --- the run step -----------------------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    done = subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True)
    return done.stdout.strip()


@pytest.fixture
def pull_request(tmp_path: Path) -> tuple[Path, str]:
    """A repository whose base commit has the repaired export and whose head has the broken one."""
    repo = tmp_path / "repo"
    (repo / "policies").mkdir(parents=True)
    (repo / "gateway").mkdir()
    shutil.copy(STORY / "cloudsuite" / "policy.yaml", repo / "policies" / "policy.yaml")
    shutil.copy(STORY / "cloudsuite-fixed" / "export.yaml", repo / "gateway" / "export.yaml")
    (repo / ".policycheck.yaml").write_text("paths: [policies/, gateway/]\n")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    base = git(repo, "rev-parse", "HEAD")
    shutil.copy(STORY / "cloudsuite" / "export.yaml", repo / "gateway" / "export.yaml")
    git(repo, "commit", "-qam", "the permission restructuring")
    return repo, base


def run_step(repo: Path, **env: str) -> tuple[subprocess.CompletedProcess[str], dict[str, str], Path]:
    summary, output, out = repo.parent / "summary.md", repo.parent / "output.txt", repo.parent / "out"
    summary.write_text("")
    output.write_text("")
    full = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(output),
        "PC_OUT_DIR": str(out),
        **env,
    }
    done = subprocess.run(
        [str(BASH), str(RUN)], cwd=repo, env=full, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    return done, outputs, summary


@needs_shell
def test_a_pull_request_that_breaks_the_export(pull_request: tuple[Path, str]) -> None:
    repo, base = pull_request
    done, outputs, summary = run_step(repo, PC_EXPORTS="gateway/", PC_BASE_SHA=base, PC_PR_NUMBER="7")
    assert outputs["exit-code"] == "1"
    # annotations in the log, for the check and for the diff
    assert "::error file=gateway/export.yaml,line=46,col=9,title=PC102 pending-approval::" in done.stdout
    assert "title=PC301 lost-access::compliance-sync loses gl.journal-entries.post in prod" in done.stdout
    # the step summary: the check's Markdown report, then the diff's
    text = summary.read_text()
    assert text.startswith("## policycheck") and "8 errors" in text and "PC301" in text
    sarif = json.loads(Path(outputs["sarif-file"]).read_text())
    assert sarif["version"] == "2.1.0" and len(sarif["runs"][0]["results"]) == 8
    comment = Path(outputs["review-file"]).read_text()
    assert comment.startswith(MARKER + "\n## policycheck review\n")
    assert "## policycheck diff review" in comment and "loses gl.journal-entries.create in prod" in comment


@needs_shell
def test_a_push_runs_the_check_only(pull_request: tuple[Path, str]) -> None:
    repo, _ = pull_request
    shutil.copy(STORY / "cloudsuite-fixed" / "export.yaml", repo / "gateway" / "export.yaml")
    done, outputs, summary = run_step(repo, PC_EXPORTS="gateway/", PC_FORMATS="text json=report.json")
    assert outputs == {
        "exit-code": "0",
        "summary-file": str(repo.parent / "out" / "summary.md"),
        "sarif-file": str(repo.parent / "out" / "policycheck.sarif"),
        "review-file": "",
    }
    assert "no findings" in done.stdout and "diff" not in done.stdout.replace("::group::", "")
    assert json.loads((repo / "report.json").read_text())["findings"] == []
    assert summary.read_text().startswith("## policycheck")


@needs_shell
def test_inputs_reach_the_cli(pull_request: tuple[Path, str]) -> None:
    repo, base = pull_request
    done, outputs, _ = run_step(
        repo,
        PC_PATHS="policies/policy.yaml\ngateway/export.yaml",
        PC_FAIL_ON="error",
        PC_SARIF="false",
        PC_COMMENT="false",
        PC_PR_NUMBER="7",
        PC_BASE_SHA=base,
        PC_EXPORTS="gateway/export.yaml",
    )
    assert "policycheck check --fail-on error --format github" in done.stdout
    assert done.stdout.count(" policies/policy.yaml gateway/export.yaml\n") == 1
    assert "--policies policies/policy.yaml --policies gateway/export.yaml" in done.stdout
    assert outputs["sarif-file"] == "" and outputs["review-file"] == "" and outputs["exit-code"] == "1"


@needs_shell
def test_an_unchanged_export_is_not_diffed(pull_request: tuple[Path, str]) -> None:
    repo, _ = pull_request
    head = git(repo, "rev-parse", "HEAD")
    done, outputs, _ = run_step(repo, PC_EXPORTS="gateway/", PC_BASE_SHA=head, PC_PR_NUMBER="7")
    assert "gateway/ is unchanged since" in done.stdout and "PC301" not in done.stdout
    assert "policycheck diff review" not in Path(outputs["review-file"]).read_text()


@needs_shell
def test_a_run_that_cannot_check_fails_with_2_and_says_so(pull_request: tuple[Path, str]) -> None:
    repo, _ = pull_request
    done, outputs, summary = run_step(repo, PC_PATHS="nowhere/", PC_PR_NUMBER="7")
    assert "policycheck: " in done.stderr and "nowhere" in done.stderr
    assert outputs["exit-code"] == "2" and outputs["sarif-file"] == ""
    assert "policycheck could not run (exit 2)" in summary.read_text()
    assert "policycheck could not run (exit 2)" in Path(outputs["review-file"]).read_text()


@needs_shell
def test_the_result_step_fails_the_job_with_the_exit_code() -> None:
    (result,) = [s for s in steps() if s.get("name") == "Result"]
    for code in ("0", "1", "2"):
        done = subprocess.run([str(BASH), "-c", result["run"]], env={**os.environ, "PC_EXIT": code}, check=False)
        assert done.returncode == int(code)


# --- the comment step, with a fake gh ----------------------------------------------------------

FAKE_GH = """\
#!{python}
# A stand-in for the GitHub CLI: `gh api` over a JSON file of issue comments; every call is logged.
import json, os, sys
state_file, log_file = os.environ["FAKE_GH_STATE"], os.environ["FAKE_GH_LOG"]
args = sys.argv[1:]
state = json.load(open(state_file))
entry = {{"argv": args}}
if "--input" in args:
    entry["input"] = json.load(open(args[args.index("--input") + 1]))
with open(log_file, "a") as log:
    log.write(json.dumps(entry) + "\\n")
if os.environ.get("FAKE_GH_FAIL"):
    sys.stderr.write("HTTP 403: Resource not accessible by integration\\n")
    sys.exit(1)
assert args[0] == "api", args
method = args[args.index("--method") + 1] if "--method" in args else "GET"
path = next(a for a in args[1:] if a.startswith("repos/"))
parts = path.split("?")[0].split("/")
if method == "GET":  # repos/O/R/issues/N/comments, two comments a page
    mine = [c for c in state["comments"] if str(c["issue"]) == parts[4]]
    pages = [mine[i : i + 2] for i in range(0, len(mine), 2)] or [[]]
    for page in pages if "--paginate" in args else pages[:1]:
        print(json.dumps(page, indent=1))
    sys.exit(0)
if method == "POST":
    state["next"] += 1
    comment = {{"id": state["next"], "issue": int(parts[4]), "user": {{"login": os.environ.get("FAKE_GH_LOGIN", "github-actions[bot]")}},
               "body": entry["input"]["body"], "html_url": "https://github.example/c/%d" % state["next"]}}
    state["comments"].append(comment)
elif method == "PATCH":
    (comment,) = [c for c in state["comments"] if str(c["id"]) == parts[5]]
    comment["body"] = entry["input"]["body"]
json.dump(state, open(state_file, "w"))
print(comment["html_url"] if "--jq" in args else json.dumps(comment))
"""


@pytest.fixture
def gh(tmp_path: Path) -> dict[str, Any]:
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir()
    fake = bin_dir / "gh"
    fake.write_text(FAKE_GH.format(python=sys.executable))
    fake.chmod(0o755)
    state, log = tmp_path / "gh-state.json", tmp_path / "gh-log.jsonl"
    state.write_text(json.dumps({"next": 100, "comments": []}))
    log.write_text("")
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "FAKE_GH_STATE": str(state),
        "FAKE_GH_LOG": str(log),
        "GH_TOKEN": "not-a-token",
        "PC_REPO": "acme/gateway-config",
        "PC_PR_NUMBER": "7",
    }
    return {"env": env, "state": state, "log": log, "dir": tmp_path}


def comment_step(gh: dict[str, Any], body: str, **env: str) -> subprocess.CompletedProcess[str]:
    file = gh["dir"] / "comment.md"
    file.write_text(body)
    return subprocess.run(
        [str(BASH), str(COMMENT)],
        env={**gh["env"], "PC_REVIEW_FILE": str(file), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def calls(gh: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for line in gh["log"].read_text().splitlines():
        argv = json.loads(line)["argv"]
        method = argv[argv.index("--method") + 1] if "--method" in argv else "GET"
        out.append((method, next(a for a in argv if a.startswith("repos/"))))
    return out


def comments(gh: dict[str, Any]) -> list[dict[str, Any]]:
    return list(json.loads(gh["state"].read_text())["comments"])


@needs_shell
def test_the_comment_is_created_once_then_updated_in_place(gh: dict[str, Any]) -> None:
    first = comment_step(gh, f"{MARKER}\n## policycheck review\n\n8 errors\n")
    assert first.returncode == 0, first.stderr
    assert "created the pull-request comment" in first.stdout
    second = comment_step(gh, f"{MARKER}\n## policycheck review\n\nno findings\n")
    assert second.returncode == 0, second.stderr
    assert "updated the pull-request comment 101" in second.stdout
    assert [c["body"] for c in comments(gh)] == [f"{MARKER}\n## policycheck review\n\nno findings\n"]
    assert calls(gh) == [
        ("GET", "repos/acme/gateway-config/issues/7/comments?per_page=100"),
        ("POST", "repos/acme/gateway-config/issues/7/comments"),
        ("GET", "repos/acme/gateway-config/issues/7/comments?per_page=100"),
        ("PATCH", "repos/acme/gateway-config/issues/comments/101"),
    ]
    third = comment_step(gh, f"{MARKER}\n## policycheck review\n\nno findings\n")
    assert "comment 101 is up to date" in third.stdout and calls(gh)[-1][0] == "GET"


@needs_shell
def test_the_marker_is_found_on_a_later_page_and_others_comments_are_left_alone(gh: dict[str, Any]) -> None:
    state = {
        "next": 200,
        "comments": [
            {"id": 1, "issue": 7, "user": {"login": "alice"}, "body": "LGTM"},
            {"id": 2, "issue": 7, "user": {"login": "mallory"}, "body": f"{MARKER}\nnot the bot's"},
            {"id": 3, "issue": 8, "user": {"login": "github-actions[bot]"}, "body": f"{MARKER}\nanother PR"},
            {"id": 4, "issue": 7, "user": {"login": "bob"}, "body": "please fix prod"},
            {"id": 5, "issue": 7, "user": {"login": "github-actions[bot]"}, "body": f"{MARKER}\nold review"},
        ],
    }
    gh["state"].write_text(json.dumps(state))
    done = comment_step(gh, f"{MARKER}\nnew review\n")
    assert done.returncode == 0, done.stderr
    assert calls(gh)[-1] == ("PATCH", "repos/acme/gateway-config/issues/comments/5")
    assert {c["id"]: c["body"] for c in comments(gh)} == {
        1: "LGTM",
        2: f"{MARKER}\nnot the bot's",
        3: f"{MARKER}\nanother PR",
        4: "please fix prod",
        5: f"{MARKER}\nnew review\n",
    }


@needs_shell
def test_a_comment_key_keeps_two_jobs_apart(gh: dict[str, Any]) -> None:
    comment_step(gh, f"{MARKER}\nthe default job\n")
    comment_step(gh, "<!-- policycheck-review prod -->\nthe prod job\n")
    comment_step(gh, "<!-- policycheck-review prod -->\nthe prod job, again\n")
    assert [c["body"] for c in comments(gh)] == [
        f"{MARKER}\nthe default job\n",
        "<!-- policycheck-review prod -->\nthe prod job, again\n",
    ]


@needs_shell
def test_a_read_only_token_is_a_warning_not_a_failure(gh: dict[str, Any]) -> None:
    done = comment_step(gh, f"{MARKER}\nreview\n", FAKE_GH_FAIL="1")
    assert done.returncode == 0
    assert done.stdout.startswith("::warning::policycheck could not read the pull-request comment: HTTP 403")


@needs_shell
def test_a_body_without_the_marker_is_refused(gh: dict[str, Any]) -> None:
    done = comment_step(gh, "## policycheck review\n")
    assert done.returncode == 2 and "does not start with the policycheck marker" in done.stderr
    assert calls(gh) == []


@needs_shell
def test_the_run_step_output_feeds_the_comment_step(pull_request: tuple[Path, str], gh: dict[str, Any]) -> None:
    repo, base = pull_request
    _, outputs, _ = run_step(repo, PC_EXPORTS="gateway/", PC_BASE_SHA=base, PC_PR_NUMBER="7", PC_COMMENT_KEY="")
    file = Path(outputs["review-file"])
    done = subprocess.run(
        [str(BASH), str(COMMENT)],
        env={**gh["env"], "PC_REVIEW_FILE": str(file)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    (posted,) = comments(gh)
    assert posted["body"] == file.read_text() and "loses gl.journal-entries.post in prod" in posted["body"]


@pytest.mark.skipif(
    shutil.which("shellcheck") is None, reason="shellcheck is not installed (apt-get install shellcheck)"
)
def test_the_scripts_pass_shellcheck() -> None:
    done = subprocess.run(["shellcheck", str(RUN), str(COMMENT)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout


@needs_shell
def test_a_base_commit_that_cannot_be_had_is_a_warning(pull_request: tuple[Path, str]) -> None:
    repo, _ = pull_request
    done, outputs, _ = run_step(repo, PC_EXPORTS="gateway/", PC_BASE_SHA="0" * 40, PC_PR_NUMBER="7")
    assert f"::warning::policycheck: the base commit {'0' * 40} cannot be read or fetched: no diff" in done.stdout
    assert outputs["exit-code"] == "1" and "PC301" not in done.stdout


@needs_shell
def test_a_long_check_review_leaves_room_for_what_the_pull_request_changes(pull_request: tuple[Path, str]) -> None:
    """A check review over the comment's size is cut at a line, with a note; the diff review after it stays whole."""
    repo, base = pull_request
    stub = repo.parent / "policycheck-stub"
    stub.write_text(
        "#!/usr/bin/env bash\n"
        "# the CLI's reports, written as a large organisation's would be\n"
        'for arg in "$@"; do\n'
        "  case $arg in\n"
        "    review=*)\n"
        "      if [[ $1 == check ]]; then\n"
        '        { echo \'## policycheck review\'; for n in $(seq 1 3000); do echo "- cause $n breaks 12 calls"; done; } >"${arg#review=}"\n'
        "      else\n"
        "        printf '## policycheck diff review\\n\\ncompliance-sync loses gl.journal-entries.post in prod\\n' >\"${arg#review=}\"\n"
        "      fi ;;\n"
        '    markdown=*) echo "## policycheck $1" >"${arg#markdown=}" ;;\n'
        "  esac\n"
        "done\n"
        "exit 1\n"
    )
    stub.chmod(0o755)
    _, outputs, _ = run_step(
        repo, PC_BIN=str(stub), PC_EXPORTS="gateway/", PC_BASE_SHA=base, PC_PR_NUMBER="7", PC_RUN_URL="https://run/1"
    )
    comment = Path(outputs["review-file"]).read_text(encoding="utf-8")
    assert len(comment) <= 60_000 < 65_536
    assert comment.startswith(MARKER + "\n## policycheck review\n- cause 1 breaks 12 calls\n")
    head, diff = comment.split("\n## policycheck diff review\n")
    assert head.endswith("\n_Cut to fit a comment: the step summary and the SARIF upload have all of it._\n")
    causes = head.split("\n## policycheck review\n", 1)[1].split("\n\n_Cut to fit")[0].splitlines()
    assert 1000 < len(causes) < 3000  # as many whole lines as fit its share, none cut in the middle
    assert causes == [f"- cause {n} breaks 12 calls" for n in range(1, len(causes) + 1)]
    assert diff == "\ncompliance-sync loses gl.journal-entries.post in prod\n\n<sub>[the run](https://run/1)</sub>\n"
