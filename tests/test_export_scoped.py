"""Environment-scoped set definitions in the native export (permission_sets[].environment)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from policycheck.analysis import Analysis
from policycheck.commands.check import Options, check
from policycheck.loading.inputs import load_model

POLICY = """\
apiVersion: policycheck/v1
kind: Policy
operations:
  - id: post
    request: POST /post
    requires: {permissions: [Post]}
environments:
  - name: test
    parity: [prod]
bindings:
  - application: app
    environments: [base, test, prod]
    operations: [post]
"""

EXPORT = """\
apiVersion: policycheck/v1
kind: GatewayExport
environments:
  - name: base
    permission_sets: [Posting]
  - name: test
    inherits: [base]
  - name: prod
    inherits: [base]
permission_sets:
  - name: Posting
    permissions: [Read]
  - name: Posting
    environment: base
    permissions: [Read, Post]
  - name: Posting
    environment: prod
    permissions: [Read]
applications:
  - id: app
    clients: {base: B~app, test: T~app, prod: P~app}
    grants:
      - permission_set: Posting
        status: approved
"""


def _files(tmp_path: Path, export: str = EXPORT) -> tuple[str, str]:
    (tmp_path / "policy.yaml").write_text(POLICY)
    (tmp_path / "export.yaml").write_text(export)
    return str(tmp_path / "policy.yaml"), str(tmp_path / "export.yaml")


def test_each_environment_resolves_its_own_or_the_nearest_inherited_definition(tmp_path: Path) -> None:
    model = load_model(_files(tmp_path))
    assert sorted(model.scoped_sets) == ["base", "prod"]
    assert model.permission_sets["Posting"].permissions == ("Read",)
    analysis = Analysis(model)
    assert analysis.effective("app", "base") == {"Read", "Post"}
    assert analysis.effective("app", "test") == {"Read", "Post"}  # base's, inherited
    assert analysis.effective("app", "prod") == {"Read"}  # its own
    assert analysis.allows("app", "test", "post")
    assert not analysis.allows("app", "prod", "post")


def test_the_difference_is_named_in_the_environment_s_own_definition(tmp_path: Path) -> None:
    policy, export = _files(tmp_path)
    result, _ = check(Options(paths=(policy, export), no_config=True, today=date(2026, 12, 1)))
    gap = next(f for f in result.findings if f.rule == "PC103")
    assert "in prod, permission set 'Posting' does not include 'Post'" in gap.message
    assert (Path(gap.location.path).resolve(), gap.location.line) == (Path(export).resolve(), 16)  # prod's own
    assert "inherit" not in gap.fix
    parity = next(f for f in result.findings if f.rule == "PC104")
    assert "in prod, permission set 'Posting' does not include 'Post', which it includes in test" in parity.message


def test_one_environment_defining_a_set_twice_is_a_duplicate(tmp_path: Path) -> None:
    text = EXPORT.replace(
        "applications:",
        "  - name: Posting\n    environment: prod\n    permissions: [Post]\napplications:",
        1,
    )
    model = load_model(_files(tmp_path, text))
    assert [d.key for d in model.duplicates] == ["permission set 'Posting'"]


def test_an_unknown_environment_of_a_definition_is_reported(tmp_path: Path) -> None:
    text = EXPORT.replace("    environment: prod\n", "    environment: production\n", 1)
    result, _ = check(Options(paths=_files(tmp_path, text), no_config=True, today=date(2026, 12, 1)))
    unknown = [f for f in result.findings if f.rule == "PC901"]
    assert [f.subject for f in unknown] == ["production"]
    assert unknown[0].message == "permission set 'Posting' refers to unknown environment 'production'"
