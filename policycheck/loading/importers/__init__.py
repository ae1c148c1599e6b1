"""Importers of real exports: each turns a vendor's file into the native export model.

Detection is by content (`detect`), or forced with --input-format. Every importer
produces an ExportPart, so the same rules and reporters apply whatever the source.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..export import ExportPart
    from ..source import Document
    from .identity import Identity

FORMATS = ("native", "keycloak", "entra", "ionapi")


def detect(data: Any, path: str) -> str | None:
    """The vendor format of parsed `data`, or None."""
    if path.endswith(".ionapi") or (isinstance(data, dict) and {"ti", "ci"} <= data.keys() and "pu" in data):
        return "ionapi"
    realms = data if isinstance(data, list) else [data]
    if (
        realms
        and all(isinstance(r, dict) and isinstance(r.get("realm"), str) for r in realms)
        and any(k in r for r in realms for k in ("roles", "clients", "users", "groups"))
    ):
        return "keycloak"
    if (
        isinstance(data, dict)
        and ("servicePrincipals" in data or "applications" in data)
        and any(
            isinstance(a, dict) and ("requiredResourceAccess" in a or "appRoles" in a or "appId" in a)
            for a in [*data.get("applications", []), *data.get("servicePrincipals", [])]
        )
    ):
        return "entra"
    return None


def mentions_vendor(head: bytes) -> bool:
    """Cheap pre-filter for files found in searched directories."""
    return any(marker in head for marker in (b'"realm"', b"requiredResourceAccess", b"servicePrincipals"))


def read_vendor(docs: list[tuple[Document, str]], identity: Identity) -> list[ExportPart]:
    """Every vendor document as export parts (Keycloak users files joined to their realms first)."""
    from . import entra, ionapi, keycloak

    parts = []
    realms = [realm for doc, kind in docs if kind == "keycloak" for realm in keycloak.realms_of(doc)]
    for realm in keycloak.merge_users(realms):
        parts.append(keycloak.read_realm(realm, identity))
    for doc, kind in docs:
        if kind == "ionapi":
            parts.append(ionapi.read_ionapi(doc, identity))
        elif kind == "entra":
            parts.append(entra.read_entra(doc, identity))
    return parts
