"""Run the real loader and engine on small inline YAML."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from policycheck.engine import Selection, run
from policycheck.findings import Finding, Result, Severity
from policycheck.loading.inputs import load_model

from .base import EXPORT, POLICY, WAIVERS_HEAD

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


@pytest.fixture
def compare(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Check:
    """compare(before_export, after_export, rule, policy=POLICY, severities={}) -> that rule's findings of the
    new export against the old (policycheck diff), files relative."""
    monkeypatch.chdir(tmp_path)

    def run_diff(
        before: str, after: str, rule: str, policy: str = POLICY, severities: dict[str, Severity] | None = None
    ) -> list[Finding]:
        (tmp_path / "policy.yaml").write_text(POLICY_HEAD + policy)
        (tmp_path / "before.yaml").write_text(EXPORT_HEAD + before)
        (tmp_path / "export.yaml").write_text(EXPORT_HEAD + after)
        old = load_model(["policy.yaml", "before.yaml"])
        new = load_model(["policy.yaml", "export.yaml"])
        return list(run(new, Selection(select=(rule,), severities=severities or {}), TODAY, before=old).findings)

    return run_diff


@pytest.fixture
def waived(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """waived(waivers_body, *rules, today=TODAY, export=EXPORT) -> the result of those rules, waivers.yaml
    configured."""
    monkeypatch.chdir(tmp_path)

    def run_rules(waivers: str, *rules: str, today: date = TODAY, export: str = EXPORT) -> Result:
        (tmp_path / "policy.yaml").write_text(POLICY_HEAD + POLICY)
        (tmp_path / "export.yaml").write_text(EXPORT_HEAD + export)
        (tmp_path / "waivers.yaml").write_text(WAIVERS_HEAD + waivers)
        model = load_model(["policy.yaml", "export.yaml"], waiver_files=["waivers.yaml"])
        return run(model, Selection(select=rules), today)

    return run_rules


def brief(f: Finding) -> tuple[str, str, int, str | None, str | None, str | None]:
    return (f.rule, f.location.path, f.location.line, f.application, f.environment, f.operation)
