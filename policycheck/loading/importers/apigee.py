"""Apigee X / hybrid organisation exports -> the native model (mapping table: docs/importers.md).

Two layouts hold the same objects: `apigeecli organizations export` (`products.json`,
`apps.json`, `appgroupsapp.json`, `developers.json` in one folder) and the
apigee-config-maven-plugin (`resources/edge/org/apiProducts.json`, `developerApps.json`,
`developers.json`). The files of one folder are one organisation.

An API product is a permission set (itself and its OAuth scopes), defined in each
environment its `environments` lists. A developer app is an application; each product
entry of each of its credentials is a grant, approved only when the app, the
credential and the entry are all `approved` (and the developer is active): anything
`pending` is pending, `revoked` (or an inactive developer) blocks. A credential's
`expiresAt` (milliseconds; -1 never) is the grant's expiry: an expired key is blocked.
What a product covers (its operation groups, `apiResources` and `scopes`) is what its keys
may call (loading/products.py): a bound call no held product covers is refused (PC114).
Consumer keys and secrets are dropped by the parser, never read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from datetime import time as dtime
from typing import Any

from ...model import EXPIRED, Application, Environment, Grant, Origin, PermissionSet, Status
from ..export import SECRET_KEYS, ExportPart
from ..products import Covered, Product
from ..source import Document
from ..survey import Note
from .detection import kind_of as kind_of
from .identity import Identity

Keys = tuple[str | int, ...]

DROP_KEYS = SECRET_KEYS - {"credentials"}
"""An Apigee app's `credentials` hold the product entries and their status: kept; their keys and secrets are not."""

_STATUS = {"approved": Status.APPROVED, "pending": Status.PENDING, "revoked": Status.REVOKED}
_DEVELOPER = {"active": True, "inactive": False}


def now() -> float:
    """The moment keys are judged expired by: the start of today (UTC), as the rules judge expiry dates."""
    return datetime.combine(datetime.now(timezone.utc).date(), dtime(), timezone.utc).timestamp()


def _items(data: Any, wrapper: str) -> list[tuple[Keys, Any]] | None:
    """Objects of a list, or of apigeecli's `{"<wrapper>": [...]}`."""
    if isinstance(data, dict) and list(data) == [wrapper] and isinstance(data[wrapper], list):
        return [((wrapper, i), o) for i, o in enumerate(data[wrapper])]
    if isinstance(data, list):
        return [((i,), o) for i, o in enumerate(data)]
    return None


@dataclass
class Organization:
    """The Apigee files of one folder."""

    folder: str
    docs: list[tuple[Document, str]] = field(default_factory=list)


def organizations(docs: Iterator[Document]) -> list[Organization]:
    found: dict[str, Organization] = {}
    for doc in docs:
        folder = doc.path.rsplit("/", 1)[0] if "/" in doc.path else ""
        org = found.setdefault(folder, Organization(folder))
        org.docs.append((doc, str(kind_of(doc.data))))
    return list(found.values())


def _expiry(value: Any) -> float | None:
    """`expiresAt` in milliseconds since the epoch (a number or a string); -1, 0 or absent: never."""
    try:
        ms = int(str(value).strip()) if value is not None else -1
    except ValueError:
        return None
    return None if ms <= 0 else ms / 1000.0


def read_organization(org: Organization, identity: Identity) -> ExportPart:
    part = ExportPart()
    folder_env = next(
        (env for prefix, env in identity.environments.items() if "/" in prefix and _in(org.folder, prefix)), None
    )

    def env_of(name: str) -> str:
        if folder_env is not None:
            return folder_env
        return identity.environment(name, "")

    products: dict[str, tuple[Origin, list[str], dict[str, Any]]] = {}
    developers: dict[str, tuple[bool, str]] = {}  # email or developerId -> (active, email)
    apps: list[tuple[Document, Keys, dict[str, Any], str | None]] = []  # (doc, keys, app, developer)
    counts = {"products": 0, "developers": 0, "apps": 0, "credentials": 0, "product entries": 0}
    for doc, kind in org.docs:
        if kind == "products":
            for keys, p in _items(doc.data, "apiProduct") or ():
                counts["products"] += 1
                where = Origin(doc, keys)
                envs = list(dict.fromkeys(env_of(str(e)) for e in p.get("environments") or ()))
                if not envs:
                    part.notes.append(
                        _note(
                            where,
                            f"API product {p['name']!r} lists no environments: it is read as available in none",
                        )
                    )
                products[p["name"]] = (where, envs, p)
        elif kind == "developers":
            for keys, d in _items(doc.data, "developer") or ():
                counts["developers"] += 1
                said_status = str(d.get("status") or "active").lower()
                active = _DEVELOPER.get(said_status)
                if active is None:
                    part.notes.append(
                        _note(
                            Origin(doc, (*keys, "status")),
                            f"developer {d['email']!r} has status {said_status!r}, which policycheck does not know: "
                            "read as inactive",
                        )
                    )
                for key in (d.get("email"), d.get("developerId")):
                    if isinstance(key, str):
                        developers[key] = (bool(active), d["email"])
        elif kind == "apps":
            for keys, a in _items(doc.data, "app") or _items(doc.data, "appGroupApps") or ():
                apps.append((doc, keys, a, a.get("developerId") or a.get("developerEmail")))
        else:  # maven developerApps.json
            for email, listed in doc.data.items():
                for i, a in enumerate(listed):
                    apps.append((doc, (email, i), a, email))

    envs_all = list(dict.fromkeys(e for _, envs, _ in products.values() for e in envs))
    for name, (where, envs, p) in products.items():
        part.products.append(Product(name, tuple(envs), _covers(p), _strings(p.get("scopes")), where))
    for name, (where, envs, _) in products.items():
        # one organisation: shared definitions, mapped to the environments the product lists (a product
        # missing from one is "not mapped" there); an organisation per stage (a folder each): its own
        for env in envs if folder_env is not None else [None]:
            part.permission_sets.append(PermissionSet(name, (name,), (), where, env, "API product"))
    for env in envs_all:
        mapped = tuple(n for n, (_, envs, _) in products.items() if env in envs)
        first = next(where for _, (where, envs, _) in products.items() if env in envs)
        part.environments.append(Environment(env, (), mapped, first))

    clock = now()
    for doc, keys, a, developer in apps:
        counts["apps"] += 1
        where = Origin(doc, keys)
        app_status = _status(a.get("status"), "approved")
        active, email = developers.get(developer, (True, "")) if isinstance(developer, str) else (True, "")
        grants: list[Grant] = []
        if "credentials" in a:
            credentials = [((*keys, "credentials", i), c) for i, c in enumerate(a.get("credentials") or ())]
        else:  # maven layout: one key, created with the app; product status follows the product's approvalType
            credentials = [(keys, {"status": "approved", "apiProducts": a.get("apiProducts") or []})]
        for ckeys, c in credentials:
            counts["credentials"] += 1
            key_status = _status(c.get("status"), "approved")
            expires = _expiry(c.get("expiresAt"))
            for j, entry in enumerate(c.get("apiProducts") or ()):
                counts["product entries"] += 1
                ekeys = (*ckeys, "apiProducts", j)
                entry_status: Status | str | None
                if isinstance(entry, str):  # the maven plugin lists names
                    product, entry_status = entry, _maven_status(products.get(entry))
                else:
                    product, entry_status = str(entry.get("apiproduct")), _status(entry.get("status"), None)
                origin = Origin(doc, ekeys)
                if (
                    entry_status is Status.APPROVED
                    and key_status is Status.APPROVED
                    and app_status is Status.APPROVED
                    and active
                    and (expires is None or expires > clock)
                    and product in products
                ):  # the common case, quickly
                    grants.append(Grant(None, product, Status.APPROVED, None, origin, expires=expires))
                    continue
                states = [("app", app_status), ("credential", key_status), ("product entry", entry_status)]
                unknown = [(level, s or "absent") for level, s in states if not isinstance(s, Status)]
                if unknown:
                    said = ", ".join(f"{level} status {s!r}" for level, s in unknown)
                    part.notes.append(
                        _note(
                            origin,
                            f"app {a['name']!r}: {said} is not approved, pending or revoked: "
                            f"no grant of {product!r} is read",
                        )
                    )
                    continue
                known = [(level, s) for level, s in states if isinstance(s, Status)]
                blocked = [f"{level} status 'revoked'" for level, s in known if s is Status.REVOKED]
                if not active:
                    blocked.append(f"developer {email!r} inactive")
                if expires is not None and expires <= clock:
                    blocked.append(EXPIRED)
                if blocked:
                    status = Status.REVOKED
                elif any(s is Status.PENDING for _, s in known):
                    status = Status.PENDING
                else:
                    status = Status.APPROVED
                if product not in products:
                    part.notes.append(
                        _note(
                            origin,
                            f"app {a['name']!r} holds API product {product!r}, which no products file "
                            "in its folder defines: it gives no permission",
                        )
                    )
                grants.append(
                    Grant(None, product, status, None, origin, expires=expires, blocked_by="; ".join(blocked) or None)
                )
        name = a["name"]
        display = next(
            (
                str(x.get("value"))
                for x in a.get("attributes") or ()
                if isinstance(x, dict) and x.get("name") == "DisplayName" and x.get("value")
            ),
            name,
        )
        part.applications.append(
            Application(identity.application(name), display, {e: name for e in envs_all}, {}, tuple(grants), where)
        )
    part.counts += [("apigee", org.folder or ".", section, n) for section, n in counts.items()]
    return part


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value if isinstance(v, str) and v) if isinstance(value, list) else ()


def _covers(product: dict[str, Any]) -> tuple[Covered, ...] | None:
    """What a product's keys may call: its operation groups and apiResources; None (every call): neither."""
    found: list[Covered] = []
    group = product.get("operationGroup")
    configs = group.get("operationConfigs") if isinstance(group, dict) else None
    for config in configs if isinstance(configs, list) else ():
        if not isinstance(config, dict):
            continue
        proxy = config.get("apiSource") if isinstance(config.get("apiSource"), str) else None
        operations = config.get("operations")
        if not isinstance(operations, list) or not operations:
            found.append(Covered("/**", (), proxy))  # a proxy without operations: all of it
            continue
        for o in operations:
            if isinstance(o, dict) and isinstance(o.get("resource"), str):
                methods = tuple(m.upper() for m in _strings(o.get("methods")))
                found.append(Covered(o["resource"], methods, proxy))
    proxies = _strings(product.get("proxies"))
    for resource in _strings(product.get("apiResources")):
        found.append(Covered(resource, (), ", ".join(proxies) or None))
    return tuple(found) if found else None


def _status(value: Any, default: str | None) -> Status | str | None:
    """The Status of an Apigee status field; its text when unknown; None when absent without a default."""
    if value is None:
        return None if default is None else _STATUS[default]
    text = str(value).strip().lower()
    return _STATUS.get(text, text)


def _maven_status(product: tuple[Origin, list[str], dict[str, Any]] | None) -> Status:
    """A key created for a product of `approvalType: manual` waits for approval; `auto` approves it."""
    if product is not None and str(product[2].get("approvalType") or "auto").lower() == "manual":
        return Status.PENDING
    return Status.APPROVED


def _in(folder: str, prefix: str) -> bool:
    prefix = prefix.rstrip("/")
    return folder == prefix or folder.startswith(prefix + "/")


def _note(where: Origin, message: str) -> Note:
    loc = where.location()
    return Note(loc.path, message, loc.line, loc.column)


def read_documents(docs: list[Document], identity: Identity) -> list[ExportPart]:
    """Every organization the files of `docs` make up, as export parts."""
    return [read_organization(org, identity) for org in organizations(iter(docs))]
