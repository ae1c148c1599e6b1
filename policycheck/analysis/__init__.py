"""The analysis layer: interned ids, bitmask resolution, bound calls evaluated once (see core.Analysis)."""

from __future__ import annotations

from .core import Analysis, Failure, Unneeded

__all__ = ["Analysis", "Failure", "Unneeded"]
