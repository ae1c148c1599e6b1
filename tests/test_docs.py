"""The user documentation cannot drift from the code: its examples are real files that
validate and load, the pages show them verbatim, and the output they quote is real."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry

from policycheck.cli import main
from policycheck.commands.check import Options, check
from policycheck.loading.inputs import load_model
from policycheck.loading.limits import Limits
from policycheck.loading.schemas import schema
from policycheck.loading.source import load
from policycheck.reporters.json_report import report
from policycheck.resolve import Resolver
from policycheck.rules import REGISTRY

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"
PAGES = (
    "policy-format.md",
    "export-format.md",
    "resolution.md",
    "report-format.md",
    "tokens.md",
    "ci.md",
    "rules.md",
    "importers.md",
    "openapi.md",
)
EXAMPLE_FILES = sorted(p for p in EXAMPLES.iterdir() if p.suffix in (".yaml", ".json"))
PAIRS = (
    ("policy-minimal.yaml", "export-minimal.yaml"),
    ("policy-full.yaml", "export-full.json"),
    ("policy-realms.yaml", "export-realms.yaml"),
)
REPORT_EXAMPLE = "report-cloudsuite.json"
OTHER_EXAMPLES = {"token-profile.yaml", "waivers.yaml"}
TODAY = date(2026, 12, 1)


# --- fenced blocks ------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    page: str
    line: int
    info: str
    text: str

    def __str__(self) -> str:
        return f"docs/{self.page}:{self.line}"


def _blocks(page: str) -> list[Block]:
    """Every fenced block of a page, with the text exactly as written (each line ends in \\n)."""
    out = []
    lines = (DOCS / page).read_text(encoding="utf-8").splitlines(keepends=True)
    i = 0
    while i < len(lines):
        fence = re.match(r"^(`{3,})(\S*)\s*$", lines[i])
        if not fence:
            i += 1
            continue
        start, body = i + 1, []
        i += 1
        while i < len(lines) and lines[i].rstrip("\n") != fence.group(1):
            body.append(lines[i])
            i += 1
        assert i < len(lines), f"docs/{page}:{start}: unclosed code fence"
        out.append(Block(page, start, fence.group(2), "".join(body)))
        i += 1
    return out


ALL_BLOCKS = [b for page in PAGES for b in _blocks(page)]


def _first_content_line(text: str) -> str | None:
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            return line
    return None


def _is_complete_yaml(block: Block) -> bool:
    return block.info == "yaml" and _first_content_line(block.text) == "apiVersion: policycheck/v1"


def _is_complete_json(block: Block) -> bool:
    if block.info != "json":
        return False
    try:
        data = json.loads(block.text)
    except ValueError:
        return False
    return isinstance(data, dict) and ("apiVersion" in data or "findings" in data)


# --- examples -----------------------------------------------------------------


def _data(path: Path) -> Any:
    """The file as an editor's YAML 1.2 / JSON parser sees it: dates are text, nothing dropped."""
    return load(str(path), path.read_bytes(), Limits()).data


def _schema_name(data: Any) -> str:
    if "findings" in data:
        return "report"
    return {"Policy": "policy", "GatewayExport": "export", "TokenProfile": "token-profile", "Waivers": "waivers"}[
        data["kind"]
    ]


def test_the_pages_and_examples_exist() -> None:
    for page in PAGES:
        assert (DOCS / page).is_file(), page
    names = {p.name for p in EXAMPLE_FILES}
    assert {n for pair in PAIRS for n in pair} | {REPORT_EXAMPLE} | OTHER_EXAMPLES == names, (
        "every example is in a policy/export pair (PAIRS), the report example or OTHER_EXAMPLES"
    )


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_example_is_valid_against_its_schema(path: Path) -> None:
    data = _data(path)
    validator = Draft202012Validator(schema(_schema_name(data)), registry=Registry())
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
    assert errors == []


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p[0])
def test_example_pair_loads(pair: tuple[str, str]) -> None:
    model = load_model([str(EXAMPLES / name) for name in pair])
    assert len(model.files) == 2
    assert model.has_export
    assert model.bindings
    assert not model.duplicates


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p[0])
def test_example_pair_is_clean_as_the_docs_say(pair: tuple[str, str]) -> None:
    """The minimal example is clean; the full one's only finding is the least-privilege warning the docs
    explain; the realms example's are the definition difference, the call it breaks and the parity gap."""
    result, _ = check(Options(paths=tuple(str(EXAMPLES / n) for n in pair), no_config=True, today=TODAY))
    expected = {PAIRS[0]: [], PAIRS[1]: ["PC401"], PAIRS[2]: ["PC103", "PC101", "PC104"]}[pair]
    assert [f.rule for f in result.findings] == expected


def test_full_example_allowance_expires_as_the_docs_say() -> None:
    paths = tuple(str(EXAMPLES / n) for n in PAIRS[1])
    result, _ = check(Options(paths=paths, no_config=True, today=date(2027, 7, 1)))
    assert sorted(f.rule for f in result.findings) == ["PC104", "PC105", "PC401"]


# --- the pages show the examples verbatim -------------------------------------


@pytest.mark.parametrize("block", [b for b in ALL_BLOCKS if _is_complete_yaml(b)], ids=str)
def test_complete_yaml_in_the_docs_is_an_example_file(block: Block) -> None:
    files = {p.name: p.read_bytes() for p in EXAMPLE_FILES if p.suffix == ".yaml"}
    matches = [name for name, raw in files.items() if raw == block.text.encode("utf-8")]
    assert matches, f"{block}: a complete policycheck file in the docs must be a copy of a docs/examples file"


@pytest.mark.parametrize("block", [b for b in ALL_BLOCKS if _is_complete_json(b)], ids=str)
def test_complete_json_in_the_docs_is_an_example_file(block: Block) -> None:
    files = {p.name: p.read_bytes() for p in EXAMPLE_FILES if p.suffix == ".json"}
    matches = [name for name, raw in files.items() if raw == block.text.encode("utf-8")]
    assert matches, f"{block}: a complete JSON document in the docs must be a copy of a docs/examples file"


def test_every_example_is_shown_in_the_docs() -> None:
    shown = {b.text.encode("utf-8") for b in ALL_BLOCKS}
    for path in EXAMPLE_FILES:
        assert path.read_bytes() in shown, f"{path.name} is not included verbatim in any page of docs/"


EXCERPT = re.compile(r"^# (\S+) \(excerpt\)\n")


@pytest.mark.parametrize("block", [b for b in ALL_BLOCKS if EXCERPT.match(b.text)], ids=str)
def test_excerpts_are_verbatim(block: Block) -> None:
    match = EXCERPT.match(block.text)
    assert match is not None
    source = (ROOT / match.group(1)).read_text(encoding="utf-8")
    body = block.text[match.end() :]
    assert ("\n" + body) in ("\n" + source), f"{block}: the excerpt is not a run of lines of {match.group(1)}"


# --- the output the pages quote is real ---------------------------------------


def _commands(block: Block) -> list[tuple[str, list[str]]]:
    """`$ policycheck check ...` lines of a block, each with the output lines shown under it."""
    out: list[tuple[str, list[str]]] = []
    for line in block.text.splitlines():
        if line.startswith("$ "):
            out.append((line[2:], []))
        elif out:
            out[-1][1].append(line)
    return [(cmd, shown) for cmd, shown in out if cmd.startswith("policycheck check ")]


QUOTED_RUNS = [b for b in ALL_BLOCKS if _commands(b)]


def test_the_docs_quote_runs() -> None:
    assert len(QUOTED_RUNS) >= 2


@pytest.mark.parametrize("block", QUOTED_RUNS, ids=str)
def test_quoted_output_is_real(
    block: Block, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    for command, shown in _commands(block):
        capsys.readouterr()
        main([*shlex.split(command)[1:], "--no-color"])
        real = iter(capsys.readouterr().out.splitlines())
        for line in shown:  # in order; lines the page leaves out (fix:) are skipped
            assert any(line == r for r in real), f"{block}: `{command}` does not print: {line}"


def test_report_example_is_real_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result, _ = check(Options(paths=("policies/examples/cloudsuite",), no_config=True, today=TODAY))
    real = report(result)
    shown = json.loads((EXAMPLES / REPORT_EXAMPLE).read_text(encoding="utf-8"))
    assert shown["version"] == real["version"]
    assert shown["tool"]["name"] == real["tool"]["name"]
    assert shown["summary"] == real["summary"]
    assert shown["coverage"] == real["coverage"]
    assert shown["imports"] == real["imports"]  # native exports only: no vendor file imported
    remaining = iter(real["findings"])
    for finding in shown["findings"]:  # a trimmed copy: a subsequence of the real findings
        assert any(finding == r for r in remaining), f"not in the real report, in this order: {finding}"


def test_worked_example_of_resolution_md() -> None:
    model = load_model([str(ROOT / "policies" / "examples" / "cloudsuite")])
    resolver = Resolver(model)
    test = resolver.effective("compliance-sync", "test")
    prod = resolver.effective("compliance-sync", "prod")
    assert sorted(test.permissions) == [
        "Financial Management - Transaction Write",
        "General Ledger - Journal Entry Create",
        "General Ledger - Journal Entry Post",
        "General Ledger - Read",
    ]
    assert sorted(prod.permissions) == ["General Ledger - Read"]
    (read,) = test.derivations("General Ledger - Read")
    assert read.grant.source.location().line == 37
    assert (read.environment_path, read.sets, read.set_environment_path) == (
        ("test",),
        ("GL Journal Posting", "GL Read Only"),
        ("test", "base"),
    )
    blocked = {
        (b.grant.source.location().line if b.grant else None, tuple(r.value for r in b.reasons))
        for p in (
            "General Ledger - Journal Entry Create",
            "General Ledger - Journal Entry Post",
            "Financial Management - Transaction Write",
        )
        for b in resolver.blocked("compliance-sync", "prod", p)
    }
    assert blocked == {(37, ("set-not-mapped",)), (40, ("other-environment",)), (46, ("pending",))}
    page = (DOCS / "resolution.md").read_text(encoding="utf-8")
    for line in (37, 40, 43, 46):
        assert f"({line})" in page


# --- links --------------------------------------------------------------------


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)  # no headings inside code blocks
    return {_slug(m.group(1)) for m in re.finditer(r"^#{1,6} (.+)$", text, re.M)}


@pytest.mark.parametrize("page", PAGES)
def test_relative_links_resolve(page: str) -> None:
    text = re.sub(r"^```.*?^```", "", (DOCS / page).read_text(encoding="utf-8"), flags=re.M | re.S)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"^[a-z]+:", target):
            continue
        file, _, anchor = target.partition("#")
        path = (DOCS / file).resolve() if file else DOCS / page
        assert path.exists(), f"docs/{page}: broken link {target}"
        if anchor:
            assert anchor in _anchors(path), f"docs/{page}: no heading for #{anchor} in {file or page}"


# --- README -------------------------------------------------------------------


def test_every_rule_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [rid for rid in REGISTRY if not re.search(rf"\b{rid}\b", readme)]
    assert missing == []


def test_the_readme_rules_table_has_every_rule_in_order() -> None:
    """One row per rule of the registry, in its order, with its name and default severity (the summary is prose)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Rules\n", 1)[1].split("\n## ", 1)[0]
    rows = [[c.strip() for c in line.split("|")[1:-1]] for line in section.splitlines() if line.startswith("| PC")]
    assert [row[:3] for row in rows] == [[r.ID, r.NAME, r.DEFAULT_SEVERITY.label] for r in REGISTRY.values()]
    assert all(row[3] for row in rows)


def test_the_readme_names_every_importer_of_docs_importers() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    bullet = next(line for line in readme.splitlines() if line.startswith("- [docs/importers.md]"))
    for vendor in ("Keycloak", "Entra", ".ionapi", "Kong", "Auth0", "Apigee", "APIM"):
        assert vendor in bullet, vendor
        assert vendor in (DOCS / "importers.md").read_text(encoding="utf-8"), vendor


def test_the_readme_links_the_pages() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for page in PAGES:
        assert f"(docs/{page})" in readme, page


def _readme_runs() -> list[tuple[str, str, list[str]]]:
    """`$ policycheck check|explain ...` lines of the README's text blocks: (directory, command, lines shown)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    runs: list[tuple[str, str, list[str]]] = []
    for block in re.findall(r"^```text\n(.*?)^```", text, re.M | re.S):
        cwd, current = ".", None
        for line in block.replace("\\\n", " ").splitlines():
            if line.startswith("$ cd "):
                cwd, current = line[5:].strip(), None
            elif line.startswith("$ "):
                current = (cwd, " ".join(line[2:].split()), [])
                runs.append(current)
            elif current is not None:
                current[2].append(line)
    return [r for r in runs if r[1].startswith(("policycheck check ", "policycheck explain "))]


def test_the_readme_quotes_check_and_explain() -> None:
    commands = [command for _, command, _ in _readme_runs()]
    assert "policycheck check policies/examples/cloudsuite" in commands
    assert any(c.startswith("policycheck explain ") for c in commands)


@pytest.mark.parametrize("run", _readme_runs(), ids=lambda r: r[1])
def test_readme_quoted_output_is_real(
    run: tuple[str, str, list[str]], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cwd, command, shown = run
    monkeypatch.chdir(ROOT / cwd)
    capsys.readouterr()
    main(
        [*shlex.split(command)[1:], "--no-color"]
        if command.startswith("policycheck check")
        else shlex.split(command)[1:]
    )
    real = iter(capsys.readouterr().out.splitlines())
    for line in shown:
        if line == "...":
            continue
        if line.endswith("; ..."):  # a message cut short
            assert any(r.startswith(line[:-3]) for r in real), f"README: `{command}` does not print: {line}"
        else:
            assert any(line == r for r in real), f"README: `{command}` does not print: {line}"


def test_the_readme_quotes_the_set_up_run_last_line(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """The first set-up command exits 1 on purpose, and the README shows its real last line."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = re.search(r"```sh\n(.*?)\n```\n\nThis command exits 1 on purpose.*?```text\n(.*?)\n```", readme, re.S)
    assert setup, "the set-up command, then what it prints last"
    command = setup.group(1).split(" && ")[-1]
    assert command == "policycheck check policies/examples/cloudsuite"
    monkeypatch.chdir(ROOT)
    capsys.readouterr()
    assert main([*shlex.split(command)[1:], "--no-color"]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == setup.group(2)
