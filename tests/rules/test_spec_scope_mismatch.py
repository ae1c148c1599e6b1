from .conftest import brief
from .spec_helpers import SCOPED_POLICY, SPEC, run_with_spec


def test_passes_when_the_scopes_agree(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run_with_spec(tmp_path, "PC503") == []


def test_a_scope_the_policy_lacks(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    found = run_with_spec(tmp_path, "PC503", SPEC.replace("[x:read, x:write]", "[x:read, x:write, x:admin]"))
    assert [brief(f) for f in found] == [("PC503", "spec.yaml", 9, None, None, "items.create")]
    assert found[0].message == (
        "POST /items requires x:admin and x:read and x:write in the document, but policy operation items.create "
        "(policy.yaml:15:5) requires x:read and x:write (the policy never mentions x:admin)"
    )


def test_or_in_the_spec_is_not_and_in_the_policy(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    spec = SPEC.replace(
        "        - oauth: [x:read, x:write]\n", "        - oauth: [x:read]\n        - oauth: [x:write]\n"
    )
    found = run_with_spec(tmp_path, "PC503", spec)
    assert [f.operation for f in found] == ["items.create"]
    assert "requires x:read, or x:write in the document" in found[0].message


def test_a_permission_without_scopes_does_not_carry_the_specs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    policy = SCOPED_POLICY.replace("    scopes: [x:write]\n", "")
    found = run_with_spec(tmp_path, "PC503", policy=policy)
    assert [f.operation for f in found] == ["items.create"]
    assert "policy operation items.create (policy.yaml:14:5) requires x:read " in found[0].message
