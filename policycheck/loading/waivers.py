"""Waiver documents (kind: Waivers, already schema-valid) -> model values."""

from __future__ import annotations

from datetime import date

from ..errors import InputError
from ..model import Origin, Waiver
from .source import Document


def read_waivers(doc: Document) -> list[Waiver]:
    out = []
    for i, w in enumerate(doc.data.get("waivers", ())):
        expires = None
        if "expires" in w:
            try:
                expires = date.fromisoformat(w["expires"])
            except ValueError:
                line, column = doc.locate(("waivers", i, "expires"))
                raise InputError(doc.path, "expected a real date (YYYY-MM-DD)", line, column) from None
        out.append(
            Waiver(
                w["rule"],
                w.get("application", "*"),
                w.get("environment", "*"),
                w.get("operation", "*"),
                w["reason"],
                w["owner"],
                expires,
                Origin(doc, ("waivers", i)),
            )
        )
    return out
