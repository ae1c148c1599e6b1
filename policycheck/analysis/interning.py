"""Names as small integers, and sets of names as Python int bitmasks (bit i is name i)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator


class Names:
    """Interns names in the order first seen; a mask is a set of them."""

    __slots__ = ("index", "names")

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.names: list[str] = []

    def bit(self, name: str) -> int:
        found = self.index.get(name)
        if found is None:
            found = self.index[name] = len(self.names)
            self.names.append(name)
        return found

    def mask(self, names: Iterable[str]) -> int:
        out = 0
        for name in names:
            out |= 1 << self.bit(name)
        return out

    def of(self, mask: int) -> Iterator[str]:
        """The names in a mask, in interning order."""
        names = self.names
        while mask:
            low = mask & -mask
            yield names[low.bit_length() - 1]
            mask ^= low

    def sorted(self, mask: int) -> tuple[str, ...]:
        return tuple(sorted(self.of(mask)))
