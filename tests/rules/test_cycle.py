from .base import EXPORT, POLICY
from .conftest import brief


def test_set_cycle_is_reported_and_resolution_terminates(check):
    export = EXPORT.replace("    permissions: [Read]\n", "    permissions: [Read]\n    includes: [Writers]\n")
    found = check(POLICY, export, "PC902")
    assert [brief(f) for f in found] == [("PC902", "export.yaml", 4, None, None, None)]
    assert found[0].message == "permission sets include each other in a cycle: Readers -> Writers -> Readers"
    assert check(POLICY, export, "PC101") == []  # the cycle still delivers Read and Write


def test_self_including_set(check):
    export = EXPORT.replace("includes: [Readers]", "includes: [Readers, Writers]")
    found = check(POLICY, export, "PC902")
    assert [f.message for f in found] == ["permission sets include each other in a cycle: Writers -> Writers"]


def test_environment_inheritance_cycle(check):
    export = EXPORT.replace("  - name: base\n", "  - name: base\n    inherits: [prod]\n")
    found = check(POLICY, export, "PC902")
    assert [f.message for f in found] == ["environments inherit from each other in a cycle: base -> prod -> base"]


def test_passes_on_a_tree(check):
    assert check(POLICY, EXPORT, "PC902") == []
