"""Find input files, load each by its kind, and assemble one Model."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from ..errors import InputError, InputErrors
from ..model import (
    Application,
    At,
    DuplicateKey,
    Environment,
    Model,
    Origin,
    PermissionSet,
    Reference,
    SecretSeen,
    TokenProfile,
    Waiver,
)
from ..tokens.profiles import read_profile
from .export import SECRET_KEYS, ExportPart, read_export
from .importers import FORMATS as VENDOR_ALL
from .importers import detect, mentions_vendor, read_vendor
from .importers.identity import Identity
from .limits import Limits
from .policy import PolicyPart, read_policy
from .source import Document, load, read_bytes
from .validate import validate
from .waivers import read_waivers

API_VERSION = "policycheck/v1"
VENDOR_FORMATS = tuple(f for f in VENDOR_ALL if f != "native")
KINDS = {"Policy": "policy", "GatewayExport": "export", "Waivers": "waivers", "TokenProfile": "token-profile"}
SUFFIXES = (".yaml", ".yml", ".json", ".ionapi")


def discover(paths: Sequence[str]) -> list[tuple[str, bool]]:
    """(file, named explicitly) for every input; directories are walked for YAML and JSON."""
    found: list[tuple[str, bool]] = []
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(
                    (os.path.join(root, f), False)
                    for f in sorted(files)
                    if f.endswith(SUFFIXES) and not f.startswith(".")
                )
        elif os.path.exists(p):
            found.append((p, True))
        else:
            raise InputError(p, "no such file or directory")
    return found


def display_path(path: str) -> str:
    """Relative to the working directory (absolute only across drives), with forward slashes."""
    absolute = os.path.abspath(path)
    try:
        return os.path.relpath(absolute).replace(os.sep, "/")
    except ValueError:
        return absolute.replace(os.sep, "/")


def load_model(
    paths: Sequence[str],
    limits: Limits | None = None,
    waiver_files: Sequence[str] = (),
    identity: Identity | None = None,
    input_format: str | None = None,
    exports: Sequence[str | tuple[str, bytes]] | None = None,
) -> Model:
    """Policies and exports from `paths`; waivers only from `waiver_files` (the configured ones).

    Vendor exports (Keycloak, Entra, .ionapi) are recognised by content, or all named
    files are read as `input_format`; `identity` maps their names to environments and
    applications. With `exports` (paths, or (label, bytes) read from elsewhere, such
    as git), exports come only from there: `policycheck diff` checks two exports
    against the same policies.
    """
    limits = limits or Limits()
    only = None if exports is None else list(exports)
    vendor: list[tuple[Document, str]] = []
    errors: list[InputError] = []
    policies: list[PolicyPart] = []
    parts: list[ExportPart] = []
    waivers: list[Waiver] = []
    profiles: list[TokenProfile] = []
    documents: list[Document] = []
    configured = {os.path.realpath(p) for p in waiver_files}
    # (source, named explicitly, a waiver file, one of the designated exports)
    inputs: list[tuple[str | tuple[str, bytes], bool, bool, bool]] = [
        (p, explicit, False, False) for p, explicit in discover(paths) if os.path.realpath(p) not in configured
    ]
    inputs += [(p, True, True, False) for p in waiver_files]
    for item in only or ():
        inputs += (
            [(item, True, False, True)]
            if isinstance(item, tuple)
            else [(p, True, False, True) for p, _ in discover([item])]
        )
    for source, explicit, is_waiver_file, designated in inputs:
        try:
            loaded = _load_document(source, explicit, limits, input_format if explicit else None)
            if loaded is None:
                continue
            doc, kind = loaded
            if only is not None and kind in (*VENDOR_FORMATS, "export") and not designated:
                continue  # diff: exports come only from BEFORE or AFTER
            if kind in VENDOR_FORMATS:
                vendor.append((doc, kind))
                documents.append(doc)
                continue
            if (kind == "waivers") != is_waiver_file:
                line, column = doc.locate(["kind"])
                raise InputError(
                    doc.path,
                    "waivers are read only from the waiver files named in the configuration "
                    "(waivers:) or with --waivers"
                    if kind == "waivers"
                    else "expected kind: Waivers in a waiver file",
                    line,
                    column,
                )
            validate(doc, kind)
            if kind == "policy":
                policies.append(read_policy(doc))
            elif kind == "export":
                parts.append(read_export(doc))
            elif kind == "token-profile":
                profiles.append(read_profile(doc.data, Origin(doc, ())))
            else:
                waivers.extend(read_waivers(doc))
            documents.append(doc)
        except InputErrors as e:
            errors.extend(e.errors)
        except InputError as e:
            errors.append(e)
    if errors:
        raise InputErrors(errors)
    if vendor:
        try:
            parts.extend(read_vendor(vendor, identity or Identity()))
        except InputError as e:
            raise InputErrors([e]) from None
    model = assemble(policies, parts, documents)
    named: dict[str, TokenProfile] = {}
    duplicates = list(model.duplicates)
    for profile in profiles:
        if profile.name in named:
            first = named[profile.name].source
            assert first is not None and profile.source is not None
            where = first.location()
            duplicates.append(DuplicateKey(f"token profile {profile.name!r}", profile.source, where.line, where.path))
            continue
        named[profile.name] = profile
    secrets = tuple(
        SecretSeen(key, Origin(At(doc.path, line, column), ()))
        for doc in documents
        for key, line, column in doc.secrets
    )
    return replace(model, waivers=tuple(waivers), profiles=named, duplicates=tuple(duplicates), secrets=secrets)


def validate_files(paths: Sequence[str], limits: Limits | None = None) -> tuple[int, list[InputError]]:
    """Schema validation of each policycheck file on its own: (files validated, errors)."""
    limits = limits or Limits()
    errors: list[InputError] = []
    validated = 0
    for path, _ in discover(paths):
        try:
            loaded = _load_document(path, False, limits)
            if loaded is not None and loaded[1] not in VENDOR_FORMATS:
                validated += 1
                validate(*loaded)
        except InputErrors as e:
            errors.extend(e.errors)
        except InputError as e:
            errors.append(e)
    return validated, errors


def _load_document(
    source: str | tuple[str, bytes], explicit: bool, limits: Limits, forced: str | None = None
) -> tuple[Document, str] | None:
    """(document, kind), or None for another tool's file found in a searched directory.

    `source` is a path, or (label, bytes) for content read elsewhere (a git revision).
    """
    if isinstance(source, tuple):
        path = shown = source[0]
        raw = source[1]
        if len(raw) > limits.max_file_bytes:
            raise InputError(shown, f"over the limit of {limits.max_file_bytes} bytes")
    else:
        path = source
        shown = display_path(path)
        raw = read_bytes(shown, limits)
    ionapi = path.endswith(".ionapi")
    if not explicit and not (_mentions_policycheck(raw) or ionapi or mentions_vendor(raw[:65536])):
        return None
    doc = load(shown, raw, limits, SECRET_KEYS, as_json=ionapi or None)
    data = doc.data
    native = isinstance(data, dict) and data.get("apiVersion") == API_VERSION
    if forced not in (None, "native") and not native:  # policy files stay policy files
        if detect(data, shown) != forced:
            raise InputError(shown, f"not an export of format {forced} (--input-format {forced})", 1, 1)
        return doc, str(forced)
    ours = data.get("apiVersion") if isinstance(data, dict) else None
    if ours is None and forced is None:
        found = detect(data, shown)
        if found is not None:
            return doc, found
    if not isinstance(data, dict):
        raise InputError(shown, "expected a mapping at the top level", 1, 1)
    kind = data.get("kind")
    if not explicit and not (isinstance(ours, str) and ours.startswith("policycheck/")):
        return None
    if ours is None and explicit and kind not in KINDS:
        raise InputError(
            shown,
            "not a policycheck file (apiVersion: policycheck/v1), a Keycloak realm export, an Entra "
            "application set or an .ionapi file (force one with --input-format)",
            1,
            1,
        )
    if ours != API_VERSION:
        line, column = doc.locate(["apiVersion"])
        got = "no apiVersion" if ours is None else "another apiVersion"
        raise InputError(shown, f"expected apiVersion: {API_VERSION} ({got})", line, column)
    if not isinstance(kind, str) or kind not in KINDS:
        line, column = doc.locate(["kind"])
        raise InputError(shown, f"expected kind: {' or '.join(KINDS)}", line, column)
    return doc, KINDS[kind]


def _join_definitions(envs: Iterable[Environment]) -> list[Environment]:
    """An environment named in several files (an .ionapi file and a scope matrix, two realm files) is one.

    Definitions in one file stay duplicates (PC903).
    """
    joined: dict[str, Environment] = {}
    at: dict[str, int] = {}
    out: list[Environment] = []
    for env in envs:
        first = joined.get(env.name)
        if first is None or first.source.document is env.source.document:
            if first is None:
                joined[env.name], at[env.name] = env, len(out)
            out.append(env)
            continue
        merged = replace(
            first,
            inherits=tuple(dict.fromkeys(first.inherits + env.inherits)),
            permission_sets=tuple(dict.fromkeys(first.permission_sets + env.permission_sets)),
        )
        joined[env.name] = merged
        out[at[env.name]] = merged
    return out


def _join_environments(apps: Iterable[Application]) -> list[Application]:
    """One application exported per environment (a realm, a tenant, a file each) becomes one application.

    Only when the environments are disjoint (or one side names none, as a grants-only
    scope matrix beside .ionapi files): the same application twice in one environment
    stays a duplicate definition (PC903).
    """
    joined: dict[str, Application] = {}
    at: dict[str, int] = {}
    out: list[Application] = []
    for app in apps:
        first = joined.get(app.id)
        if first is None or set(first.clients) & set(app.clients) or not (first.clients or app.clients):
            if first is None:
                joined[app.id], at[app.id] = app, len(out)
            out.append(app)
            continue
        merged = replace(
            first,
            clients={**first.clients, **app.clients},
            grants=first.grants + app.grants,
            scopes={**first.scopes, **app.scopes},
            delivery={**first.delivery, **app.delivery},
            sources={**{e: first.source for e in first.clients}, **first.sources, **app.sources},
        )
        joined[app.id] = merged
        out[at[app.id]] = merged
    return out


def _scoped(merge: Any, exports: list[ExportPart]) -> dict[str, dict[str, PermissionSet]]:
    """Environment-scoped set definitions, by environment; a name twice in one environment is a duplicate."""
    by_env: dict[str, list[PermissionSet]] = {}
    for part in exports:
        for s in part.permission_sets:
            if s.environment is not None:
                by_env.setdefault(s.environment, []).append(s)
    return {env: merge("permission set", sets, "name") for env, sets in sorted(by_env.items())}


def _mentions_policycheck(raw: bytes) -> bool:
    head = raw[:65536]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with a byte-order mark
        head = head.decode("utf-16", "replace").encode("utf-8")
    return b"policycheck/" in head


def assemble(
    policies: Iterable[PolicyPart], exports: Iterable[ExportPart], documents: Sequence[Document] = ()
) -> Model:
    """Merge the parts of every file; a name defined twice is kept once and reported."""
    duplicates: list[DuplicateKey] = []
    references: list[Reference] = []

    def merge(kind: str, items: Iterable[Any], key: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for item in items:
            name = getattr(item, key)
            if name in out:
                first = out[name].source.location()
                duplicates.append(DuplicateKey(f"{kind} {name!r}", item.source, first.line, first.path))
                continue
            out[name] = item
        return out

    policies, exports = list(policies), list(exports)
    for policy in policies:
        references.extend(policy.references)
    for export in exports:
        references.extend(export.references)
    for doc in documents:
        for d in doc.duplicates:
            duplicates.append(DuplicateKey(f"key {d.keys[-1]!r}", Origin(doc, d.keys), d.first_line, doc.path))
    return Model(
        permissions=merge("permission", (p for part in policies for p in part.permissions), "name"),
        operations=merge("operation", (o for part in policies for o in part.operations), "id"),
        policy_environments=merge("environment", (e for part in policies for e in part.environments), "name"),
        bindings=tuple(b for part in policies for b in part.bindings),
        permission_sets=merge(
            "permission set", (s for part in exports for s in part.permission_sets if s.environment is None), "name"
        ),
        scoped_sets=_scoped(merge, exports),
        environments=merge("environment", _join_definitions(e for part in exports for e in part.environments), "name"),
        applications=merge("application", _join_environments(a for part in exports for a in part.applications), "id"),
        references=tuple(references),
        duplicates=tuple(duplicates),
        files=tuple(doc.path for doc in documents),
        has_export=bool(exports),
    )
