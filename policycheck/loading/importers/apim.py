"""Azure API Management artifacts of the APIOps extractor -> the native model (mapping: docs/importers.md).

The folder that holds `products/`, `apis/` and `subscriptions/` is one artifact set;
each `configuration.<env>.yaml` beside it (or one folder up) is an environment the set
is published to, with its overrides; without one, the set is one environment named by
its folder. A subscription is an application; its scope (a product, an API, all APIs)
is its grant, approved when `active`, pending when `submitted`, blocked otherwise. A
product is a permission set of its APIs. Each API's operations come from its
`specification.yaml` (paths x methods, operationId: a minimal reading, see
`_spec_operations`), with the `validate-jwt` / `validate-azure-ad-token` checks in
force on them after `<base/>` inheritance: operation -> API -> product -> global.
Subscription keys are never read.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ...model import (
    Application,
    At,
    Environment,
    GatewayOperation,
    Grant,
    Origin,
    PermissionSet,
    Status,
    TokenCheck,
)
from ..export import ExportPart
from ..source import Document
from ..survey import Note
from . import apim_policy
from .detection import is_artifact as is_artifact
from .detection import role as role
from .identity import Identity

ALL_APIS = "all APIs"

_STATES = {
    "active": Status.APPROVED,
    "submitted": Status.PENDING,
    "suspended": Status.REVOKED,
    "rejected": Status.REVOKED,
    "cancelled": Status.REVOKED,
    "expired": Status.REVOKED,
}
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def policy_document(path: str, raw: bytes) -> Document:
    """A policy.xml as a document: its token checks (no keys to locate: origins hold their own positions)."""
    doc = Document(path, apim_policy.parse(path, raw), "xml")
    doc.size = len(raw)
    return doc


@dataclass
class ArtifactSet:
    root: str
    files: dict[tuple[str, str], Document] = field(default_factory=dict)
    configs: dict[str, Document] = field(default_factory=dict)


def artifact_sets(docs: Iterable[Document]) -> list[ArtifactSet]:
    sets: dict[str, ArtifactSet] = {}
    configs: list[tuple[str, str, Document]] = []
    for doc in docs:
        found = role(doc.path)
        assert found is not None
        kind, root, name = found
        if kind == "config":
            configs.append((root, name, doc))
            continue
        sets.setdefault(root, ArtifactSet(root)).files[kind, name] = doc
    for folder, env, doc in configs:
        for s in sets.values():  # beside the artifacts, or one folder up (the repository root of APIOps)
            if s.root == folder or posixpath.dirname(s.root) == folder:
                s.configs[env] = doc
    return list(sets.values())


def _props(doc: Document | None) -> dict[str, Any]:
    props = doc.data.get("properties") if doc is not None and isinstance(doc.data, dict) else None
    return props if isinstance(props, dict) else {}


def _overrides(config: Document | None, section: str) -> dict[str, tuple[dict[str, Any], Origin]]:
    """name -> (properties, where) of a configuration's `subscriptions:` or `products:` overrides."""
    found: dict[str, tuple[dict[str, Any], Origin]] = {}
    items = config.data.get(section) if config is not None and isinstance(config.data, dict) else None
    for i, item in enumerate(items if isinstance(items, list) else ()):
        if isinstance(item, dict) and isinstance(item.get("name"), str) and isinstance(item.get("properties"), dict):
            found[item["name"]] = (item["properties"], Origin(config, (section, i, "properties")))  # type: ignore[arg-type]
    return found


def read_set(artifacts: ArtifactSet, identity: Identity) -> list[ExportPart]:
    """One part per environment the artifact set is published to.

    Files that only stand where the extractor writes them (a `specification.yaml` under
    `apis/<a>/` without `apiInformation.json`, a lone `policy.xml`) are no artifact set:
    a note each, and nothing is imported from them.
    """
    kinds = {kind for kind, _ in artifacts.files}
    if not kinds & {"subscription", "product", "api"}:
        return [ExportPart(notes=[_unread(doc) for doc in artifacts.files.values()])]
    apis = {name for kind, name in artifacts.files if kind == "api"}
    loose = [key for key in artifacts.files if key[0] == "spec" and key[1] not in apis]
    notes = [_unread(artifacts.files.pop(key)) for key in loose]
    envs: list[tuple[str, Document | None]]
    if artifacts.configs:
        envs = [(identity.environment(name, ""), doc) for name, doc in sorted(artifacts.configs.items())]
    else:
        folder = artifacts.root.rsplit("/", 1)[-1] or "apim"
        envs = [(identity.environment(folder, artifacts.root + "/"), None)]
    cache: dict[tuple[int, ...], tuple[tuple[TokenCheck, ...], Origin | None]] = {}
    parts = [_read_env(artifacts, env, config, identity, cache) for env, config in envs]
    parts[0].notes.extend(notes)
    return parts


def _unread(doc: Document) -> Note:
    return Note(
        doc.path,
        "stands where the APIOps extractor writes its files, but no apiInformation.json, productInformation.json "
        "or subscriptionInformation.json is beside it: not read as an API Management artifact",
    )


def _read_env(
    artifacts: ArtifactSet,
    env: str,
    config: Document | None,
    identity: Identity,
    cache: dict[tuple[int, ...], tuple[tuple[TokenCheck, ...], Origin | None]],
) -> ExportPart:
    part = ExportPart()
    files = artifacts.files
    shown = artifacts.root or "."
    product_over = _overrides(config, "products")
    sub_over = _overrides(config, "subscriptions")

    apis = sorted(name for kind, name in files if kind == "api")
    products: dict[str, list[str]] = {}
    for kind, name in sorted(files):
        if kind == "product":
            products.setdefault(name, [])
        elif kind == "product-apis":
            products.setdefault(name, []).extend(a["name"] for a in files[kind, name].data)
        elif kind == "product-api":
            product, api = name.split("/", 1)
            products.setdefault(product, []).append(api)
    published: list[str] = []
    for name, members in products.items():
        doc = files.get(("product", name))
        props = {**_props(doc), **product_over.get(name, ({}, None))[0]}
        where = product_over[name][1] if name in product_over else Origin(doc, ()) if doc else _origin_of(files, name)
        for api in members:
            if api not in apis:
                part.notes.append(_note(where, f"product {name!r} lists API {api!r}, which the artifacts do not hold"))
        part.permission_sets.append(PermissionSet(name, tuple(dict.fromkeys(members)), (), where, env, "product"))
        if str(props.get("state") or "published").lower() == "published":
            published.append(name)
        else:
            part.notes.append(_note(where, f"product {name!r} is not published in {env}: its APIs are not offered"))
        if props.get("subscriptionRequired") is False:
            part.notes.append(
                _note(
                    where,
                    f"product {name!r} requires no subscription in {env}: anyone may call its APIs "
                    "without a key, which no grant shows",
                )
            )
    if any(kind == "subscription" for kind, _ in files):
        part.permission_sets.append(
            PermissionSet(ALL_APIS, tuple(apis), (), Origin(At(shown, 1, 1), ()), env, "all-APIs scope")
        )
        published.append(ALL_APIS)
    first = next((Origin(d, ()) for d in files.values()), Origin(At(shown, 1, 1), ()))
    part.environments.append(Environment(env, (), tuple(published), first))

    counts = {"subscriptions": 0, "products": len(products), "apis": len(apis), "operations": 0, "policies": 0}
    for kind, name in sorted(files):
        if kind != "subscription":
            continue
        counts["subscriptions"] += 1
        doc = files[kind, name]
        props = dict(_props(doc))
        where = Origin(doc, ("properties",))
        state_at = Origin(doc, ("properties", "state"))
        if name in sub_over:
            props.update(sub_over[name][0])
            if "state" in sub_over[name][0]:
                state_at = sub_over[name][1]
        state = str(props.get("state") or "").strip().lower()
        scope = str(props.get("scope") or "")
        grant_of = _scope(scope)
        if state not in _STATES or grant_of is None:
            what = f"state {state!r}" if state not in _STATES else f"scope {scope!r}"
            part.notes.append(
                _note(
                    state_at if state not in _STATES else where,
                    f"subscription {name!r} has {what}, which policycheck does not read: no grant in {env}",
                )
            )
            grants: tuple[Grant, ...] = ()
        else:
            status = _STATES[state]
            blocked = f"subscription state {state!r}" if status is Status.REVOKED else None
            target_kind, target = grant_of
            if (target_kind == "product" and target not in products) or (target_kind == "api" and target not in apis):
                part.notes.append(
                    _note(
                        where,
                        f"subscription {name!r} is scoped to {target_kind} {target!r}, which the artifacts "
                        f"do not hold: it gives no access in {env}",
                    )
                )
            if target_kind == "api":
                grant = Grant(target, None, status, (env,), state_at, per_environment=True, blocked_by=blocked)
            else:
                grant = Grant(None, target, status, (env,), state_at, per_environment=True, blocked_by=blocked)
            grants = (grant,)
        display = str(props.get("displayName") or name)
        part.applications.append(
            Application(identity.application(display), display, {env: name}, {}, grants, where, {}, {env: where})
        )

    global_policy = files.get(("policy-global", ""))
    direct = {g.permission for a in part.applications for g in a.grants if g.permission is not None}
    if any(g.permission_set == ALL_APIS for a in part.applications for g in a.grants):
        direct |= set(apis)
    for api in apis:
        spec = files.get(("spec", api))
        if spec is None:
            continue
        base_path = str(_props(files.get(("api", api))).get("path") or "").strip("/")
        holders: list[str | None] = [p for p, members in products.items() if api in members and p in published]
        if api in direct or not holders:
            holders.append(None)
        for method, path, op_id, keys in _spec_operations(spec.data):
            counts["operations"] += 1
            op_policy = files.get(("policy-operation", f"{api}/{op_id}")) if op_id else None
            routes = []
            for holder in holders:
                chain: list[Document | None] = [op_policy, files.get(("policy-api", api))]
                chain += [files.get(("policy-product", holder))] if holder else []
                chain.append(global_policy)
                key = tuple(id(d) for d in chain)  # the same files: the same checks (shared by the environments)
                found = cache.get(key)
                if found is None:
                    found = cache[key] = _in_force(chain)
                routes.append((holder, *found))
            part.gateway_operations.append(
                GatewayOperation("apim", api, base_path, method, path, op_id, env, tuple(routes), Origin(spec, keys))
            )
    for (kind, _), doc in files.items():
        if kind.startswith("policy-"):
            counts["policies"] += 1
            for check in doc.data["conditional"]:
                part.notes.append(
                    Note(
                        doc.path,
                        f"{check['policy']} inside <choose> applies on a condition, which policycheck "
                        "does not evaluate: not read as a requirement",
                        check["line"],
                        check["column"],
                    )
                )
            for fragment, line, column in doc.data["fragments"]:
                part.notes.append(
                    Note(
                        doc.path,
                        f"policy fragment {fragment!r} is included here and not read: token checks in it are not seen",
                        line,
                        column,
                    )
                )
    part.counts += [("apim", f"{shown} ({env})", section, n) for section, n in counts.items()]
    return part


def _origin_of(files: dict[tuple[str, str], Document], product: str) -> Origin:
    doc = files.get(("product-apis", product)) or next(d for (k, n), d in files.items() if n.startswith(product + "/"))
    return Origin(doc, ())


def _scope(scope: str) -> tuple[str, str] | None:
    """("product" | "set" | "api", name) of a subscription scope: `/products/p`, `/apis/a`, `/apis` (all)."""
    text = scope.rstrip("/")
    if re.search(r"(^|/)apis$", text) or text == "":
        return ("set", ALL_APIS) if text else None
    for marker, kind in (("/products/", "product"), ("/apis/", "api")):
        if marker in "/" + text.lstrip("/"):
            name = ("/" + text.lstrip("/")).rsplit(marker, 1)[1]
            if name and "/" not in name:
                return kind, name
    return None


def _in_force(chain: list[Document | None]) -> tuple[tuple[TokenCheck, ...], Origin | None]:
    """The token checks in force along operation -> API -> product -> global, and the file that cut them off.

    A scope without a policy file inherits everything; a file whose inbound has no `<base/>`
    stops inheritance there: the checks of the scopes above it do not apply.
    """
    checks: list[TokenCheck] = []
    for i, doc in enumerate(chain):
        if doc is None:
            continue
        for check in doc.data["checks"]:
            for claim in check["claims"]:
                where = Origin(At(doc.path, claim["line"], claim["column"]), ())
                checks.append(TokenCheck(claim["name"], claim["match"], tuple(claim["values"]), where))
            if not check["claims"]:
                checks.append(TokenCheck("", "all", (), Origin(At(doc.path, check["line"], check["column"]), ())))
        if not doc.data["base"]:
            above = [d for d in chain[i + 1 :] if d is not None and d.data["checks"]]
            line, column = doc.data["inbound_at"]
            return tuple(checks), Origin(At(doc.path, line, column), ()) if above else None
    return tuple(checks), None


def _spec_operations(spec: Any) -> Iterable[tuple[str, str, str | None, tuple[str | int, ...]]]:
    """(METHOD, path, operationId, keys) of every operation of an OpenAPI or Swagger document.

    Deliberately minimal (paths x methods, operationId): the OpenAPI reader replaces it.
    """
    for path, item in (spec.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in _METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                op_id = op.get("operationId")
                yield method.upper(), str(path), op_id if isinstance(op_id, str) else None, ("paths", path, method)


def _note(where: Origin, message: str) -> Note:
    loc = where.location()
    return Note(loc.path, message, loc.line, loc.column)


def read_documents(docs: list[Document], identity: Identity) -> list[ExportPart]:
    """Every set of artifacts (an APIOps extract) in `docs`, as export parts."""
    return [part for artifacts in artifact_sets(docs) for part in read_set(artifacts, identity)]
