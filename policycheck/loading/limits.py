"""Resource limits for untrusted input, with safe defaults (all configurable)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 64 * 1024 * 1024
    """A gateway export of a large organisation is tens of MB; policies are small."""
    max_depth: int = 64
    """No policy or export needs more; libyaml stops at 1000 and Python recursion near there."""
    max_alias_nodes: int = 100_000
    """Nodes that aliases may add by expansion on top of the nodes actually written."""
    follow_symlinks: bool = False
    """Read symbolic links that leave the checked paths (off: a link to /proc/self/environ is not followed)."""
