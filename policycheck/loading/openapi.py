"""OpenAPI 3.0/3.1 and Swagger 2.0 documents -> `Spec`: operations and what each one's `security` requires.

The semantics are OpenAPI's: `security` is a list of requirement objects, any one of
which suffices (OR); the schemes inside one object are all needed (AND), each with all
of its scopes; an operation's own `security` replaces the document's global one;
`security: []` (or a `{}` among the alternatives) makes it public.

The AWS API Gateway dialect (recognised by `x-amazon-apigateway-*` extensions, or
forced): a route's scopes are alternatives (the token needs any one of them), and an
API key listed as a requirement object of its own is enforced as well (AND), as API
Gateway does with `ApiKeyRequired`.

Paths are taken as written under `paths:` (without `servers` or `basePath`).
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import InputError, shown
from ..model import Origin, SchemeUse, Spec, SpecOperation, SpecScheme
from .limits import Limits
from .openapi_refs import Node, Refs
from .source import Document, load, read_bytes

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
DIALECTS = ("oas", "aws-apigateway")
_UNSAFE = re.compile(r"[^A-Za-z0-9._:-]+")


def read_spec(path: str, limits: Limits | None = None, api: str | None = None, dialect: str | None = None) -> Spec:
    from .inputs import display_path

    limits = limits or Limits()
    doc = load(display_path(path), read_bytes(path, limits), limits)
    return _Reader(doc, path, limits, api, dialect).read()


def is_openapi(data: Any) -> bool:
    return isinstance(data, dict) and (isinstance(data.get("openapi"), str) or data.get("swagger") == "2.0")


class _Reader:
    def __init__(self, doc: Document, real_path: str, limits: Limits, api: str | None, dialect: str | None):
        self.doc = doc
        self.root = Node(doc.data, doc, ())
        self.refs = Refs(doc, real_path, limits)
        self.api = api
        self.forced = dialect
        self.notes: list[str] = []

    def read(self) -> Spec:
        data = self.doc.data
        if not is_openapi(data):
            raise self.root.fail("expected an OpenAPI document (openapi: 3.x) or Swagger 2.0 (swagger: '2.0')")
        version = data.get("openapi", "2.0")
        if not (version.startswith("3.") or version == "2.0"):
            raise self.root.fail(f"OpenAPI version {shown(version, 80)!r} is not supported (expected 2.0, 3.0 or 3.1)")
        schemes = self.schemes(version)
        aws = any(s.vendor == "aws" for s in schemes.values()) or any(
            str(k).startswith("x-amazon-apigateway") for k in data
        )
        dialect = self.forced or ("aws-apigateway" if aws else "oas")
        info = data.get("info")
        title = info.get("title") if isinstance(info, dict) and isinstance(info.get("title"), str) else None
        global_security = None
        if "security" in data:
            global_security = self.security(self.root.child("security"), schemes, dialect)
        operations = self.operations(schemes, global_security, dialect)
        return Spec(
            self.doc.path,
            version,
            title,
            dialect,
            schemes,
            tuple(operations),
            self.api,
            Origin(self.doc, ()),
            tuple(self.notes),
        )

    # --- security schemes ------------------------------------------------------

    def schemes(self, version: str) -> dict[str, SpecScheme]:
        keys: tuple[str, ...]
        if version == "2.0":
            container, keys = self.root.value.get("securityDefinitions"), ("securityDefinitions",)
        else:
            components = self.root.value.get("components")
            container = components.get("securitySchemes") if isinstance(components, dict) else None
            keys = ("components", "securitySchemes")
        if container is None:
            return {}
        node = self.root
        for k in keys:
            node = self.refs.follow(node.child(k))
        if not isinstance(node.value, dict):
            raise node.fail("expected a mapping of security scheme names to schemes")
        found = {}
        for name in node.value:
            scheme = self.refs.follow(node.child(name))
            if not isinstance(scheme.value, dict) or not isinstance(scheme.value.get("type"), str):
                raise scheme.fail(f"security scheme {shown(name)!r}: expected a mapping with a type")
            found[name] = SpecScheme(
                name,
                scheme.value["type"],
                self.declared_scopes(scheme),
                "aws"
                if "x-amazon-apigateway-authorizer" in scheme.value or "x-amazon-apigateway-authtype" in scheme.value
                else None,
                Origin(scheme.doc, scheme.keys),
            )
        return found

    def declared_scopes(self, scheme: Node) -> dict[str, str]:
        value = scheme.value
        scopes: dict[str, str] = {}
        holders = [value] if "scopes" in value else []  # Swagger 2.0: scopes on the scheme
        flows = value.get("flows")
        if isinstance(flows, dict):
            holders += [f for f in flows.values() if isinstance(f, dict)]
        for holder in holders:
            declared = holder.get("scopes")
            if isinstance(declared, dict):
                scopes.update({str(k): v if isinstance(v, str) else "" for k, v in declared.items()})
        return scopes

    # --- operations ------------------------------------------------------------

    def operations(
        self,
        schemes: dict[str, SpecScheme],
        global_security: tuple[tuple[SchemeUse, ...], ...] | None,
        dialect: str,
    ) -> list[SpecOperation]:
        paths = self.root.value.get("paths")
        if paths is None:
            self.notes.append(f"{self.doc.path}: warning: the document has no paths: no operations read")
            return []
        node = self.refs.follow(self.root.child("paths"))
        if not isinstance(node.value, dict):
            raise node.fail("paths: expected a mapping of paths to path items")
        found: list[SpecOperation] = []
        ids: dict[str, SpecOperation] = {}
        for path in node.value:
            if not path.startswith("/"):
                if not path.startswith("x-"):
                    raise node.fail(f"path {shown(path, 80)!r} does not start with /", path)
                continue
            if any(c.isspace() for c in path):
                raise node.fail(f"path {shown(path, 80)!r} holds whitespace", path)
            item = self.refs.follow(node.child(path))
            if not isinstance(item.value, dict):
                raise item.fail(f"path {shown(path, 80)!r}: expected a path item (a mapping of methods)")
            if "x-amazon-apigateway-any-method" in item.value:
                line, _ = item.doc.locate((*item.keys, "x-amazon-apigateway-any-method"))
                self.notes.append(
                    f"{item.doc.path}:{line}: warning: ANY {shown(path, 80)} (x-amazon-apigateway-any-method) "
                    "not read: a policy operation names one method; add them to the policy by hand"
                )
            for method in METHODS:
                if method not in item.value:
                    continue
                op = self.refs.follow(item.child(method))
                if not isinstance(op.value, dict):
                    raise op.fail(f"{method.upper()} {path[:80]}: expected an operation object")
                if method == "trace":
                    self.notes.append(
                        f"{op.doc.path}: note: TRACE {shown(path, 80)} skipped (policies name no TRACE operations)"
                    )
                    continue
                spec_op = self.operation(op, method.upper(), path, schemes, global_security, dialect)
                if spec_op.id in ids:
                    first = ids[spec_op.id]
                    raise op.fail(
                        f"operationId {shown(spec_op.id)!r} is also {first.method} {first.path} "
                        f"(line {first.source.location().line}): operation ids must be unique",
                        "operationId",
                    )
                ids[spec_op.id] = spec_op
                found.append(spec_op)
        return found

    def operation(
        self,
        op: Node,
        method: str,
        path: str,
        schemes: dict[str, SpecScheme],
        global_security: tuple[tuple[SchemeUse, ...], ...] | None,
        dialect: str,
    ) -> SpecOperation:
        operation_id = op.value.get("operationId")
        if operation_id is not None and not isinstance(operation_id, str):
            raise op.fail("operationId: expected a string", "operationId")
        security: tuple[tuple[SchemeUse, ...], ...] | None
        if "security" in op.value:
            security, inherited = self.security(op.child("security"), schemes, dialect), False
        else:
            security, inherited = global_security, global_security is not None
        return SpecOperation(
            stable_id(operation_id, method, path),
            method,
            path,
            operation_id,
            security or (),
            security == (),
            inherited,
            Origin(op.doc, op.keys),
        )

    def security(self, node: Node, schemes: dict[str, SpecScheme], dialect: str) -> tuple[tuple[SchemeUse, ...], ...]:
        if not isinstance(node.value, list):
            raise node.fail("security: expected a list of security requirement objects")
        alternatives: list[tuple[SchemeUse, ...]] = []
        for i, requirement in enumerate(node.value):
            if not isinstance(requirement, dict):
                raise node.fail("expected a security requirement object (scheme: [scopes])", i)
            uses = []
            for name, scopes in requirement.items():
                if name not in schemes:
                    known = ", ".join(sorted(schemes)) or "none"
                    raise node.fail(f"security scheme {shown(name)!r} is not defined (defined: {known})", i, name)
                if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
                    raise node.fail(f"security scheme {shown(name)!r}: expected a list of scopes", i, name)
                self.check_scopes(node, (i, name), schemes[name], scopes)
                uses.append(SchemeUse(name, tuple(scopes), dialect == "aws-apigateway" and bool(scopes)))
            if not uses:
                return ()  # {} among the alternatives: the operation may be called without credentials
            alternatives.append(tuple(uses))
        if dialect == "aws-apigateway":
            alternatives = _aws_api_keys(alternatives, schemes)
        return tuple(alternatives)

    def check_scopes(self, node: Node, keys: tuple[str | int, ...], scheme: SpecScheme, scopes: list[str]) -> None:
        if scheme.type != "oauth2" or not scheme.scopes:
            return  # openIdConnect scopes live behind the discovery URL; AWS JWT authorizers declare none
        for scope in scopes:
            if scope not in scheme.scopes:
                line, column = node.doc.locate((*node.keys, *keys))
                self.notes.append(
                    f"{node.doc.path}:{line}:{column}: warning: scope {shown(scope)!r} is not declared "
                    f"in the flows of security scheme {shown(scheme.name)!r}"
                )


def _aws_api_keys(
    alternatives: list[tuple[SchemeUse, ...]], schemes: dict[str, SpecScheme]
) -> list[tuple[SchemeUse, ...]]:
    """API Gateway exports an authorizer plus ApiKeyRequired as [{auth: []}, {api_key: []}]: both are enforced."""

    def plain_key(uses: tuple[SchemeUse, ...]) -> bool:
        return all(schemes[u.scheme].type == "apiKey" and schemes[u.scheme].vendor is None for u in uses)

    keys = [a for a in alternatives if plain_key(a)]
    others = [a for a in alternatives if not plain_key(a)]
    if not keys or not others:
        return alternatives
    extra = tuple(u for k in keys for u in k)
    return [(*a, *extra) for a in others]


def stable_id(operation_id: str | None, method: str, path: str) -> str:
    """operationId made safe for a policy id, else `get.pets.petId` from the method and path."""
    if operation_id:
        text = _UNSAFE.sub("-", operation_id).strip("-._:")
        if text:
            return text[:200]
    parts = [p.strip("{}") for p in path.split("/") if p]
    text = _UNSAFE.sub("-", ".".join([method.lower(), *parts] if parts else [method.lower(), "root"]))
    return text.strip("-._:")[:200]


def read_specs(entries: tuple[tuple[str, str | None], ...], limits: Limits | None = None) -> tuple[Spec, ...]:
    """The documents the configuration names (path, api); every error in them at once."""
    from ..errors import InputErrors

    specs, errors = [], []
    for path, api in entries:
        try:
            specs.append(read_spec(path, limits, api))
        except InputError as e:
            errors.append(e)
    if errors:
        raise InputErrors(errors)
    return tuple(specs)
