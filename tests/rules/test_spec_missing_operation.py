from .conftest import brief
from .spec_helpers import SPEC, run_with_spec


def test_passes_when_the_spec_has_every_policy_operation(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run_with_spec(tmp_path, "PC501") == []


def test_a_renamed_path_points_at_the_spec_line_of_the_new_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    found = run_with_spec(tmp_path, "PC501", SPEC.replace("  /items:\n", "  /v2/items:\n"))
    assert [brief(f) for f in found] == [
        ("PC501", "spec.yaml", 7, None, None, "items.list"),
        ("PC501", "spec.yaml", 9, None, None, "items.create"),
    ]
    assert "the document has POST /v2/items here (operationId items.create), likely its new path" in found[1].message


def test_a_removed_operation_points_at_the_policy(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    spec = SPEC.replace("    post:\n      operationId: items.create\n", "    put:\n      operationId: items.replace\n")
    found = run_with_spec(tmp_path, "PC501", spec)
    assert [brief(f) for f in found] == [("PC501", "policy.yaml", 15, None, None, "items.create")]
    assert found[0].message == "policy operation items.create (POST /items) is not in spec.yaml"


def test_a_spec_for_another_api_covers_only_that_api(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run_with_spec(tmp_path, "PC501", SPEC.replace("  /items:\n", "  /other:\n"), api="billing") == []
