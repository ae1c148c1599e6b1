"""Azure API Management `policy.xml` files: the token checks of one scope, and whether it inherits (`<base/>`).

Only what access depends on is read: `validate-jwt` and `validate-azure-ad-token` in
`<inbound>` with their `<required-claims>`, and the inbound `<base/>`. The parser
refuses a DTD (no entity can expand) and reports a malformed file at its line and column.
"""

from __future__ import annotations

import xml.parsers.expat
from typing import Any

from ...errors import InputError

TOKEN_POLICIES = ("validate-jwt", "validate-azure-ad-token")


def parse(path: str, raw: bytes) -> dict[str, Any]:
    """{"inbound": bool, "base": bool, "checks": [...], "conditional": [...], "fragments": [...]}.

    A check: {"policy", "line", "column", "claims": [{"name", "match", "values", "line", "column"}]}.
    """
    parser = xml.parsers.expat.ParserCreate()
    stack: list[str] = []
    found: dict[str, Any] = {
        "inbound": False,
        "inbound_at": (1, 1),
        "base": False,
        "checks": [],
        "conditional": [],
        "fragments": [],
    }
    check: dict[str, Any] | None = None
    claim: dict[str, Any] | None = None
    text: list[str] = []

    def where() -> tuple[int, int]:
        return parser.CurrentLineNumber, parser.CurrentColumnNumber + 1

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal check, claim
        if not stack:
            found["root"] = name
        inbound = "inbound" in stack
        if name == "inbound" and stack == ["policies"]:
            found["inbound"] = True
            found["inbound_at"] = where()
        elif inbound and name == "base" and stack[-1] == "inbound":
            found["base"] = True
        elif inbound and name in TOKEN_POLICIES:
            line, column = where()
            check = {"policy": name, "line": line, "column": column, "claims": []}
            (found["conditional"] if "choose" in stack else found["checks"]).append(check)
        elif inbound and name == "include-fragment":
            found["fragments"].append((attrs.get("fragment-id", "?"), *where()))
        elif check is not None and name == "claim" and "required-claims" in stack:
            line, column = where()
            claim = {
                "name": attrs.get("name", ""),
                "match": (attrs.get("match") or "all").lower(),
                "values": [],
                "line": line,
                "column": column,
            }
            check["claims"].append(claim)
        elif claim is not None and name == "value":
            text.clear()
        stack.append(name)

    def end(name: str) -> None:
        nonlocal check, claim
        stack.pop()
        if claim is not None and name == "value":
            value = "".join(text).strip()
            if value:
                claim["values"].append(value)
        elif name == "claim":
            claim = None
        elif name in TOKEN_POLICIES:
            check = None

    def chars(data: str) -> None:
        text.append(data)

    def doctype(*_: Any) -> None:
        line, column = where()
        raise InputError(path, "a DTD in policy.xml is not read (entities are refused)", line, column)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.StartDoctypeDeclHandler = doctype
    try:
        parser.Parse(raw, True)
    except xml.parsers.expat.ExpatError as e:
        raise InputError(
            path, f"not valid XML ({xml.parsers.expat.ErrorString(e.code)})", e.lineno, e.offset + 1
        ) from None
    if not found["inbound"]:  # a scope without <inbound> inherits it unchanged
        found["base"] = True
    return found
