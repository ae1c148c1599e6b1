"""PC404 missing-application: a bound application that the export does not have."""

import pytest

from policycheck.engine import Selection, run
from policycheck.loading.inputs import load_model

from .base import EXPORT, POLICY
from .conftest import POLICY_HEAD, TODAY, brief

FIX = "correct the binding's application, or map the export's client to {app} with `applications:` in the configuration"


def test_fails_at_the_binding_naming_the_close_export_application(check):
    export = EXPORT.replace("- id: app", "- id: app_")
    found = check(POLICY, export, "PC404")
    assert [brief(f) for f in found] == [("PC404", "policy.yaml", 25, "app", None, None)]
    assert found[0].message == "app is bound in the policies but is not in the export (did you mean 'app_'?)"
    assert found[0].fix == FIX.format(app="app")
    assert found[0].subject == "app"


def test_passes_when_every_bound_application_is_in_the_export(check):
    assert check(POLICY, EXPORT, "PC404") == []


def test_no_hint_when_no_export_application_is_close(check):
    export = EXPORT.replace("- id: app", "- id: ledger-sync")
    found = check(POLICY, export, "PC404")
    assert [f.message for f in found] == ["app is bound in the policies but is not in the export"]


def test_each_missing_application_once_at_its_first_binding(check):
    policy = POLICY + (
        "  - application: app\n    environments: [prod]\n    operations: [items.list]\n"
        "  - application: ghost\n    environments: [prod]\n    operations: [items.list]\n"
    )
    export = EXPORT.replace("- id: app", "- id: apps")
    found = check(policy, export, "PC404")
    # app's second binding (line 28) adds nothing; ghost's binding is line 31
    assert [brief(f) for f in found] == [
        ("PC404", "policy.yaml", 25, "app", None, None),
        ("PC404", "policy.yaml", 31, "ghost", None, None),
    ]
    assert found[1].fix == FIX.format(app="ghost")


def test_policies_checked_without_an_export_are_not_reported(tmp_path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "policy.yaml").write_text(POLICY_HEAD + POLICY)
    model = load_model(["policy.yaml"])
    assert not model.has_export
    assert list(run(model, Selection(select=("PC404",)), TODAY).findings) == []
