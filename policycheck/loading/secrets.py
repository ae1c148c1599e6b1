"""Which dropped keys held a secret, where they stood, and where a secret-like name is data.

The parser drops keys named like credentials (`secret`, `password`, `credentials`,
`cs`, ...) wherever they appear, unread. Two exceptions keep that from lying:

- a value that holds nothing is no secret: null, empty, masked (`**********`,
  `REDACTED`), a list whose every item holds nothing, an empty list or mapping (a
  Keycloak user's `"credentials": []`), a placeholder that names a variable without its value (`$(env:GL_SECRET)`,
  `${GL_SECRET}`), and a Kubernetes secret reference (`{name: ..., key: ...}`);
- in a mapping whose keys are names, not fields (a native application's `clients:`,
  `scopes:` and `delivery:` by environment, an operation's `environments:`, a Keycloak
  `clientRoles:` or `roles.client` by client id), a key called `secret` is an
  environment or a client: it is kept, value and all.
"""

from __future__ import annotations

import json
import re
from typing import Any

NAMED_MAPPINGS = frozenset(
    {
        "clients",  # native applications[].clients: environment -> client id
        "scopes",  # native applications[].scopes: environment -> scopes
        "delivery",  # native applications[].delivery: environment -> permissions
        "environments",  # policy operations[].environments: environment -> override
        "client",  # Keycloak roles.client, composites.client: client id -> roles
        "application",  # Keycloak composites.application (old files): client id -> roles
        "clientRoles",  # Keycloak users[], groups[]: client id -> role names
        "clientScopeMappings",  # Keycloak: client id -> scope mappings
    }
)
"""Keys whose value, when it is a mapping, is keyed by names (environments, client ids), not by fields."""

_PLACEHOLDER = re.compile(
    r"^(?:\$\((?:env:)?[^()\s]+\)|\$\{[^{}\s]+\}|##[^#\s]+##|@@[^@\s]+@@"
    r"""|\$\{\{\s*env\s+"[A-Za-z_][A-Za-z0-9_]*"\s*\}\})$"""
)
CREDENTIAL_VALUES = frozenset({"key", "secret", "password", "client_secret", "rsa_public_key", "cert"})
"""In a list of credentials (Kong's keyauth_credentials, jwt_secrets, ...), the fields that hold the secret."""
_REFERENCE_KEYS = frozenset({"name", "key", "optional"})


def masked(value: str) -> bool:
    """Exports mask secrets (Keycloak: **********) or name a variable for them; neither is a leak."""
    text = value.strip()
    return not text.strip("*").strip() or text in ("REDACTED", "<redacted>") or bool(_PLACEHOLDER.match(text))


def holds_nothing(value: Any) -> bool:
    """A parsed value of a secret key that reveals no secret."""
    if value is None:
        return True
    if isinstance(value, str):
        return masked(value)
    if isinstance(value, (list, dict)) and not value:
        return True
    if isinstance(value, list):
        # a list whose every item holds nothing (Kong's openid-connect client_secret:
        # ['${{ env "DECK_OIDC_SECRET" }}']), or credentials whose secret fields are all
        # placeholders (decK's keyauth_credentials: key: ${{ env "DECK_KEY" }}) reveal nothing
        return all(_placeholder_credential(v) if isinstance(v, dict) else holds_nothing(v) for v in value)
    return isinstance(value, dict) and value.keys() <= _REFERENCE_KEYS and "name" in value


def _placeholder_credential(value: dict[str, Any]) -> bool:
    """One credential of a list (Kong's keyauth_credentials) whose secret fields all hold nothing."""
    fields = value.keys() & CREDENTIAL_VALUES
    return bool(fields) and all(holds_nothing(value[k]) for k in fields)


def find_keys(text: str, keys: set[str]) -> list[tuple[str, int, int]]:
    """(key, line, column) of every occurrence of one of `keys` as a key (not as a value) whose value holds something.

    A JSON key is a string followed by a colon; a string value is followed by `,`, `}` or
    `]`, so `"type": "secret"` does not match `secret`. Each value is decoded to tell a
    masked or empty one from a secret, whatever the order of the occurrences.
    """
    if not keys:
        return []
    decoder = json.JSONDecoder()
    pattern = re.compile("(" + "|".join(re.escape(json.dumps(k)) for k in sorted(keys)) + r")\s*:\s*")
    out = []
    line, counted = 1, 0  # the line at offset `counted`: occurrences come in order
    for m in pattern.finditer(text):
        if m.start() and text[m.start() - 1] == "\\":
            continue  # an escaped quote: inside a string
        try:
            value, _ = decoder.raw_decode(text, m.end())
        except ValueError:
            continue
        if holds_nothing(value):
            continue
        line += text.count("\n", counted, m.start())
        counted = m.start()
        column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        out.append((json.loads(m.group(1)), line, column))
    return out
