"""Resource limits for untrusted input, with safe defaults (all configurable)."""

from __future__ import annotations

from ..records import Record

_set = object.__setattr__


class Limits(Record):
    _fields = ("max_file_bytes", "max_depth", "max_alias_nodes", "follow_symlinks")
    max_file_bytes: int = 64 * 1024 * 1024
    """A gateway export of a large organisation is tens of MB; policies are small."""
    max_depth: int = 64
    """No policy or export needs more; libyaml stops at 1000 and Python recursion near there."""
    max_alias_nodes: int = 100_000
    """Nodes that aliases may add by expansion on top of the nodes actually written."""
    follow_symlinks: bool = False
    """Read symbolic links that leave the checked paths (off: a link to /proc/self/environ is not followed)."""

    def __init__(
        self,
        max_file_bytes: int = 64 * 1024 * 1024,
        max_depth: int = 64,
        max_alias_nodes: int = 100_000,
        follow_symlinks: bool = False,
    ) -> None:
        _set(self, "max_file_bytes", max_file_bytes)
        _set(self, "max_depth", max_depth)
        _set(self, "max_alias_nodes", max_alias_nodes)
        _set(self, "follow_symlinks", follow_symlinks)
