"""Importers of real exports: each turns a vendor's file into the native export model.

Detection is by content (`detect`), or forced with --input-format. Every importer
produces an ExportPart, so the same rules and reporters apply whatever the source.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..export import ExportPart
    from ..source import Document
    from .identity import Identity

FORMATS = ("native", "keycloak", "entra", "ionapi", "apigee", "apim", "kong", "auth0")
READ_ORDER = ("keycloak", "ionapi", "entra", "apigee", "apim", "kong", "auth0")
"""The vendor importers in the order their parts are read: each module's `read_documents`, imported only
when a file of its vendor is present."""


def detect(data: Any, path: str) -> str | None:
    """The vendor format of parsed `data`, or None (by the tests of `detection`: no importer is imported)."""
    from . import detection as d

    if d.is_artifact(data, path):
        return "apim"
    if d.is_export(data):
        return "apigee"
    if d.is_config(data):
        return "kong"
    if d.is_tenant(data) or d.section_of(data, path) is not None:
        return "auth0"
    if path.endswith(".ionapi") or (isinstance(data, dict) and {"ti", "ci"} <= data.keys() and "pu" in data):
        return "ionapi"
    if d.realm_import(data) is not None:
        return "keycloak"
    realms = data if isinstance(data, list) else [data]
    if (
        realms
        and all(isinstance(r, dict) and isinstance(r.get("realm"), str) for r in realms)
        and any(k in r for r in realms for k in ("roles", "clients", "users", "groups"))
    ):
        return "keycloak"
    if d.is_set(data) or d.objects_of(data) is not None:
        return "entra"
    return None


MARKERS = (
    b'"realm"',
    b"requiredResourceAccess",
    b"servicePrincipals",
)
"""In the first 64 KiB of every vendor file policycheck has always read (a parse error there stops the run)."""
MORE_MARKERS = (
    b"realm:",  # keycloak-config-cli YAML, a KeycloakRealmImport's spec.realm
    b"'realm'",
    b"KeycloakRealmImport",
    b'"appId"',  # one Graph object a file: an application, a service principal
    b"appId:",
    b'"appRoleId"',
    b'"consentType"',
    b'"apiProducts"',  # Apigee apps (apigeecli, maven plugin developerApps.json)
    b'"apiProduct"',  # apigeecli products export
    b'"operationGroup"',  # Apigee products
    b'"approvalType"',
    b'"developer"',  # apigeecli developers export
    b"_format_version",  # Kong decK / DB-less
    b"clientGrants",  # Auth0 Deploy CLI tenant.yaml / tenant.json
    b"resourceServers",
    b'"audience"',  # Auth0 directory format: grants/, resource-servers/, clients/, roles/
    b'"identifier"',
    b'"app_type"',
    b'"permission_name"',
    b'"friendly_name"',  # Auth0 directory format: tenant.json
    b"AUTH0_KEYWORD_REPLACE_MAPPINGS",  # Auth0 Deploy CLI configuration: values per environment
)
"""Newer markers, also in files of other tools (Helm values and templates): a parse error there is a warning."""


def named_vendor(path: str) -> bool:
    """A file at a place where an exporter writes one of its files (APIOps artifacts), whatever it says."""
    from .detection import role

    return role(path) is not None or "edge/org/" in path  # apigee-config-maven-plugin resources


def wants_credentials(head: bytes) -> bool:
    """The first bytes of a file that may be Apigee apps: parse it keeping `credentials` (see apigee.DROP_KEYS)."""
    return b'"credentials"' in head and (b'"apiProducts"' in head or b'"apiproduct"' in head)


def mentions_vendor(head: bytes) -> bool:
    """Cheap pre-filter for files found in searched directories."""
    return any(marker in head for marker in MARKERS) or any(marker in head for marker in MORE_MARKERS)


def strongly_vendor(head: bytes) -> bool:
    return any(marker in head for marker in MARKERS)


def read_vendor(docs: list[tuple[Document, str]], identity: Identity) -> list[ExportPart]:
    """Every vendor document as export parts (Keycloak users files joined to their realms first).

    A document whose fields have the wrong shape for its format is an InputError at that field.
    """
    from ..source import _gc_paused

    with _gc_paused():  # the parsed trees are large and acyclic: the collector only rescans them
        return _read_vendor(docs, identity)


def _read_vendor(docs: list[tuple[Document, str]], identity: Identity) -> list[ExportPart]:
    """The importers of the vendors present, each imported only then, in a fixed order."""
    for doc, kind in docs:
        check_shape(doc, kind)
    parts: list[ExportPart] = []
    for vendor in READ_ORDER:
        mine = [doc for doc, kind in docs if kind == vendor]
        if mine:
            parts.extend(import_module(f"{__name__}.{vendor}").read_documents(mine, identity))
    return parts


# --- shapes -------------------------------------------------------------------
# Vendor files have no schema here: the importers read only the fields below, and a
# field of another type (a string where Keycloak writes a list of role names, a
# mapping where a list belongs) is a bad input at that field, not an internal error.
# null counts as absent, as the importers read it; a key ending in "!" is required.

_STR = "a string"


def _list(item: Any) -> tuple[str, Any]:
    return ("list", item)


def _map(value: Any) -> tuple[str, Any]:
    return ("map", value)


_ROLE_REFS = {"realm": _list(_STR), "client": _map(_list(_STR)), "application": _map(_list(_STR))}
_HOLDER = {"realmRoles": _list(_STR), "clientRoles": _map(_list(_STR))}
_ROLE = {"name!": _STR, "composites": _ROLE_REFS}
_GROUP: dict[str, Any] = {"name": _STR, "path": _STR, **_HOLDER}
_GROUP["subGroups"] = _list(_GROUP)
_MAPPING = {"client": _STR, "clientScope": _STR, "roles": _list(_STR)}
_KEYCLOAK = {
    "realm!": _STR,
    "roles": {"realm": _list(_ROLE), "client": _map(_list(_ROLE))},
    "groups": _list(_GROUP),
    "clients": _list({"clientId!": _STR, "name": _STR, "defaultClientScopes": _list(_STR)}),
    "users": _list({"serviceAccountClientId": _STR, "groups": _list(_STR), **_HOLDER}),
    "defaultRole": {"name": _STR},
    "defaultRoles": _list(_STR),
    "defaultDefaultClientScopes": _list(_STR),
    "scopeMappings": _list(_MAPPING),
    "clientScopeMappings": _map(_list(_MAPPING)),
}
_PERMISSIONS = _list({"id": _STR, "value": _STR})
_RESOURCE = {
    "id": _STR,
    "appId": _STR,
    "displayName": _STR,
    "appRoles": _PERMISSIONS,
    "api": {"oauth2PermissionScopes": _PERMISSIONS},
    "oauth2PermissionScopes": _PERMISSIONS,
    "oauth2Permissions": _PERMISSIONS,
}
_ASSIGNMENTS = _list({"principalId": _STR, "resourceId": _STR, "appRoleId": _STR})
_GRANTS = _list({"clientId": _STR, "resourceId": _STR, "scope": _STR})
_ENTRA = {
    "environment": _STR,
    "tenant": _STR,
    "applications": _list(
        {
            **_RESOURCE,
            "requiredResourceAccess": _list(
                {"resourceAppId": _STR, "resourceAccess": _list({"id": _STR, "type": _STR})}
            ),
        }
    ),
    "servicePrincipals": _list({**_RESOURCE, "appRoleAssignments": _ASSIGNMENTS, "oauth2PermissionGrants": _GRANTS}),
    "appRoleAssignments": _ASSIGNMENTS,
    "oauth2PermissionGrants": _GRANTS,
}
_ENTRA_OBJECTS = {
    "application": _ENTRA["applications"][1],
    "servicePrincipal": _ENTRA["servicePrincipals"][1],
    "assignment": _ASSIGNMENTS[1],
    "grant": _GRANTS[1],
}
_IONAPI = {"ti": _STR, "cn": _STR, "ci": _STR}
_APIGEE_APP = {
    "name!": _STR,
    "status": _STR,
    "developerId": _STR,
    "attributes": _list({"name": _STR}),
    "credentials": _list({"status": _STR, "apiProducts": _list({"apiproduct!": _STR, "status": _STR})}),
}
_APIGEE = {
    "apps": _APIGEE_APP,
    "maven-apps": {"name!": _STR, "apiProducts": _list(_STR)},
    "products": {
        "name!": _STR,
        "approvalType": _STR,
        "environments": _list(_STR),
        "scopes": _list(_STR),
        "operationGroup": {
            "operationConfigs": _list(
                {"apiSource": _STR, "operations": _list({"resource": _STR, "methods": _list(_STR)})}
            )
        },
    },
    "developers": {"email!": _STR, "status": _STR},
}
_APIM_PROPS = {
    "subscription": {"properties": {"displayName": _STR, "scope": _STR, "state": _STR}},
    "product": {"properties": {"displayName": _STR, "state": _STR}},
    "api": {"properties": {"displayName": _STR, "path": _STR}},
    "config": {
        "subscriptions": _list({"name!": _STR, "properties": {"state": _STR, "scope": _STR, "displayName": _STR}}),
        "products": _list({"name!": _STR, "properties": {"state": _STR}}),
    },
}
_NAMES = _list(_STR)
_PLUGIN = {
    "name!": _STR,
    "config": {
        "allow": _NAMES,
        "deny": _NAMES,
        "whitelist": _NAMES,
        "blacklist": _NAMES,
        "scopes_required": _NAMES,
    },
}
_ROUTE = {"name": _STR, "methods": _NAMES, "paths": _NAMES, "hosts": _NAMES, "plugins": _list(_PLUGIN)}
_KONG = {
    "_workspace": _STR,
    "services": _list({"name": _STR, "routes": _list(_ROUTE), "plugins": _list(_PLUGIN)}),
    "routes": _list(_ROUTE),
    "plugins": _list(_PLUGIN),
    "consumers": _list(
        {
            "username": _STR,
            "custom_id": _STR,
            "acls": _list({"group!": _STR}),
            "groups": _list({"name": _STR}),
        }
    ),
    "acls": _list({"group!": _STR}),
    "consumer_groups": _list({"name!": _STR}),
}
_AUTH0_API = {"name": _STR, "identifier!": _STR, "scopes": _list({"value": _STR}), "token_dialect": _STR}
_AUTH0_CLIENT = {"name!": _STR, "app_type": _STR}
_AUTH0_GRANT = {"client_id!": _STR, "audience!": _STR}
_AUTH0_ROLE = {"name!": _STR, "permissions": _list({"permission_name": _STR, "resource_server_identifier": _STR})}
_AUTH0_ORG = {"name!": _STR, "client_grants": _list({"client_id": _STR})}
_AUTH0 = {
    "resourceServers": _list(_AUTH0_API),
    "clients": _list(_AUTH0_CLIENT),
    "clientGrants": _list(_AUTH0_GRANT),
    "roles": _list(_AUTH0_ROLE),
    "organizations": _list(_AUTH0_ORG),
}
_AUTH0_SECTIONS = {
    "resourceServers": _AUTH0_API,
    "clients": _AUTH0_CLIENT,
    "clientGrants": _AUTH0_GRANT,
    "roles": _AUTH0_ROLE,
    "organizations": _AUTH0_ORG,
    "tenant": {"friendly_name": _STR},
    "values": {},  # the keyword mappings: any JSON values
}
_SHAPES = {"keycloak": _KEYCLOAK, "entra": _ENTRA, "ionapi": _IONAPI, "kong": _KONG, "auth0": _AUTH0}


def check_shape(doc: Document, kind: str) -> None:
    """Raise an InputError at the first field of `doc` that the importer of `kind` cannot read."""
    from ...errors import InputError
    from ..validate import _json_type, _pointer
    from . import detection as d

    data = doc.data
    items: list[tuple[tuple[str | int, ...], Any, Any]]
    section = d.section_of(data, doc.path) if kind == "auth0" and not d.is_tenant(data) else None
    if kind == "apim":
        role = d.role(doc.path)
        shape = _APIM_PROPS.get(role[0]) if role is not None else None
        items = [] if shape is None else [((), data, shape)]
    elif kind == "apigee":
        from . import apigee

        what = d.kind_of(data)
        if what == "maven-apps":
            items = [((email, i), a, _APIGEE[what]) for email, apps in data.items() for i, a in enumerate(apps)]
        else:
            wrapper = {"apps": "app", "products": "apiProduct", "developers": "developer"}.get(str(what), "")
            listed = apigee._items(data, wrapper) or apigee._items(data, "appGroupApps") or []
            items = [(keys, item, _APIGEE[str(what)]) for keys, item in listed]
    elif section is not None:
        items = [((), data, _AUTH0_SECTIONS[section])]
    elif kind == "keycloak" and d.realm_import(data) is not None:
        items = [(("spec", "realm"), data["spec"]["realm"], _KEYCLOAK)]
    elif kind == "keycloak" and isinstance(data, list):
        items = [((i,), item, _KEYCLOAK) for i, item in enumerate(data)]
    elif kind == "entra" and not d.is_set(data):
        items = [(keys, obj, _ENTRA_OBJECTS[t]) for keys, obj, t in d.objects_of(data) or ()]
    else:
        items = [((), data, _SHAPES[kind])]
    for prefix, item, shape in items:
        found = _mismatch(item, shape, prefix)
        if found is not None:
            keys, message = found
            line, column = doc.locate(keys)
            where = _pointer(keys)
            got = message if message.startswith("missing") else f"expected {message}, got {_json_type(_at(data, keys))}"
            raise InputError(doc.path, f"{where}: {got}" if where else got, line, column)


def _at(data: Any, keys: tuple[str | int, ...]) -> Any:
    for key in keys:
        data = data[key]
    return data


def _mismatch(value: Any, shape: Any, keys: tuple[str | int, ...]) -> tuple[tuple[str | int, ...], str] | None:
    """(where, what was expected) of the first mismatch, or None."""
    found = _miss(value, shape)
    if found is None:
        return None
    suffix, message = found
    return (*keys, *reversed(suffix)), message


_FIELDS: dict[int, list[tuple[str, bool, Any]]] = {}
"""Per mapping shape: (key, required, inner shape), computed once."""


def _fields(shape: dict[str, Any]) -> list[tuple[str, bool, Any]]:
    found = _FIELDS.get(id(shape))
    if found is None:
        found = _FIELDS[id(shape)] = [(name.rstrip("!"), name.endswith("!"), inner) for name, inner in shape.items()]
    return found


def _miss(value: Any, shape: Any) -> tuple[list[str | int], str] | None:
    """(the keys below `value`, innermost first, and what was expected) of the first mismatch, or None.

    The path is built only for a mismatch: this walk visits every field an importer reads.
    """
    if shape is _STR:
        return None if isinstance(value, str) else ([], _STR)
    if isinstance(shape, tuple):
        many, inner = shape
        if many == "list":
            if not isinstance(value, list):
                return [], "a list"
            if inner is _STR:
                for i, item in enumerate(value):
                    if not isinstance(item, str):
                        return [i], _STR
                return None
            pairs: Iterator[tuple[str | int, Any]] = iter(enumerate(value))
        else:
            if not isinstance(value, dict):
                return [], "a mapping"
            pairs = ((k, v) for k, v in value.items() if v is not None)
        for key, item in pairs:
            found = _miss(item, inner)
            if found is not None:
                found[0].append(key)
                return found
        return None
    if not isinstance(value, dict):
        return [], "a mapping"
    for key, required, inner in _fields(shape):
        item = value.get(key)
        if item is None:
            if required:
                return [], f"missing required key '{key}'"
            continue
        found = _miss(item, inner)
        if found is not None:
            found[0].append(key)
            return found
    return None
