"""Find input files, load each by its kind, and assemble one Model."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from ..errors import InputError, InputErrors
from ..errors import shown as shown_name
from ..model import (
    Application,
    At,
    DuplicateKey,
    Environment,
    Model,
    Origin,
    PermissionSet,
    Reference,
    References,
    ReferenceSource,
    SecretSeen,
    TokenProfile,
    Waiver,
)
from ..records import Record, replace
from ..tokens.profiles import read_profile
from .export import SECRET_KEYS, ExportPart, read_export
from .importers import FORMATS as VENDOR_ALL
from .importers import (
    check_shape,
    detect,
    mentions_vendor,
    named_vendor,
    read_vendor,
    strongly_vendor,
    wants_credentials,
)
from .importers.detection import role as apim_role
from .importers.identity import Identity
from .limits import Limits
from .policy import PolicyPart, read_policy
from .products import coverage_gates
from .routes import attach
from .source import Document, load, read_stamped
from .survey import API_VERSION, READ_AS, FileRead, Note, foreign_vendor, looks_ours, names_our_kind, near_ours
from .validate import validate
from .waivers import read_waivers

_set = object.__setattr__

VENDOR_FORMATS = tuple(f for f in VENDOR_ALL if f != "native")
KINDS = {"Policy": "policy", "GatewayExport": "export", "Waivers": "waivers", "TokenProfile": "token-profile"}
SUFFIXES = (".yaml", ".yml", ".json", ".ionapi")


def discover(paths: Sequence[str], follow_symlinks: bool = False) -> list[tuple[str, bool]]:
    """(file, named explicitly) for every input; directories are walked for YAML and JSON."""
    return walk(paths, follow_symlinks)[0]


NOT_FOLLOWED = "a symbolic link to {what} outside the checked paths: not followed (--follow-symlinks reads it)"


def walk(
    paths: Sequence[str], follow_symlinks: bool = False
) -> tuple[list[tuple[str, bool]], list[FileRead], list[Note]]:
    """(file, named explicitly) for every input, the files skipped by name, and the directories that cannot be read.

    The checked tree is the directories named and the working directory (the repository,
    for the pre-commit hook): a symbolic link whose target is outside it is not followed
    unless `follow_symlinks` (a link to /proc/self/environ or ~/.ssh would otherwise be read),
    and is said, as a warning. A link to a directory inside the checked paths is read there.
    """
    found: list[tuple[str, bool]] = []
    skipped: list[FileRead] = []
    notes: list[Note] = []
    given = [os.path.realpath(p) for p in paths if os.path.isdir(p)]  # a directory named is checked, link or not
    roots = [*given, os.path.realpath(os.getcwd())]

    def inside(path: str, among: Sequence[str]) -> bool:
        real = os.path.realpath(path)
        return any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in among)

    def not_followed(path: str, what: str, suffix: str = "") -> None:
        shown = display_path(path) + suffix
        skipped.append(FileRead(shown, None, f"symbolic link to {what} outside the checked paths"))
        notes.append(Note(shown, NOT_FOLLOWED.format(what=what), level="warning"))

    def unreadable(e: OSError) -> None:
        where = display_path(str(e.filename)) if e.filename else "?"
        notes.append(
            Note(where, f"cannot read this directory ({e.strerror}): its files are not checked", level="warning")
        )

    for p in paths:
        if os.path.islink(p) and not os.path.isdir(p) and not follow_symlinks and not inside(p, roots):
            not_followed(p, "a file")  # as the pre-commit hook names a changed file
        elif os.path.isdir(p):
            seen = {os.path.realpath(p)}
            for root, dirs, files in os.walk(p, onerror=unreadable, followlinks=follow_symlinks):
                skipped.extend(
                    FileRead(display_path(os.path.join(root, d)) + "/", None, "hidden directory")
                    for d in dirs
                    if d.startswith(".")
                )
                keep = []
                for d in sorted(d for d in dirs if not d.startswith(".")):
                    path = os.path.join(root, d)
                    real = os.path.realpath(path)
                    if not os.path.islink(path):
                        keep.append(d)
                    elif real in seen or inside(path, given):  # read where it is (and no cycle)
                        skipped.append(FileRead(display_path(path) + "/", None, "symbolic link to a checked directory"))
                    elif follow_symlinks:
                        keep.append(d)
                    else:
                        not_followed(path, "a directory", "/")
                    seen.add(real)
                dirs[:] = keep
                for f in sorted(files):
                    path = os.path.join(root, f)
                    if (f.endswith(SUFFIXES) or f == "policy.xml") and not f.startswith("."):
                        if os.path.islink(path) and not follow_symlinks and not inside(path, roots):
                            not_followed(path, "a file")
                        else:
                            found.append((path, False))
                    else:
                        why = "hidden file" if f.startswith(".") else "not YAML, JSON or .ionapi"
                        skipped.append(FileRead(display_path(path), None, why))
        elif os.path.exists(p):
            found.append((p, True))
        else:
            raise InputError(p, "no such file or directory")
    return found, skipped, notes


def display_path(path: str) -> str:
    """Relative to the working directory (absolute only across drives), with forward slashes."""
    absolute = os.path.abspath(path)
    try:
        return os.path.relpath(absolute).replace(os.sep, "/")
    except ValueError:
        return absolute.replace(os.sep, "/")


class Loaded(Record):
    """The model, every file under the paths with what it was read as, and the notes for the user."""

    _fields = ("model", "files", "notes", "documents")

    model: Model
    files: tuple[FileRead, ...] = ()
    notes: tuple[Note, ...] = ()
    documents: tuple[Document, ...] = ()
    """The files read: large JSON texts are set aside after loading and re-read to locate (`set_aside`)."""

    def __init__(
        self,
        model: Model,
        files: tuple[FileRead, ...] = (),
        notes: tuple[Note, ...] = (),
        documents: tuple[Document, ...] = (),
    ) -> None:
        _set(self, "model", model)
        _set(self, "files", files)
        _set(self, "notes", notes)
        _set(self, "documents", documents)


def load_model(
    paths: Sequence[str],
    limits: Limits | None = None,
    waiver_files: Sequence[str] = (),
    identity: Identity | None = None,
    input_format: str | None = None,
    exports: Sequence[str | tuple[str, bytes]] | None = None,
    defaults: PolicyPart | None = None,
) -> Model:
    """The model of `load_inputs`, without the listing and the notes."""
    return load_inputs(paths, limits, waiver_files, identity, input_format, exports, defaults).model


def load_inputs(
    paths: Sequence[str],
    limits: Limits | None = None,
    waiver_files: Sequence[str] = (),
    identity: Identity | None = None,
    input_format: str | None = None,
    exports: Sequence[str | tuple[str, bytes]] | None = None,
    defaults: PolicyPart | None = None,
) -> Loaded:
    """Policies and exports from `paths`; waivers only from `waiver_files` (the configured ones).

    Vendor exports (Keycloak, Entra, .ionapi) are recognised by content, or all named
    files are read as `input_format`; `identity` maps their names to environments and
    applications. With `exports` (paths, or (label, bytes) read from elsewhere, such
    as git), exports come only from there: `policycheck diff` checks two exports
    against the same policies. `defaults`: permissions and operations for the names no
    policy defines, attached to the gateway's routes like the policies' own (`policycheck
    init --openapi`: the starter policy's, before it is written).
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
    found, skipped, notes = walk(paths, limits.follow_symlinks)
    listing: list[FileRead] = list(skipped)
    # (source, named explicitly, a waiver file, one of the designated exports)
    inputs: list[tuple[str | tuple[str, bytes], bool, bool, bool]] = [
        (p, explicit, False, False) for p, explicit in found if os.path.realpath(p) not in configured
    ]
    inputs += [(p, True, True, False) for p in waiver_files]
    for item in only or ():
        inputs += (
            [(item, True, False, True)]
            if isinstance(item, tuple)
            else [(p, True, False, True) for p, _ in discover([item], limits.follow_symlinks)]
        )
    for source, explicit, is_waiver_file, designated in inputs:
        try:
            read = _load_document(source, explicit, limits, input_format if explicit else None)
            notes.extend(read.notes)
            if read.doc is None or read.kind is None:
                listing.append(read.listed)
                continue
            doc, kind = read.doc, read.kind
            if only is not None and kind in (*VENDOR_FORMATS, "export") and not designated:
                listing.append(FileRead(doc.path, None, "an export, and diff reads exports only from BEFORE and AFTER"))
                continue  # diff: exports come only from BEFORE or AFTER
            if designated and kind not in (*VENDOR_FORMATS, "export"):
                # a policy beside the exports of BEFORE or AFTER (or at the base revision): the policies are
                # read once, from --policies, so that both exports are checked against the same ones
                listing.append(FileRead(doc.path, None, "not an export, and diff reads only exports from there"))
                continue
            listing.append(read.listed)
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
            imported = read_vendor(vendor, identity or Identity())
        except InputError as e:
            raise InputErrors([e]) from None
        parts.extend(imported)
        notes.extend(note for part in imported for note in part.notes)
    model = assemble(policies, parts, documents, defaults)
    for doc in documents:  # the largest thing left after parsing; read again to locate findings
        doc.set_aside()
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
    model = replace(model, waivers=tuple(waivers), profiles=named, duplicates=tuple(duplicates), secrets=secrets)
    return Loaded(model, tuple(sorted(listing, key=lambda f: f.path)), _in_order(notes), tuple(documents))


class Validated(NamedTuple):
    """What `policycheck validate` found: files validated, schema problems, files it cannot read, the listing."""

    validated: int
    errors: list[InputError]
    unreadable: list[InputError]
    files: tuple[FileRead, ...] = ()
    notes: tuple[Note, ...] = ()


def validate_files(paths: Sequence[str], limits: Limits | None = None) -> Validated:
    """Schema validation of each policycheck file on its own (vendor exports: the fields policycheck reads).

    A named file that is none of these, and a file found in a directory that looks like
    ours but is not one (no apiVersion, a misspelt one), cannot be validated: `unreadable`.
    """
    limits = limits or Limits()
    errors: list[InputError] = []
    unreadable: list[InputError] = []
    found, skipped, notes = walk(paths, limits.follow_symlinks)
    listing = list(skipped)
    validated = 0
    for path, _ in found:
        try:  # named or found, as the pre-commit hook names every changed YAML file: another tool's is skipped
            read = _load_document(path, False, limits)
        except InputError as e:  # not parsed, or ours but no kind of ours: validation cannot say it is valid
            unreadable.append(e)
            continue
        try:
            notes.extend(read.notes)  # a file that looks like an export but is none: a note, as in check
            listing.append(read.listed)
            if read.doc is None or read.kind is None:
                continue
            validated += 1
            if read.kind in VENDOR_FORMATS:
                check_shape(read.doc, read.kind)
            else:
                validate(read.doc, read.kind)
        except Unrecognised as e:
            unreadable.append(e)
        except InputErrors as e:
            errors.extend(e.errors)
        except InputError as e:
            errors.append(e)
    return Validated(validated, errors, unreadable, tuple(sorted(listing, key=lambda f: f.path)), _in_order(notes))


def _in_order(notes: Iterable[Note]) -> tuple[Note, ...]:
    return tuple(sorted(notes, key=lambda n: (n.path, n.line or 0, n.column or 0, n.message)))


class Unrecognised(InputError):
    """A file that is none of the kinds policycheck reads, though it was named or looks like one."""


class _Read(NamedTuple):
    doc: Document | None
    kind: str | None
    listed: FileRead
    notes: tuple[Note, ...] = ()


def _load_document(source: str | tuple[str, bytes], explicit: bool, limits: Limits, forced: str | None = None) -> _Read:
    """The document and its kind, or None and why it was skipped (another tool's file in a searched directory).

    `source` is a path, or (label, bytes) for content read elsewhere (a git revision).
    """
    if isinstance(source, tuple):
        path = shown = source[0]
        raw = source[1]
        stamp = None
        if len(raw) > limits.max_file_bytes:
            raise InputError(shown, f"over the limit of {limits.max_file_bytes} bytes")
    else:
        path = source
        shown = display_path(path)
        raw, stamp = read_stamped(shown, limits)
    ionapi = path.endswith(".ionapi")
    if shown.rsplit("/", 1)[-1] == "policy.xml":
        from .importers import apim

        if forced not in (None, "apim"):
            raise InputError(shown, f"not an export of format {forced} (--input-format {forced})", 1, 1)
        if apim_role(shown) is None:  # a policy fragment's
            return _Read(None, None, FileRead(shown, None, "an APIM policy fragment (not read)"))
        try:
            doc = apim.policy_document(shown, raw)
        except InputError as e:
            if explicit or apim_role(shown)[0] != "policy-global":  # type: ignore[index]  # under apis/ or products/
                raise
            why = "a policy.xml that is not valid XML"
            note = Note(shown, f"{why} ({e.message}): skipped", e.line, e.column, "warning")
            return _Read(None, None, FileRead(shown, None, why), (note,))
        if doc.data.get("root") != "policies":
            if explicit or apim_role(shown)[0] != "policy-global":  # type: ignore[index]
                raise Unrecognised(shown, "not an API Management policy (<policies> at the top)", 1, 1)
            return _Read(None, None, FileRead(shown, None, "another tool's policy.xml (no <policies> at the top)"))
        return _Read(doc, "apim", FileRead(shown, READ_AS["apim"], "policy.xml"))
    head = _head(raw)
    ours = looks_ours(head)
    at_vendor_path = named_vendor(shown)
    if not explicit and not (
        ours or ionapi or at_vendor_path or names_our_kind(head) or mentions_vendor(head) or foreign_vendor(head)
    ):
        why = "another tool's file: no policycheck apiVersion or kind, no export marker"
        if _OPENAPI.search(head):
            why = "an OpenAPI document: read only when the configuration names it (openapi:)"
        return _Read(None, None, FileRead(shown, None, why))
    try:
        if wants_credentials(head):  # an Apigee app's credentials hold its product status
            from .importers import apigee

            doc = load(shown, raw, limits, apigee.DROP_KEYS, as_json=ionapi or None)
            if detect(doc.data, shown) != "apigee":
                doc = load(shown, raw, limits, SECRET_KEYS, as_json=ionapi or None)
        else:
            doc = load(shown, raw, limits, SECRET_KEYS, as_json=ionapi or None)
    except InputError as e:
        if explicit or ours or ionapi or strongly_vendor(head):
            raise
        why = f"looks like an export or a policy but is not valid {'JSON' if path.endswith('.json') else 'YAML'}"
        note = Note(shown, f"{why} ({e.message}): skipped", e.line, e.column, "warning")
        return _Read(None, None, FileRead(shown, None, why), (note,))
    if stamp is not None and stamp.st_size == len(raw):  # read from a file, which has not grown meanwhile
        doc.keep_file(shown, stamp)
    data = doc.data
    api = data.get("apiVersion") if isinstance(data, dict) else None
    kind = data.get("kind") if isinstance(data, dict) else None
    native = api == API_VERSION
    if forced not in (None, "native") and not native:  # policy files stay policy files
        if detect(data, shown) != forced:
            raise InputError(shown, f"not an export of format {forced} (--input-format {forced})", 1, 1)
        return _Read(doc, str(forced), FileRead(shown, READ_AS[str(forced)], f"--input-format {forced}"))
    if not native and ((isinstance(api, str) and near_ours(api)) or (kind in KINDS and not isinstance(api, str))):
        key = "apiVersion" if api is not None else "kind"
        got = "no apiVersion" if api is None else "another apiVersion"
        raise Unrecognised(shown, f"expected apiVersion: {API_VERSION} ({got})", *doc.locate([key]))
    if not native and forced is None:
        found = detect(data, shown)
        if found is not None:
            return _Read(doc, found, FileRead(shown, READ_AS[found], _vendor_detail(data, found, shown)))
    if not isinstance(data, dict) and (explicit or ours or strongly_vendor(head)):
        raise InputError(shown, "expected a mapping at the top level", 1, 1)
    if not native:
        if explicit:
            if isinstance(data, dict) and ("openapi" in data or "swagger" in data):
                raise Unrecognised(
                    shown,
                    "an OpenAPI document: name it in the configuration (openapi:) to cross-check it, "
                    "or print a policy from it with policycheck import openapi",
                    1,
                    1,
                )
            if isinstance(api, str) and kind in KINDS:
                raise Unrecognised(
                    shown, f"expected apiVersion: {API_VERSION} (another apiVersion)", *doc.locate(["apiVersion"])
                )
            raise Unrecognised(
                shown,
                "not a policycheck file (apiVersion: policycheck/v1) or an export policycheck reads (Keycloak, "
                "Entra, .ionapi, Kong decK, Auth0 Deploy CLI, Apigee, Azure API Management; force one with "
                "--input-format)",
                1,
                1,
            )
        foreign = _foreign(data)
        if foreign is not None:
            note = Note(shown, f"looks like {foreign}, which policycheck does not read (yet): skipped", 1, 1)
            return _Read(None, None, FileRead(shown, None, f"{foreign}: not read yet"), (note,))
        if kind in KINDS:
            why = f"kind: {kind} of another tool (apiVersion {shown_name(str(api))})"
        elif isinstance(data, dict) and isinstance(data.get("realm"), str):  # recognised, with nothing in it: -v
            why = "a Keycloak file without roles, clients, users or groups (nothing to read)"
            return _Read(None, None, FileRead(shown, None, why))
        elif strongly_vendor(head):  # it has an export's marker, yet no importer recognises it: said, not only in -v
            why = "looks like a vendor export (it has an export's field names) but is none policycheck recognises"
        else:
            return _Read(
                None,
                None,
                FileRead(
                    shown, None, "another tool's file: no policycheck apiVersion, and no export policycheck reads"
                ),
            )
        return _Read(None, None, FileRead(shown, None, why), (Note(shown, f"{why}: skipped", 1, 1),))
    if not isinstance(kind, str) or kind not in KINDS:
        raise InputError(shown, f"expected kind: {' or '.join(KINDS)}", *doc.locate(["kind"]))
    return _Read(doc, KINDS[kind], FileRead(shown, READ_AS[KINDS[kind]]))


def _head(raw: bytes) -> bytes:
    head = raw[:65536]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with a byte-order mark
        head = head.decode("utf-16", "replace").encode("utf-8")
    return head


def _vendor_detail(data: Any, kind: str, shown: str = "") -> str:
    if kind == "keycloak":
        if isinstance(data, dict) and data.get("kind") == "KeycloakRealmImport":
            return "KeycloakRealmImport, spec.realm"
        if isinstance(data, list):
            return f"{len(data)} realms"
        if isinstance(data, dict) and not any(k in data for k in ("roles", "clients", "groups")):
            return f"users of realm {shown_name(str(data.get('realm')))!r}, joined to its realm file in the same folder"
        return ""
    if kind == "auth0" and isinstance(data, dict) and not ("clientGrants" in data or "resourceServers" in data):
        if isinstance(data.get("AUTH0_KEYWORD_REPLACE_MAPPINGS"), dict):
            return "Deploy CLI configuration: keyword values, one environment of the tenant in this folder"
        if "friendly_name" in data:
            return "directory format: the tenant settings of this folder"
        return "directory format: part of the tenant in the folder above"
    if kind == "kong" and isinstance(data, dict) and isinstance(data.get("_workspace"), str):
        return f"workspace {shown_name(data['_workspace'])!r}"
    if kind == "entra" and isinstance(data, dict) and "requiredResourceAccess" in data:
        return "one application object"
    if kind == "apigee":
        from .importers.detection import kind_of

        return str(kind_of(data))
    if kind == "apim":
        role = apim_role(shown)
        return "" if role is None else role[0]
    return ""


_OPENAPI = re.compile(rb"""^\s*["']?(?:openapi|swagger)["']?\s*:""", re.M)


def _foreign(data: Any) -> str | None:
    """An export of a gateway or identity provider that policycheck does not read yet (none known now:
    Kong's and Auth0's files, once only noted, are read; a new vendor's shape goes here first)."""
    return None


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
            credentials={**first.credentials, **app.credentials},
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


def assemble(
    policies: Iterable[PolicyPart],
    exports: Iterable[ExportPart],
    documents: Sequence[Document] = (),
    defaults: PolicyPart | None = None,
) -> Model:
    """Merge the parts of every file; a name defined twice is kept once and reported.

    `defaults` fill the permissions and operations of names no policy defines (not reported).
    """
    duplicates: list[DuplicateKey] = []
    references: list[Reference] = []
    uses: list[ReferenceSource] = []

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
        uses.extend(policy.uses)
    for export in exports:
        references.extend(export.references)
        uses.extend(export.uses)
    for doc in documents:
        for d in doc.duplicates:
            duplicates.append(DuplicateKey(f"key {d.keys[-1]!r}", Origin(doc, d.keys), d.first_line, doc.path))
    operations = merge("operation", (o for part in policies for o in part.operations), "id")
    permissions = merge("permission", (p for part in policies for p in part.permissions), "name")
    if defaults is not None:
        for o in defaults.operations:
            operations.setdefault(o.id, o)
        for p in defaults.permissions:
            permissions.setdefault(p.name, p)
    where: dict[str, Origin] = {}
    for export in exports:
        for env, origin in export.gateway.items():
            where.setdefault(env, origin)
    attached = attach(operations, (r for export in exports for r in export.routes), where)
    gates = dict(attached.gates)
    for key, gate in coverage_gates(operations, (p for export in exports for p in export.products)).items():
        found = gates.get(key)
        gates[key] = gate if found is None else found._replace(covered_by=gate.covered_by, products=gate.products)
    return Model(
        permissions=permissions,
        operations=attached.operations,
        policy_environments=merge("environment", (e for part in policies for e in part.environments), "name"),
        bindings=tuple(b for part in policies for b in part.bindings),
        permission_sets=merge(
            "permission set", (s for part in exports for s in part.permission_sets if s.environment is None), "name"
        ),
        scoped_sets=_scoped(merge, exports),
        environments=merge("environment", _join_definitions(e for part in exports for e in part.environments), "name"),
        applications=merge("application", _join_environments(a for part in exports for a in part.applications), "id"),
        references=References(references, uses),
        duplicates=tuple(duplicates),
        files=tuple(doc.path for doc in documents),
        has_export=bool(exports),
        imports=_counts(exports) + tuple(attached.counts),
        gateway_operations=tuple(o for part in exports for o in part.gateway_operations),
        gates=gates,
        token_shapes=tuple(s for export in exports for s in export.token_shapes),
    )


def _counts(exports: Iterable[ExportPart]) -> tuple[tuple[str, str, str, int], ...]:
    """(vendor, file, section, count), summed per file (a file of several realms), in the order read."""
    total: dict[tuple[str, str, str], int] = {}
    for part in exports:
        for vendor, path, section, n in part.counts:
            total[vendor, path, section] = total.get((vendor, path, section), 0) + n
    return tuple((*key, n) for key, n in total.items())
