"""The cold `check` path imports only what the default run needs (issue 9's start-up target).

A fresh interpreter runs the CLI on the cloudsuite example, as a new user runs it (the
text report on stdout), then lists what it imported. Every module below serves another
path: a vendor export, token verification, the reference schema validator, an OpenAPI
document, another report format or command. How long start-up takes is measured by
benchmarks/run.py, never here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = "policies/examples/cloudsuite"

RUN = """
import contextlib, io, json, sys
from policycheck.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    code = main(["check", sys.argv[1]])
print(json.dumps({"code": code, "report": out.getvalue(), "modules": sorted(sys.modules)}))
"""

NOT_ON_THE_CHECK_PATH = {
    # a vendor's importer, only for a file recognised as that vendor's
    *(
        f"policycheck.loading.importers.{v}"
        for v in ("apigee", "apim", "apim_policy", "auth0", "entra", "ionapi", "keycloak", "kong")
    ),
    "policycheck.loading.openapi",  # only with openapi: in the configuration
    "policycheck.explanation",
    "policycheck.callers",
    "policycheck.changes",
    "policycheck.provenance",
    *(f"policycheck.reporters.{r}" for r in ("html", "review", "json_report", "sarif", "junit", "github", "markdown")),
    *(f"policycheck.tokens.{t}" for t in ("jose", "keys", "verify", "source", "build")),
    *(
        f"policycheck.commands.{c}"
        for c in ("token", "diff", "explain", "who_can", "init", "import_openapi", "validate", "info")
    ),
    # third-party: tokens (PyJWT) and the reference validator, for a file that fails the fast one
    "jwt",
    "cryptography",
    "jsonschema",
    "jsonschema_rs",
    "referencing",
}
STDLIB_FOR_OTHER_PATHS = {
    "tempfile",  # a report written to a file
    "decimal",  # was imported, unused, by the generated validators
    "traceback",  # --traceback
    "xml.parsers.expat",  # an APIM policy.xml
    "tomllib",  # [tool.policycheck] in pyproject.toml
    "hashlib",  # fingerprints: baselines, SARIF
    "difflib",  # a suggestion: a likely rename, an unknown name's near miss
}


def imported(*code: str) -> list[str]:
    proc = subprocess.run([sys.executable, "-c", "\n".join(code)], cwd=ROOT, capture_output=True, text=True, check=True)
    return list(json.loads(proc.stdout.splitlines()[-1])["modules"])


def test_the_cold_check_imports_no_importer_token_or_schema_library() -> None:
    proc = subprocess.run([sys.executable, "-c", RUN, EXAMPLE], cwd=ROOT, capture_output=True, text=True)
    run = json.loads(proc.stdout.splitlines()[-1])
    assert run["code"] == 1, proc.stderr  # the example has findings: the run went all the way
    assert "PC102" in run["report"] and "checked" in run["report"]
    modules = set(run["modules"])
    assert "policycheck.rules" in modules and "policycheck.loading.inputs" in modules
    assert sorted(NOT_ON_THE_CHECK_PATH & modules) == []
    # the standard library's modules that only other paths need, unless click or PyYAML bring them anyway
    theirs = set(imported("import json, sys, click, yaml", "print(json.dumps({'modules': sorted(sys.modules)}))"))
    assert sorted((STDLIB_FOR_OTHER_PATHS - theirs) & modules) == []


VENDORS = ("apigee", "apim", "auth0", "entra", "ionapi", "keycloak", "kong")


@pytest.mark.parametrize(
    ("example", "importers"),
    [
        ("apigee", {"apigee"}),
        ("apim", {"apim"}),
        ("auth0", {"auth0", "kong"}),  # auth0 names a tenant by its file as kong does (kong.file_name)
        ("entra", {"entra"}),
        ("infor", {"ionapi"}),
        ("keycloak", {"keycloak"}),
        ("kong", {"kong"}),
    ],
)
def test_a_vendor_export_imports_only_its_own_importer(example: str, importers: set[str]) -> None:
    """Recognising a file runs the central tests of importers/detection.py; the importer comes after."""
    proc = subprocess.run(
        [sys.executable, "-c", RUN, f"policies/examples/{example}"], cwd=ROOT, capture_output=True, text=True
    )
    run = json.loads(proc.stdout.splitlines()[-1])
    assert run["code"] == 1, proc.stderr  # each example has findings: its export was read
    loaded = {m.rsplit(".", 1)[1] for m in run["modules"] if m.startswith("policycheck.loading.importers.")}
    assert loaded & set(VENDORS) == importers


def test_importing_the_package_loads_nothing_else() -> None:
    """`import policycheck` (PEP 562): the public names load on first use."""
    modules = imported(
        "import json, sys, policycheck",
        "print(json.dumps({'modules': sorted(sys.modules)}))",
    )
    assert [m for m in modules if m.startswith("policycheck")] == ["policycheck", "policycheck._version"]
    found = imported(
        "import json, sys",
        "from policycheck import check, Options, Severity, Result",
        "assert Options().formats == (('text', None),) and Severity.ERROR > Severity.WARNING",
        "print(json.dumps({'modules': sorted(sys.modules)}))",
    )
    assert "policycheck.commands.check" in found


def test_the_records_on_the_cold_path_are_not_dataclasses() -> None:
    """The issue's "no dataclass creation at import": the model, the result and the run's records."""
    code = [
        "import dataclasses, json, sys",
        "from policycheck.cli import main",
        "import contextlib, io",
        "with contextlib.redirect_stdout(io.StringIO()):",
        f"    main(['check', {EXAMPLE!r}])",
        "made = sorted({m.__name__ for m in list(sys.modules.values()) if m and m.__name__ in OURS",
        "    for v in vars(m).values() if isinstance(v, type) and v.__module__ == m.__name__",
        "    and dataclasses.is_dataclass(v)})",
        "print(json.dumps({'modules': made}))",
    ]
    ours = {
        "policycheck.model",
        "policycheck.findings",
        "policycheck.resolve",
        "policycheck.config",
        "policycheck.engine",
        "policycheck.rules.context",
        "policycheck.loading.limits",
        "policycheck.loading.inputs",
        "policycheck.loading.importers.identity",
        "policycheck.commands.check",
        "policycheck.commands.common",
    }
    assert imported(f"OURS = {sorted(ours)!r}", *code) == []


def test_the_console_script_starts_with_the_collector_off() -> None:
    """`policycheck` (and `python -m policycheck`) turn the cyclic collector off before importing anything."""
    text = (ROOT / "pyproject.toml").read_text()
    assert 'policycheck = "policycheck.script:main"' in text.split("[project.scripts]")[1].split("[")[0]
    proc = subprocess.run(
        [sys.executable, "-c", "import gc, sys, policycheck.script; print(gc.isenabled(), 'click' in sys.modules)"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert proc.stdout.split() == ["False", "True"]  # off, then the CLI imported
    version = subprocess.run(
        [sys.executable, "-m", "policycheck", "--version"], cwd=ROOT, capture_output=True, text=True
    )
    assert version.returncode == 0 and version.stdout.startswith("policycheck ")
