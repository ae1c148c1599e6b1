"""What the tests of the vendor importers share: running the CLI, reading its findings, writing inputs."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from policycheck.cli import main

FORMATS = ("text", "json", "sarif", "junit", "github", "markdown", "html", "review")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of one CLI run; never a traceback."""
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def found(out: str) -> list[tuple[str, str, str | None, str | None, str | None]]:
    """(rule, path:line, application, environment, operation) of each finding of a JSON report."""
    return [
        (
            f["rule"],
            f"{f['location']['path']}:{f['location']['line']}",
            f["application"],
            f["environment"],
            f["operation"],
        )
        for f in json.loads(out)["findings"]
    ]


def headers(out: str) -> list[str]:
    """The finding lines of a text report (no fix lines, coverage, section counts or summary)."""
    return [line for line in out.splitlines()[:-1] if not line.startswith(("    ", "coverage: ", "imported "))]


def write_json(path: Path, data: Any) -> Path:
    """`data` as indented JSON (a string as it is)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2), encoding="utf-8")
    return path


def write_dedented(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path
