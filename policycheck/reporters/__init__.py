"""Reporters: one module per output format, imported only when asked for."""

from __future__ import annotations

import importlib

from ..findings import Result

FORMATS = {
    "text": "text",
    "json": "json_report",
    "sarif": "sarif",
    "junit": "junit",
    "github": "github",
    "markdown": "markdown",
    "html": "html",
    "review": "review",
}
REVIEW_FORMATS = frozenset({"html", "review"})
"""Formats that show the access matrix: the engine computes it only when one is asked for."""
PROVENANCE_FORMATS = frozenset({"html"})
"""Formats that are an audit record: the command records the day, the commit and the inputs' digests."""


def render(fmt: str, result: Result, *, color: bool = False) -> str:
    module = importlib.import_module(f"{__name__}.{FORMATS[fmt]}")
    text: str = module.render(result, color=color)
    return text
