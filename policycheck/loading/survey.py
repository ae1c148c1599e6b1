"""What loading saw: each file and what it was read as (or why not), and the notes it has for the user.

The library prints nothing: `policycheck check -v` prints the listing, and every note
(a file that looks like a vendor export policycheck does not read, a permission id
that nothing resolves, a consent state that the input does not show) goes to stderr.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class FileRead(NamedTuple):
    """One file under the paths: what it was read as, or None and why it was skipped."""

    path: str
    read_as: str | None
    why: str = ""

    def __str__(self) -> str:
        if self.read_as is None:
            return f"{self.path}: skipped ({self.why})"
        return f"{self.path}: {self.read_as}" + (f" ({self.why})" if self.why else "")


class Note(NamedTuple):
    """Something the user must hear about that is no finding of a rule: `note` or `warning`."""

    path: str
    message: str
    line: int | None = None
    column: int | None = None
    level: str = "note"

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}" + (f":{self.column}" if self.column is not None else "")
        return f"{where}: {self.level}: {self.message}"


READ_AS = {
    "policy": "policy",
    "export": "gateway export (native)",
    "waivers": "waivers",
    "token-profile": "token profile",
    "keycloak": "Keycloak realm export",
    "entra": "Entra export",
    "ionapi": "Infor .ionapi file",
    "apigee": "Apigee export",
    "apim": "Azure API Management artifact (APIOps)",
}

API_VERSION = "policycheck/v1"
OUR_KINDS = ("Policy", "GatewayExport", "TokenProfile", "Waivers")

_API_VERSION = re.compile(rb"""(?m)^[ \t]*["']?apiVersion["']?[ \t]*:[ \t]*["']?([^\s"',#}]+)""")
_KIND = re.compile(rb"""(?m)^[ \t]*["']?kind["']?[ \t]*:[ \t]*["']?(Policy|GatewayExport|TokenProfile|Waivers)\b""")

FOREIGN_VENDORS = (
    (b"_format_version", "a Kong declarative configuration (decK)"),
    (b"resourceServers", "an Auth0 Deploy CLI tenant file"),
    (b"clientGrants", "an Auth0 Deploy CLI tenant file"),
)
"""Exports of gateways and identity providers that policycheck does not read yet: said, not skipped in silence."""


def distance(a: str, b: str) -> int:
    """Levenshtein edit distance."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def near_ours(api_version: str) -> bool:
    """An apiVersion that means ours, misspelt or of another version: `policychek/v1`, `policycheck/v2`."""
    if api_version == API_VERSION:
        return False
    group = api_version.split("/", 1)[0].lower()
    return (
        group.startswith("policycheck")
        or distance(group, "policycheck") <= 2
        or distance(api_version, API_VERSION) <= 2
    )


def looks_ours(head: bytes) -> bool:
    """Cheap: the text says policycheck/, or an apiVersion close to ours (a parse error then stops the run)."""
    if b"policycheck/" in head:
        return True
    return any(near_ours(m.group(1).decode("utf-8", "replace")) for m in _API_VERSION.finditer(head))


def names_our_kind(head: bytes) -> bool:
    """Cheap: the text says `kind: Policy` (or another kind of ours): parsed, and judged by its apiVersion."""
    return _KIND.search(head) is not None


def foreign_vendor(head: bytes) -> str | None:
    return next((what for marker, what in FOREIGN_VENDORS if marker in head), None)
