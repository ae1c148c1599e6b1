"""Every output fits its host at any size: the most important first, and a line that says what was left out.

Two kinds of large input: a generated organisation (benchmarks/generate.py, checked
in-process) and results built directly, sized so that each limit is exceeded several
times over (long names make a page large without making the test slow).
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from datetime import date
from pathlib import Path

import pytest

from policycheck.engine import Selection, run
from policycheck.findings import (
    ALLOWED,
    GAP,
    MISSING,
    Cell,
    Change,
    Checked,
    Finding,
    Holding,
    Location,
    Result,
    Severity,
)
from policycheck.loading.inputs import load_model
from policycheck.reporters import render
from policycheck.reporters.budget import (
    ANNOTATIONS_PER_TYPE,
    COMMENT_CHARS,
    HTML_BYTES,
    SARIF_RESULTS,
    STEP_SUMMARY_BYTES,
)

ROOT = Path(__file__).parent.parent
RULES = ("PC101", "PC102", "PC103", "PC104", "PC401", "PC403")
SEVERITY = {"PC101": Severity.ERROR, "PC102": Severity.ERROR, "PC103": Severity.ERROR, "PC104": Severity.WARNING,
            "PC401": Severity.WARNING, "PC403": Severity.NOTE}  # fmt: skip


def _generator() -> object:
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def organisation(tmp_path_factory: pytest.TempPathFactory) -> Result:
    """1,000 generated applications (30,050 bound calls), checked as `policycheck check` does."""
    out = tmp_path_factory.mktemp("n1000")
    _generator().write(str(out), 1000, "json", 1)  # type: ignore[attr-defined]
    return run(load_model([str(out)]), Selection(), date(2026, 11, 28))


def finding(i: int, rule: str, breaks: int = 1, text: str = "") -> Finding:
    cells = tuple((f"app-{i}-{k}", "prod", f"op-{k}") for k in range(breaks)) if breaks > 1 else ()
    return Finding(rule, "some-rule", SEVERITY[rule], Location("export.json", i + 1, 3),
                   f"finding {i} {text}", f"fix {i}", f"app-{i}", "prod", f"op-{i}", None, cells)  # fmt: skip


def many(n: int, text: str = "") -> Result:
    findings = tuple(finding(i, RULES[i % len(RULES)], 1 + (i % 7 == 0), text) for i in range(n))
    return Result(findings, Checked(2, n, 2, 10, n, ("export.json", "policy.json")))


def test_sarif_keeps_the_most_severe_results_and_says_how_many_it_left_out() -> None:
    result = many(SARIF_RESULTS + 5_000)
    run_ = json.loads(render("sarif", result))["runs"][0]
    assert len(run_["results"]) == SARIF_RESULTS
    levels = [r["level"] for r in run_["results"]]
    assert levels.count("note") == SARIF_RESULTS - sum(1 for f in result.findings if f.severity > Severity.NOTE)
    notes = [n["message"]["text"] for n in run_["invocations"][0]["toolExecutionNotifications"]]
    assert notes == [notes[0]] and notes[0].startswith("5,000 findings left out: code scanning takes 25,000")
    assert "--format json" in notes[0] and run_["properties"]["resultsLeftOut"] == 5_000


def test_sarif_within_the_limit_is_whole() -> None:
    run_ = json.loads(render("sarif", many(100)))["runs"][0]
    assert len(run_["results"]) == 100 and "toolExecutionNotifications" not in run_["invocations"][0]


def _commands(out: str) -> list[str]:
    return [re.match(r"::(\w+) ", line).group(1) for line in out.splitlines()]  # type: ignore[union-attr]


def test_github_annotations_are_bounded_per_type_summary_included(organisation: Result) -> None:
    out = render("github", organisation)
    lines = out.splitlines()
    commands = _commands(out)
    for command in ("error", "warning", "notice"):
        assert commands.count(command) <= ANNOTATIONS_PER_TYPE, command
    assert lines[0].startswith("::error title=policycheck::") and "not annotated" in lines[0]
    annotations = lines[1:]
    # every type the run has gets its share, up to the cap (the summary takes one error)
    for severity, command, room in ((Severity.ERROR, "error", 9), (Severity.WARNING, "warning", 10),
                                    (Severity.NOTE, "notice", 10)):  # fmt: skip
        total = organisation.count(severity)
        assert commands[1:].count(command) == min(total, room), command
    left = len(organisation.findings) - len(annotations)
    assert left > 0 and f"{left:,} findings not annotated" in lines[0]
    assert "`--format text` lists them all" in lines[0] and "--format json" in lines[0]
    # the most important of each type: no finding left out outranks one annotated of its type
    for severity, command in ((Severity.ERROR, "error"), (Severity.WARNING, "warning"), (Severity.NOTE, "notice")):
        of_type = sorted((f for f in organisation.findings if f.severity is severity), key=lambda f: -f.breaks)
        kept = [line for line in annotations if line.startswith(f"::{command} ")]
        if kept:
            least = min(f.breaks for f in of_type[: len(kept)])
            assert all(f.breaks <= least for f in of_type[len(kept) :])
    worst = max(organisation.findings, key=lambda f: (f.severity, f.breaks))
    assert annotations[0].startswith("::error ") and f"title={worst.rule} " in annotations[0]  # the most important


def test_github_caps_each_type_whatever_the_rules() -> None:
    """Six rules of three types, 600 findings: ten lines of each command at most, the summary counts the rest."""
    result = many(600)
    out = render("github", result)
    commands = _commands(out)
    assert (commands.count("error"), commands.count("warning"), commands.count("notice")) == (10, 10, 10)
    summary = out.splitlines()[0]
    assert summary.startswith("::error title=policycheck::")
    assert "571 findings not annotated (291 errors, 190 warnings, 90 notes;" in summary
    assert f"about {ANNOTATIONS_PER_TYPE} annotations of each type per step" in summary


def test_github_within_the_caps_annotates_everything() -> None:
    result = many(12)  # 2 of each rule: 6 errors, 4 warnings, 2 notes
    out = render("github", result)
    assert len(out.splitlines()) == 13 and "not annotated" not in out


def test_review_fits_a_pull_request_comment(organisation: Result) -> None:
    out = render("review", organisation)
    assert len(out) <= COMMENT_CHARS
    assert "Shortened to fit a pull-request comment" in out
    assert re.search(r"_[\d,]+ findings left out here\._", out)
    assert re.search(r"[\d,]+ allowed calls not listed\.", out)
    assert out.index("### Findings") < out.index("### Access matrix")
    findings = out[out.index("### Findings") : out.index("### Access matrix")]
    assert "**error**" in findings.split("\n")[4]  # the first row is the most severe


def test_review_that_fits_is_whole() -> None:
    out = render("review", many(20))
    assert "Shortened" not in out and "left out" not in out
    assert all(f"finding {i} " in out for i in range(20))


def test_markdown_fits_a_step_summary_at_any_size() -> None:
    result = many(6_000, "x" * 300)  # about 2.4 MB of rows
    out = render("markdown", result)
    assert len(out.encode()) <= STEP_SUMMARY_BYTES
    left = int(re.search(r"\*\*([\d,]+) findings left out\*\*", out).group(1).replace(",", ""))  # type: ignore[union-attr]
    shown = out.count("| **")
    assert shown + left == 6_000 and shown > 1_000
    assert "| **note** |" not in out  # notes went first: errors and warnings fill the summary


def test_markdown_within_the_limit_leaves_nothing_out() -> None:
    out = render("markdown", many(50))
    assert "left out" not in out and out.count("| **") == 50


def test_html_at_scale_keeps_under_its_budget_problems_first() -> None:
    """300,000 cells with long names: the page keeps the failing calls, then as many allowed as fit."""
    long = "-" + "n" * 120
    apps, ops = [f"application-{i}{long}" for i in range(10_000)], [f"operation-{k}{long}" for k in range(15)]
    matrix = [
        Cell(a, env, o, GAP if (i + k) % 37 == 0 and env == "prod" else ALLOWED,
             ("General Ledger - Journal Entry Post",) if (i + k) % 37 == 0 and env == "prod" else ())
        for i, a in enumerate(apps) for k, o in enumerate(ops) for env in ("test", "prod")
    ]  # fmt: skip
    matrix[5] = Cell(apps[0], "prod", ops[2], MISSING, ("Payroll - Read",))  # the one worst call
    holdings = [Holding(a, env, ("p1", "p2") if env == "test" else ("p1",), ()) for a in apps[:3000]
                for env in ("test", "prod")]  # fmt: skip
    result = Result(
        many(2_000, "y" * 1_200).findings, Checked(2, 10_000, 2, 15, 10_000), matrix=matrix, holdings=holdings
    )
    out = render("html", result)
    assert len(out.encode()) <= HTML_BYTES
    block = out[out.index('id="matrix-data">') + 17 : out.index("</script>", out.index('id="matrix-data"'))]
    data = json.loads(block)
    problems = sum(1 for c in matrix if c.status != ALLOWED)
    assert len(data["cells"]) == problems and data["cells"][0][3] == MISSING  # every failing call, worst first
    allowed = sum(len(ops_) for _, _, ops_ in data["allowed"])
    assert 0 < allowed < len(matrix) - problems
    left = len(matrix) - problems - allowed
    assert left > 10_000 and f"{left:,} allowed calls left out</strong>" in out
    assert "every bound call that is not listed here is allowed" in out
    assert out.index('<section id="findings">') < out.index('<section id="matrix">')


def test_html_of_a_generated_organisation_is_whole_and_small(organisation: Result) -> None:
    out = render("html", organisation)
    assert len(out.encode()) <= HTML_BYTES // 2 and "left out" not in out
    data = json.loads(out[out.index('id="matrix-data">') + 17 : out.index("</script>", out.index('id="matrix-data"'))])
    shown = len(data["cells"]) + sum(len(o) for _, _, o in data["allowed"])
    assert shown == len(organisation.matrix) == data["total"]
    assert all(c[3] != ALLOWED or c[5] for c in data["cells"])  # the allowed go by index, not in full


def test_a_large_diff_fits_the_page_and_the_comment() -> None:
    """30,000 changed (application, environment) with long names: what is lost is shown first, the rest counted."""
    long = "z" * 100
    changes = tuple(
        Change(f"app-{i}-{long}", "prod", (f"op-{i}-{long}",) if i % 3 == 0 else (), (f"gained-{i}",) if i % 3 else (),
               ((f"perm-{i}-{long}", f"prod no longer inherits base {long}"),), ())
        for i in range(30_000)
    )  # fmt: skip
    matrix = [Cell(c.application, "prod", f"op-{i}-{long}", MISSING if c.lost else ALLOWED, ("p",) if c.lost else ())
              for i, c in enumerate(changes)]  # fmt: skip
    result = Result(many(300).findings, Checked(2, 30_000, 1, 30_000, 30_000), matrix=matrix, changes=changes)
    page = render("html", result)
    assert len(page.encode()) <= HTML_BYTES and "changed application-environment pairs left out</strong>" in page
    changes_html = page[page.index('<section id="changes">') :]
    assert "loses operation" in changes_html[:5_000] and "gains operation" not in changes_html[:200_000]
    comment = render("review", result)
    assert len(comment) <= COMMENT_CHARS and re.search(r"_[\d,]+ changes left out here\._", comment)
    assert comment.index("### What the new export changes") < comment.index("### Access matrix after the change")
