"""Requirements compiled once to bitmask tests: the hot path of evaluating a bound call."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from ..model import AllOf, Expression, PermissionRef
from ..resolve import missing, names
from .interning import Names


class Need(NamedTuple):
    """An operation's permission requirement in one environment, over interned bits."""

    expression: Expression | None
    flat: int | None
    """All of these bits, when the requirement is a plain all_of (the common case); else None."""
    order: tuple[tuple[int, str], ...]
    """Bit and name of each permission of a flat requirement, in the expression's order."""
    mentions: int
    """Every permission the requirement mentions."""
    test: Callable[[int], bool]
    scopes: tuple[str, ...] = ()
    """Token scopes the operation requires in the environment."""

    def holds(self, have: int) -> bool:
        if self.flat is not None:
            return not self.flat & ~have
        return self.test(have)

    def missing(self, have: int, bits: Names) -> tuple[str, ...]:
        """The permissions to add (for any_of, the smallest alternative): as `resolve.missing` says."""
        if self.flat is not None:
            return tuple(name for bit, name in self.order if not have >> bit & 1)
        return tuple(missing(self.expression, set(bits.of(have & self.mentions))))  # only its own names matter


def compile_need(expression: Expression | None, bits: Names, scopes: tuple[str, ...] = ()) -> Need:
    mentions = bits.mask(sorted(names(expression)))
    if expression is None:
        return Need(None, 0, (), 0, lambda have: True, scopes)
    flat_names = _flat(expression)
    if flat_names is not None:
        order = tuple((bits.bit(n), n) for n in flat_names)
        mask = 0
        for bit, _ in order:
            mask |= 1 << bit
        return Need(expression, mask, order, mentions, lambda have: not mask & ~have, scopes)
    return Need(expression, None, (), mentions, _test(expression, bits), scopes)


def _flat(expression: Expression) -> list[str] | None:
    if isinstance(expression, PermissionRef):
        return [expression.name]
    if isinstance(expression, AllOf) and expression.flat is not None:
        return missing(expression, frozenset())  # every name, in order, once
    return None


def _test(expression: Expression, bits: Names) -> Callable[[int], bool]:
    if isinstance(expression, PermissionRef):
        bit = 1 << bits.bit(expression.name)
        return lambda have: bool(have & bit)
    direct = 0
    for item in expression.items:
        if isinstance(item, PermissionRef):
            direct |= 1 << bits.bit(item.name)
    others = [_test(i, bits) for i in expression.items if not isinstance(i, PermissionRef)]
    if isinstance(expression, AllOf):
        return lambda have: not direct & ~have and all(t(have) for t in others)
    return lambda have: bool(direct & have) or any(t(have) for t in others)
