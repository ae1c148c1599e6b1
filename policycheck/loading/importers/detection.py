"""What each vendor's files look like: the tests `detect` runs on every candidate file.

Kept apart from the importers so that recognising a file costs no import of any of them:
an importer is imported only for a file recognised as its vendor's (a native run imports
none). Each importer re-exports the tests of its own vendor.
"""

from __future__ import annotations

import os
import re
from typing import Any

Keys = tuple[str | int, ...]

# --- Azure API Management: where the APIOps extractor writes each artifact

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


_KEYS: dict[str, tuple[str, ...]] = {
    "subscription": ("scope", "state"),
    "product": ("subscriptionRequired", "approvalRequired", "state", "displayName"),
    "api": ("path", "serviceUrl", "apiRevision", "displayName"),
    "product-api": (),
}


def is_artifact(data: Any, path: str) -> bool:
    """By content, at an APIOps path: the properties of a resource, a product's API list, a spec, a policy."""
    found = role(path)
    if found is None:
        return False
    kind = found[0]
    if kind in _KEYS:
        props = data.get("properties") if isinstance(data, dict) else None
        return isinstance(props, dict) and (not _KEYS[kind] or any(k in props for k in _KEYS[kind]))
    if kind == "product-apis":
        return isinstance(data, list) and all(isinstance(a, dict) and isinstance(a.get("name"), str) for a in data)
    if kind == "spec":
        return (
            isinstance(data, dict) and ("openapi" in data or "swagger" in data) and isinstance(data.get("paths"), dict)
        )
    if kind == "config":
        return isinstance(data, dict) and any(
            k in data for k in ("apimServiceName", "namedValues", "apis", "products", "subscriptions", "backends")
        )
    return isinstance(data, dict) and "checks" in data and "base" in data  # a parsed policy.xml


# --- Apigee


def _all(data: Any, wrapper: str, test: Any) -> bool:
    """Every object of a list, or of `{"<wrapper>": [...]}`, passes `test` (and there is one)."""
    if isinstance(data, dict) and list(data) == [wrapper]:
        data = data[wrapper]
    return isinstance(data, list) and bool(data) and all(isinstance(o, dict) and test(o) for o in data)


def _is_app(o: dict[str, Any]) -> bool:
    return isinstance(o.get("name"), str) and (
        isinstance(o.get("credentials"), list)
        and ("developerId" in o or "appGroup" in o or "appId" in o or "status" in o)
    )


def _is_product(o: dict[str, Any]) -> bool:
    return isinstance(o.get("name"), str) and any(
        k in o for k in ("operationGroup", "apiResources", "proxies", "approvalType")
    )


def _is_developer(o: dict[str, Any]) -> bool:
    return isinstance(o.get("email"), str) and ("firstName" in o or "userName" in o or "developerId" in o)


def _maven_apps(data: Any) -> bool:
    """developerApps.json of the maven plugin: developer email -> apps with product names."""
    return (
        isinstance(data, dict)
        and bool(data)
        and all(
            "@" in k
            and isinstance(v, list)
            and all(isinstance(a, dict) and isinstance(a.get("name"), str) and "apiProducts" in a for a in v)
            for k, v in data.items()
        )
    )


def kind_of(data: Any) -> str | None:
    """apps, maven-apps, products or developers, when `data` is one of the Apigee files; else None."""
    if _all(data, "app", _is_app) or _all(data, "appGroupApps", _is_app):
        return "apps"
    if _maven_apps(data):
        return "maven-apps"
    if _all(data, "apiProduct", _is_product):
        return "products"
    if _all(data, "developer", _is_developer):
        return "developers"
    return None


def is_export(data: Any) -> bool:
    return kind_of(data) is not None


# --- Kong


def is_config(data: Any) -> bool:
    return isinstance(data, dict) and "_format_version" in data


# --- Auth0

FOLDERS = {
    "clients": "clients",
    "resource-servers": "resourceServers",
    "grants": "clientGrants",
    "client-grants": "clientGrants",
    "roles": "roles",
    "organizations": "organizations",
}
"""Directory format folders -> the tenant file's section."""


def is_tenant(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    if isinstance(data.get("clientGrants"), list) or isinstance(data.get("resourceServers"), list):
        return True
    return isinstance(data.get("tenant"), dict) and isinstance(data.get("clients"), list)


VALUES = "AUTH0_KEYWORD_REPLACE_MAPPINGS"
"""The Deploy CLI configuration key whose mapping resolves `##KEY##` and `@@KEY@@` placeholders."""


def section_of(data: Any, path: str) -> str | None:
    """The tenant section of one directory-format file (its folder, and the fields that kind has), or None.

    A Deploy CLI configuration file with keyword mappings (`config.prod.json`) is `values`.
    """
    if not isinstance(data, dict):
        return None
    if isinstance(data.get(VALUES), dict):
        return "values"
    if os.path.basename(path) == "tenant.json" and not is_tenant(data) and "friendly_name" in data:
        return "tenant"  # the directory format's tenant settings: the tenant is this folder
    folder = os.path.basename(os.path.dirname(path))
    section = FOLDERS.get(folder)
    fields = {
        "clientGrants": ("client_id", "audience"),
        "resourceServers": ("identifier",),
        "clients": ("name", "app_type"),
        "roles": ("name", "permissions"),
        "organizations": ("name", "display_name"),
    }
    if section is not None and all(k in data for k in fields[section]):
        return section  # the types are checked as the importer's shape (a wrong one is an error at that field)
    return None


# --- Keycloak


def realm_import(data: Any) -> dict[str, Any] | None:
    """The realm of a Keycloak operator `KeycloakRealmImport` resource (`spec.realm`), or None."""
    if not (isinstance(data, dict) and data.get("kind") == "KeycloakRealmImport"):
        return None
    if not str(data.get("apiVersion") or "").startswith("k8s.keycloak.org/"):
        return None
    spec = data.get("spec")
    realm = spec.get("realm") if isinstance(spec, dict) else None
    return realm if isinstance(realm, dict) and isinstance(realm.get("realm"), str) else None


# --- Entra

SET_KEYS = ("applications", "servicePrincipals")


def object_type(obj: Any) -> str | None:
    """The Graph type of one object: application, servicePrincipal, assignment or grant (None: not one)."""
    if not isinstance(obj, dict):
        return None
    odata = str(obj.get("@odata.type") or "").rsplit(".", 1)[-1]
    if odata in ("application", "servicePrincipal"):
        return odata
    if isinstance(obj.get("appId"), str):  # Graph returns its default properties, empty lists included
        if isinstance(obj.get("servicePrincipalType"), str) or isinstance(obj.get("servicePrincipalNames"), list):
            return "servicePrincipal"
        if any(isinstance(obj.get(k), list) for k in ("requiredResourceAccess", "appRoles", "oauth2Permissions")):
            return "application"
    if {"appRoleId", "principalId", "resourceId"} <= obj.keys():
        return "assignment"
    if {"clientId", "resourceId", "scope", "consentType"} <= obj.keys():
        return "grant"
    return None


def objects_of(data: Any) -> list[tuple[Keys, dict[str, Any], str]] | None:
    """The Graph objects of a file of loose objects (one, a list, or a collection), or None."""
    if isinstance(data, dict) and isinstance(data.get("value"), list) and "@odata.context" in data:
        items: list[tuple[Keys, Any]] = [(("value", i), o) for i, o in enumerate(data["value"])]
    elif isinstance(data, list):
        items = [((i,), o) for i, o in enumerate(data)]
    else:
        items = [((), data)]
    found = [(keys, obj, object_type(obj)) for keys, obj in items]
    if not found or any(t is None for _, _, t in found):
        return None
    return [(keys, obj, str(t)) for keys, obj, t in found]


def is_set(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and any(k in data for k in SET_KEYS)
        and any(
            isinstance(a, dict) and ("requiredResourceAccess" in a or "appRoles" in a or "appId" in a)
            for a in [*(data.get("applications") or []), *(data.get("servicePrincipals") or [])]
        )
    )
