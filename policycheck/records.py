"""Frozen records, written out: what `@dataclass(frozen=True)` gives, without making a class at import.

A frozen dataclass costs about 0.7 ms to create (its methods are generated source,
compiled at import); policycheck's start-up path had a few dozen. A `Record` subclass
names its fields in `_fields` and sets them in its own `__init__` (with
`object.__setattr__`, as a frozen dataclass does, so building one costs the same);
the base gives what the dataclass gave:

- equality with a record of the same class, field by field (`NotImplemented` otherwise),
  and a hash of the fields' values (the same values a frozen dataclass hashes);
- `ClassName(field=value, ...)` as repr;
- assignment and deletion refused (`AttributeError`); a cache that a method keeps on the
  instance is written with `object.__setattr__`, as before;
- `replace(record, **changes)`, for `dataclasses.replace` (and `copy.replace` on 3.13).

Records keep their `__dict__` (no `__slots__`), as the dataclasses did: caches kept on
the instance (`AllOf.flat`, `resolve.satisfied`) keep working.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any, ClassVar, TypeVar

R = TypeVar("R", bound="Record")

NEW: dict[Any, Any] = {}
"""The default of a mapping field, never stored: each record gets a new empty dict (a dataclass's
`default_factory=dict`)."""


class Record:
    _fields: ClassVar[tuple[str, ...]] = ()
    _values: ClassVar[Callable[[Any], tuple[Any, ...]]]
    """The fields' values as a tuple (an `attrgetter`: compared and hashed at C speed); read from the class."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields = cls._fields
        if len(fields) == 1:
            one = attrgetter(fields[0])
            cls._values = lambda record: (one(record),)
        else:
            cls._values = attrgetter(*fields)

    def __eq__(self, other: object) -> bool:
        cls = self.__class__
        if other.__class__ is cls:
            return cls._values(self) == cls._values(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.__class__._values(self))

    def __repr__(self) -> str:
        d = self.__dict__
        return f"{type(self).__qualname__}({', '.join(f'{f}={d[f]!r}' for f in self._fields)})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __replace__(self: R, **changes: Any) -> R:
        return replace(self, **changes)


def replace(record: R, /, **changes: Any) -> R:
    """A copy of `record` with `changes` (field names), as `dataclasses.replace`."""
    d = record.__dict__
    unknown = changes.keys() - set(record._fields)
    if unknown:
        raise TypeError(f"{type(record).__name__} has no field {sorted(unknown)[0]!r}")
    values = {f: d[f] for f in record._fields}
    values.update(changes)
    return type(record)(**values)
