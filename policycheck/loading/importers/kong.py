"""Kong decK / DB-less declarative configuration -> the native model (mapping table: docs/importers.md).

A file (`_format_version`) is one environment: its `_workspace`, else its name or folder
through the identity configuration. Consumers are applications; the ACL groups they are
in (`consumers[].acls[].group`, top-level `acls: [{consumer, group}]`) are approved grants
of permissions named as the groups; a consumer group they belong to is the permission
`consumer-group:<name>`, which an `acl` plugin counts only with `include_consumer_groups:
true`. Routes (`services[].routes[]`, top-level `routes[]`) become what the gateway
requires of the policy's operations (loading/routes.py): the plugins in force on a route
(its own, else its service's, else the global one, per plugin name) decide it.
Credentials are dropped by the parser and never read: only whether a consumer has one of a
kind (`keyauth_credentials`, ...) is kept, which decides, with the plugins' `anonymous`,
who is identified at all (`Gate.identify`).
"""

from __future__ import annotations

import os
from typing import Any

from ...model import AnyOf, Application, Auth, Environment, Gate, Grant, Origin, PermissionRef, Requirement, Status
from ..export import ExportPart
from ..routes import Route
from ..source import Document
from ..survey import Note
from .detection import is_config as is_config
from .identity import Identity

Keys = tuple[str | int, ...]

AUTH_PLUGINS = (
    "key-auth",
    "key-auth-enc",
    "jwt",
    "oauth2",
    "basic-auth",
    "hmac-auth",
    "mtls-auth",
    "openid-connect",
    "ldap-auth",
)
CREDENTIALS = {
    "key-auth": "keyauth_credentials",
    "key-auth-enc": "keyauth_enc_credentials",
    "jwt": "jwt_secrets",
    "oauth2": "oauth2_credentials",
    "basic-auth": "basicauth_credentials",
    "hmac-auth": "hmacauth_credentials",
    "mtls-auth": "mtls_auth_credentials",
}
"""The consumer credential each authentication plugin looks for (decK's key); openid-connect and ldap-auth
identify through the identity provider or the directory: not checked."""
CONSUMER_GROUP = "consumer-group:"
GENERIC_NAMES = ("kong", "kong.yml", "kong.yaml", "deck", "config", "declarative", "gateway")


def environment_name(data: dict[str, Any], path: str) -> str:
    """`_workspace`, else the file's name, else (a generic name: kong.yaml) its folder's."""
    workspace = data.get("_workspace")
    if isinstance(workspace, str) and workspace:
        return workspace
    return file_name(path, GENERIC_NAMES)


def file_name(path: str, generic: tuple[str, ...]) -> str:
    stem = os.path.basename(path).rsplit(".", 1)[0]
    if stem.lower() in generic:
        folder = os.path.basename(os.path.dirname(path))
        return folder or stem
    return stem


def _enabled(plugin: dict[str, Any]) -> bool:
    return plugin.get("enabled") is not False


def _ref(value: Any) -> str | None:
    """A foreign key as decK writes it: a name or id string, or `{id: ...}` / `{name: ...}`."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for key in ("name", "id", "username"):
            if isinstance(value.get(key), str):
                return str(value[key])
    return None


class _Plugins:
    """The plugins of one file, by where they apply: global, a service, a route (consumer-scoped ones aside)."""

    def __init__(self) -> None:
        self.scoped: dict[tuple[str, str], dict[str, tuple[Keys, dict[str, Any]]]] = {}
        self.consumer_scoped = 0

    def add(self, scope: tuple[str, str], keys: Keys, plugin: dict[str, Any]) -> None:
        if _enabled(plugin):
            self.scoped.setdefault(scope, {}).setdefault(str(plugin["name"]), (keys, plugin))

    def in_force(self, service: tuple[str, ...], route: tuple[str, ...]) -> dict[str, tuple[Keys, dict[str, Any]]]:
        """Per plugin name, the most specific instance: the route's, else the service's, else the global one."""
        found: dict[str, tuple[Keys, dict[str, Any]]] = dict(self.scoped.get(("global", ""), {}))
        for name in service:
            found.update(self.scoped.get(("service", name), {}))
        for name in route:
            found.update(self.scoped.get(("route", name), {}))
        return found


def _names(*values: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in values if isinstance(v, str) and v)


def read_config(doc: Document, identity: Identity) -> ExportPart:
    data: dict[str, Any] = doc.data
    env = identity.environment(environment_name(data, doc.path), doc.path)
    part = ExportPart()

    def origin(*keys: str | int) -> Origin:
        return Origin(doc, keys)

    part.gateway[env] = origin()
    plugins = _Plugins()
    for i, p in enumerate(data.get("plugins") or ()):
        keys: Keys = ("plugins", i)
        if p.get("consumer") is not None or p.get("consumer_group") is not None:
            plugins.consumer_scoped += 1
            continue
        if p.get("route") is not None:
            plugins.add(("route", _ref(p["route"]) or ""), keys, p)
        elif p.get("service") is not None:
            plugins.add(("service", _ref(p["service"]) or ""), keys, p)
        else:
            plugins.add(("global", ""), keys, p)

    routes: list[tuple[Keys, dict[str, Any], tuple[str, ...]]] = []
    for i, s in enumerate(data.get("services") or ()):
        service_names = _names(s.get("name"), s.get("id"))
        for j, p in enumerate(s.get("plugins") or ()):
            for name in service_names:
                plugins.add(("service", name), ("services", i, "plugins", j), p)
        for j, r in enumerate(s.get("routes") or ()):
            routes.append((("services", i, "routes", j), r, service_names))
    for i, r in enumerate(data.get("routes") or ()):
        routes.append((("routes", i), r, _names(_ref(r.get("service")))))
    for keys, r, _ in routes:
        for j, p in enumerate(r.get("plugins") or ()):
            for name in _names(r.get("name"), r.get("id")):
                plugins.add(("route", name), (*keys, "plugins", j), p)

    consumers: dict[str, int] = {}
    for i, c in enumerate(data.get("consumers") or ()):
        for key in ("username", "custom_id", "id"):
            if isinstance(c.get(key), str):
                consumers.setdefault(c[key], i)
    anonymous: dict[str, str] = {}  # config.anonymous as written -> the application it runs as
    for name, i in consumers.items():
        client = _client(data["consumers"][i])
        if client is not None:
            anonymous[name] = identity.application(client)

    for keys, r, service_names in routes:
        name = r.get("name") or r.get("id") or f"{service_names[0] if service_names else 'route'}#{keys[-1]}"
        in_force = plugins.in_force(service_names, _names(r.get("name"), r.get("id")))
        part.routes.append(_route(str(name), env, keys, r, in_force, doc, anonymous))

    everyone = frozenset(CREDENTIALS.values()) & doc.dropped_from(data)  # top-level lists: whose is not read
    if everyone:
        part.notes.append(
            _note(
                doc,
                (),
                f"top-level {', '.join(sorted(everyone))} (credentials listed apart from their consumers) are "
                "dropped unread, so whose they are is not known: every consumer is read as having one",
            )
        )
    held: dict[int, dict[str, Keys]] = {}  # consumer -> group -> where it is first given
    for i, c in enumerate(data.get("consumers") or ()):
        mine: dict[str, Keys] = {}
        for j, a in enumerate(c.get("acls") or ()):
            mine.setdefault(str(a["group"]), ("consumers", i, "acls", j))
        for j, g in enumerate(c.get("groups") or ()):
            group_name = _ref(g)
            if group_name is not None:
                mine.setdefault(CONSUMER_GROUP + group_name, ("consumers", i, "groups", j))
        if mine:
            held[i] = mine
    for j, a in enumerate(data.get("acls") or ()):
        who = _ref(a.get("consumer"))
        if who is None or who not in consumers:
            part.notes.append(
                _note(
                    doc,
                    ("acls", j),
                    f"ACL group {a.get('group')!r} is for consumer {who!r}, which the file does not define: not read",
                )
            )
            continue
        held.setdefault(consumers[who], {}).setdefault(str(a.get("group")), ("acls", j))
    for j, g in enumerate(data.get("consumer_groups") or ()):
        members = g.get("consumers")
        for k, member in enumerate(members if isinstance(members, list) else ()):
            who = _ref(member)
            if who in consumers:
                held.setdefault(consumers[who], {}).setdefault(
                    CONSUMER_GROUP + str(g.get("name")), ("consumer_groups", j, "consumers", k)
                )

    for i, c in enumerate(data.get("consumers") or ()):
        client = _client(c)
        if client is None:
            continue
        where = Origin(doc, ("consumers", i))
        envs = (env,)
        grants = tuple(
            Grant(group, None, Status.APPROVED, envs, Origin(doc, keys), True)
            for group, keys in held.get(i, {}).items()
        )
        held_credentials = (doc.dropped_from(c) & frozenset(CREDENTIALS.values())) | everyone
        if c.get("mtls_auth_credentials"):  # subject names and CA ids, not secrets: kept by the parser
            held_credentials |= {"mtls_auth_credentials"}
        part.applications.append(
            Application(
                identity.application(client),
                client,
                {env: client},
                {},
                grants,
                where,
                {},
                {env: where},
                {env: frozenset(held_credentials)},
            )
        )
    part.environments.append(Environment(env, (), (), origin()))
    groups = {g for mine in held.values() for g in mine}
    part.counts += [
        ("kong", doc.path, section, n)
        for section, n in (
            ("services", len(data.get("services") or ())),
            ("routes", len(routes)),
            ("plugins", sum(len(v) for v in plugins.scoped.values())),
            ("consumers", len(part.applications)),
            ("ACL groups", len([g for g in groups if not g.startswith(CONSUMER_GROUP)])),
            ("consumer groups", len(data.get("consumer_groups") or ())),
        )
    ]
    if plugins.consumer_scoped:
        part.notes.append(
            _note(
                doc,
                (),
                f"{plugins.consumer_scoped} plugin(s) scoped to a consumer or consumer group are not read "
                "(their limits and checks are not evaluated)",
            )
        )
    return part


def _client(consumer: dict[str, Any]) -> str | None:
    client = consumer.get("username") or consumer.get("custom_id") or consumer.get("id")
    return client if isinstance(client, str) else None


def _auth(name: str, keys: Keys, plugin: dict[str, Any], doc: Document, anonymous: dict[str, str]) -> Auth:
    config = plugin.get("config") or {}
    credential = CREDENTIALS.get(name)
    if name == "mtls-auth":
        consumer_by = config.get("consumer_by")
        if consumer_by is None or {"username", "custom_id"} & set(consumer_by if isinstance(consumer_by, list) else ()):
            credential = None  # the certificate's subject may name the consumer itself: not known from the file
    said = config.get("anonymous")
    said_name = str(said) if isinstance(said, str) and said else None
    runs_as = anonymous.get(said_name) if said_name is not None else None
    return Auth(name, credential, runs_as, said_name, Origin(doc, keys))


def _note(doc: Document, keys: Keys, message: str) -> Note:
    line, column = doc.locate(keys)
    return Note(doc.path, message, line, column)


def _listed(config: dict[str, Any], *names: str) -> tuple[str, ...]:
    for name in names:  # allow / deny, and whitelist / blacklist before Kong 2.1
        value = config.get(name)
        if isinstance(value, list) and value:
            return tuple(str(v) for v in value)
    return ()


def _route(
    name: str,
    env: str,
    keys: Keys,
    r: dict[str, Any],
    in_force: dict[str, tuple[Keys, dict[str, Any]]],
    doc: Document,
    anonymous: dict[str, str],
) -> Route:
    where = Origin(doc, keys)
    closed: str | None = None
    closed_at: Origin | None = None
    termination = in_force.get("request-termination")
    if termination is not None:
        config = termination[1].get("config") or {}
        if not config.get("trigger"):  # with a trigger, only requests that carry it are terminated
            status = config.get("status_code", 503)
            closed = f"route {name!r} answers every request with {status} itself (request-termination)"
            closed_at = Origin(doc, termination[0])
    acl = in_force.get("acl")
    auth = [n for n in AUTH_PLUGINS if n in in_force]
    requirement: Requirement | None = None
    deny: tuple[str, ...] = ()
    uncounted: tuple[tuple[str, str], ...] = ()
    check_at = None
    scopes: tuple[str, ...] = ()
    oidc = in_force.get("openid-connect")
    if oidc is not None:
        scopes = tuple(str(s) for s in (oidc[1].get("config") or {}).get("scopes_required") or ())
    if acl is not None:
        config = acl[1].get("config") or {}
        check_at = Origin(doc, acl[0])
        with_groups = config.get("include_consumer_groups") is True
        allow = _listed(config, "allow", "whitelist")
        deny = _listed(config, "deny", "blacklist")
        if with_groups:
            deny = deny + tuple(CONSUMER_GROUP + g for g in deny)
        else:
            uncounted = tuple((CONSUMER_GROUP + g, g) for g in allow)
        if allow:
            items = [*allow, *(CONSUMER_GROUP + g for g in allow if with_groups)]
            requirement = Requirement(AnyOf(tuple(PermissionRef(g) for g in items)), scopes)
        if not auth and closed is None:
            closed = (
                f"route {name!r} has an acl plugin but no authentication plugin: no consumer is identified, "
                "so Kong refuses every request"
            )
            closed_at = check_at
    if requirement is None and scopes:
        requirement = Requirement(None, scopes)
    auths = tuple(_auth(n, in_force[n][0], in_force[n][1], doc, anonymous) for n in auth)
    gate = Gate(name, env, where, closed, closed_at, deny, check_at if deny else None, uncounted, check_at, auths)
    methods = tuple(str(m).upper() for m in r.get("methods") or ())
    paths = tuple(str(p) for p in r.get("paths") or ())
    try:
        priority = int(r.get("regex_priority") or 0)
    except (TypeError, ValueError):
        priority = 0
    return Route(name, env, methods, paths, priority, requirement, gate, "kong", doc.path)


def read_documents(docs: list[Document], identity: Identity) -> list[ExportPart]:
    """Every decK configuration of `docs`, as export parts."""
    return [read_config(doc, identity) for doc in docs]
