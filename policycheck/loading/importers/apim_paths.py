"""Where the APIOps extractor (Azure API Management) writes each artifact: `role(path)`.

Kept apart from the importer so that recognising a file by its place costs no import of
the importer itself: every file of a checked directory is asked about.
"""

from __future__ import annotations

import re

_CONFIG = re.compile(r"^configuration\.([^./]+)\.ya?ml$")
_SPEC = re.compile(r"^specification\.(ya?ml|json)$")
_INFO = {
    "subscriptionInformation.json": ("subscriptions", "subscription"),
    "productInformation.json": ("products", "product"),
    "apiInformation.json": ("apis", "api"),
}


def role(path: str) -> tuple[str, str, str] | None:
    """(role, artifact root, resource name) of an APIOps file, from where it is; None when it is none.

    Roles: subscription, product, api, product-apis, product-api, spec, policy-global,
    policy-product, policy-api, policy-operation (name: "api/operation"), config (name: env).
    """
    parts = path.split("/")
    base = parts[-1]
    if _CONFIG.match(base):
        return "config", "/".join(parts[:-1]), _CONFIG.match(base).group(1)  # type: ignore[union-attr]
    if base in _INFO and len(parts) >= 3 and parts[-3] == _INFO[base][0]:
        return _INFO[base][1], "/".join(parts[:-3]), parts[-2]
    if base == "apis.json" and len(parts) >= 3 and parts[-3] == "products":
        return "product-apis", "/".join(parts[:-3]), parts[-2]
    if base == "productApiInformation.json" and len(parts) >= 5 and parts[-5] == "products":
        return "product-api", "/".join(parts[:-5]), f"{parts[-4]}/{parts[-2]}"
    if _SPEC.match(base) and len(parts) >= 3 and parts[-3] == "apis":
        return "spec", "/".join(parts[:-3]), parts[-2]
    if base == "policy.xml":
        if len(parts) >= 5 and parts[-3] == "operations" and parts[-5] == "apis":
            return "policy-operation", "/".join(parts[:-5]), f"{parts[-4]}/{parts[-2]}"
        if len(parts) >= 3 and parts[-3] in ("apis", "products"):
            return f"policy-{parts[-3][:-1]}", "/".join(parts[:-3]), parts[-2]
        if len(parts) >= 3 and parts[-3] == "policy fragments":
            return None
        return "policy-global", "/".join(parts[:-1]), ""
    return None
