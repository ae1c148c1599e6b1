from .conftest import brief
from .spec_helpers import SPEC, run_with_spec


def test_passes_when_every_spec_operation_is_in_the_policy(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run_with_spec(tmp_path, "PC502") == []


def test_a_new_spec_operation_is_found_at_its_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    spec = SPEC.replace("components:\n", "  /items/{id}:\n    delete:\n      security: []\ncomponents:\n")
    found = run_with_spec(tmp_path, "PC502", spec)
    assert [brief(f) for f in found] == [("PC502", "spec.yaml", 14, None, None, None)]
    assert found[0].message == "DELETE /items/{id} (delete.items.id) is in spec.yaml but in no policy operation"
