"""Run the real loader and engine on small inline YAML."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from policycheck.engine import Selection, run
from policycheck.findings import Finding
from policycheck.loading.inputs import load_model

TODAY = date(2026, 11, 29)

POLICY_HEAD = """\
apiVersion: policycheck/v1
kind: Policy
"""
EXPORT_HEAD = """\
apiVersion: policycheck/v1
kind: GatewayExport
"""

Check = Callable[..., list[Finding]]


@pytest.fixture
def check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Check:
    """check(policy_body, export_body, rule=ID) -> findings of that rule (file paths relative)."""
    monkeypatch.chdir(tmp_path)

    def run_rule(policy: str, export: str, rule: str, today: date = TODAY) -> list[Finding]:
        (tmp_path / "policy.yaml").write_text(POLICY_HEAD + textwrap.dedent(policy))
        (tmp_path / "export.yaml").write_text(EXPORT_HEAD + textwrap.dedent(export))
        model = load_model(["policy.yaml", "export.yaml"])
        return list(run(model, Selection(select=(rule,)), today).findings)

    return run_rule


def brief(f: Finding) -> tuple[str, str, int, str | None, str | None, str | None]:
    return (f.rule, f.location.path, f.location.line, f.application, f.environment, f.operation)
