"""Reporters against golden files (rewritten only with POLICYCHECK_UPDATE_GOLDENS=1) and official schemas."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
import xmlschema
from jsonschema import Draft4Validator, Draft202012Validator
from referencing import Registry

from policycheck.engine import Selection, run
from policycheck.findings import Checked, Finding, Location, Result, Severity
from policycheck.loading.inputs import load_model
from policycheck.reporters import FORMATS, render

HERE = Path(__file__).parent
ROOT = HERE.parent
VENDOR = HERE / "data" / "vendor-schemas"
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
def story(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Result:
    shutil.copytree(ROOT / "policies" / "examples" / "cloudsuite", tmp_path / "gw")
    (tmp_path / "waivers.yaml").write_text(WAIVERS)
    monkeypatch.chdir(tmp_path)
    model = load_model(["gw"], waiver_files=["waivers.yaml"])
    return run(model, Selection(), date(2026, 11, 29))


def golden(name: str, actual: str) -> str:
    path = HERE / "golden" / name
    if UPDATE:
        path.write_text(actual)
    return path.read_text()


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_golden(fmt: str, story: Result) -> None:
    out = render(fmt, story)
    assert out == golden(f"story-waived.{fmt}", out)
    assert render(fmt, story) == out  # deterministic


def test_vendored_schemas_are_the_documented_bytes() -> None:
    sources = (VENDOR / "SOURCES.md").read_text()
    for name, digest in re.findall(r"\| `([^`]+)` \|.*\| `([0-9a-f]{64})` \|", sources):
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name


def test_sarif_is_valid_for_oasis_and_for_github_upload(story: Result) -> None:
    sarif = json.loads(render("sarif", story))
    oasis = json.loads((VENDOR / "sarif-schema-2.1.0.json").read_text())
    Draft4Validator.check_schema(oasis)
    Draft4Validator(oasis, registry=Registry()).validate(sarif)
    github = json.loads((VENDOR / "sarif-schema-2.1.0.github-codeql-action.json").read_text())
    Draft202012Validator(github, registry=Registry()).validate(sarif)  # its own meta-check fails upstream


def test_sarif_results_carry_what_code_scanning_uses(story: Result) -> None:
    run_ = json.loads(render("sarif", story))["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(r["id"] for r in rules)
    assert all(r["helpUri"].startswith("https://") and r["help"]["text"] for r in rules)
    first = run_["results"][0]
    assert rules[first["ruleIndex"]]["id"] == first["ruleId"]
    region = first["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] >= 1 and region["startColumn"] >= 1
    assert run_["columnKind"] == "unicodeCodePoints"
    waived = [r for r in run_["results"] if "suppressions" in r]
    assert len(waived) == 1 and waived[0]["suppressions"][0]["justification"].startswith("prod is read-only")


def test_sarif_uri_is_percent_encoded() -> None:
    f = Finding("PC101", "missing-grant", Severity.ERROR, Location("my dir/ü#1.yaml", 3, 1), "m", "f")
    sarif = json.loads(render("sarif", Result((f,), Checked())))
    uri = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "my%20dir/%C3%BC%231.yaml"


def test_json_cells_stay_one_a_line_whatever_the_names_hold() -> None:
    """A name that ends in '], [' (what stands between two cells) is not split across lines."""
    cells = (("app], [", "prod", None), ("b", "prod], [", "GET /x], ["), ("c", "prod", None))
    f = Finding("PC401", "unneeded-grant", Severity.WARNING, Location("e.json", 1, 1), "m", "f", cells=cells)
    text = render("json", Result((f,), Checked()))
    assert json.loads(text)["findings"][0]["cells"] == [list(c) for c in cells]
    listed = text[text.index('"cells": [') :].splitlines()[1:4]
    assert [json.loads(line.strip().rstrip(",")) for line in listed] == [list(c) for c in cells]


def test_junit_is_valid_and_survives_control_characters(story: Result) -> None:
    schema = xmlschema.XMLSchema(str(VENDOR / "junit-jenkins-xunit-junit-10.xsd"))
    schema.validate(render("junit", story))
    nasty = Finding(
        "PC901",
        "unknown-reference",
        Severity.ERROR,
        Location("a.yaml", 1, 1),
        "refers to '\x1b[2K\x00x'",
        "fix \x0b it",
    )
    schema.validate(render("junit", Result((nasty,), Checked(paths=("a.yaml",)))))


def test_github_annotations_cannot_inject_commands() -> None:
    f = Finding(
        "PC901",
        "unknown-reference",
        Severity.WARNING,
        Location("a,b:c.yaml", 2, 3),
        "x\n::add-mask::secret",
        "100% sure",
    )
    out = render("github", Result((f,), Checked()))
    assert out.count("\n") == 2  # the summary annotation, then the finding's
    line = out.splitlines(keepends=True)[1]
    assert line == (
        "::warning file=a%2Cb%3Ac.yaml,line=2,col=3,title=PC901 unknown-reference::"
        "x\\x0a::add-mask::secret%0A%0Afix: 100%25 sure\n"  # the input's newline is shown, not a line break
    )


def test_text_escapes_terminal_control_sequences() -> None:
    f = Finding("PC901", "unknown-reference", Severity.ERROR, Location("a.yaml", 1, 1), "key \x1b[2K\x1b[1Aok", "f")
    out = render("text", Result((f,), Checked()))
    assert "\x1b" not in out and "\\x1b[2K" in out
