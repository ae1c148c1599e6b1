"""Records (policycheck/records.py) behave as the frozen dataclasses they replaced."""

from __future__ import annotations

import dataclasses

import pytest

from policycheck.findings import Checked, Result
from policycheck.model import AllOf, AnyOf, Application, Model, Origin, PermissionRef, PermissionSet
from policycheck.records import replace

ORIGIN = Origin(None, ())


@dataclasses.dataclass(frozen=True)
class PermissionSetDataclass:
    """The definition PermissionSet had, for comparison."""

    name: str
    permissions: tuple[str, ...]
    includes: tuple[str, ...]
    source: Origin
    environment: str | None = None
    label: str = "permission set"


def test_equality_and_hash_are_by_field_values_within_one_class() -> None:
    a = PermissionSet("Readers", ("read",), (), ORIGIN)
    same = PermissionSet("Readers", ("read",), (), ORIGIN, None, "permission set")
    assert a == same and hash(a) == hash(same) and len({a, same}) == 1
    assert a != replace(a, environment="prod") and a != replace(a, permissions=("read", "write"))
    reference = PermissionSetDataclass("Readers", ("read",), (), ORIGIN)
    assert hash(a) == hash(reference)  # the same values hashed in the same order
    assert a != reference  # another class, as a dataclass compares
    item = PermissionRef("read")
    assert AllOf((item,)) == AllOf((PermissionRef("read"),)) and AllOf((item,)) != AnyOf((item,))


def test_repr_is_the_dataclass_repr() -> None:
    assert repr(PermissionRef("read")) == "PermissionRef(name='read')"
    reference = repr(PermissionSetDataclass("Readers", ("read",), (), ORIGIN, "prod"))
    assert repr(PermissionSet("Readers", ("read",), (), ORIGIN, "prod")) == reference.replace("Dataclass", "")


def test_records_are_frozen() -> None:
    ref = PermissionRef("read")
    with pytest.raises(AttributeError, match="cannot assign to field 'name'"):
        ref.name = "write"
    with pytest.raises(AttributeError, match="cannot delete field 'name'"):
        del ref.name
    assert ref.name == "read"


def test_replace_keeps_the_other_fields_and_refuses_unknown_ones() -> None:
    s = PermissionSet("Readers", ("read",), ("Base",), ORIGIN, "prod", "composite role")
    t = replace(s, name="Writers")
    assert (t.name, t.permissions, t.includes, t.environment, t.label) == (
        "Writers",
        ("read",),
        ("Base",),
        "prod",
        "composite role",
    )
    assert s.name == "Readers"
    with pytest.raises(TypeError, match="no field 'nmae'"):
        replace(s, nmae="x")


def test_mapping_defaults_are_new_for_each_record() -> None:
    a = Application("a", None, {}, {}, (), ORIGIN)
    b = Application("b", None, {}, {}, (), ORIGIN)
    assert a.delivery == {} and a.delivery is not b.delivery
    assert Model().permissions is not Model().permissions


def test_a_model_and_a_result_compare_as_before() -> None:
    model = Model()
    assert model != Model() and model == model and len({model, Model()}) == 2  # one run's: by identity
    result = Result((), Checked())
    assert result == Result((), Checked(), ()) and result != replace(result, baselined=1)
