"""The model: what the policies require and what the gateway export has.

Frozen values that remember where they came from (`source`). Loading builds them;
everything after loading only reads them.

No `from __future__ import annotations` here: a NamedTuple's string annotations are
compiled one by one when its class is made (about 1 ms for this module at every start),
so annotations are evaluated, and a name used before its definition is quoted.
"""

import enum
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence, Set
from datetime import date
from typing import NamedTuple, Protocol

from .findings import Location
from .records import NEW as _NEW
from .records import Record

ALL_ENVIRONMENTS = "*"

_set = object.__setattr__


class Locator(Protocol):
    @property
    def path(self) -> str: ...

    def locate(self, keys: Sequence[str | int]) -> tuple[int, int]: ...


class Origin:
    """Where a model value was written: resolved to a line only when a finding needs it.

    Compared by identity: two origins are the same only if they are one object.
    """

    __slots__ = ("document", "keys")

    def __init__(self, document: Locator, keys: tuple[str | int, ...]):
        self.document = document
        self.keys = keys

    def location(self) -> Location:
        line, column = self.document.locate(self.keys)
        return Location(self.document.path, line, column)


class Status(enum.Enum):
    APPROVED = "approved"
    PENDING = "pending"
    REVOKED = "revoked"


# --- requirements ---------------------------------------------------------


class PermissionRef(Record):
    _fields = ("name",)
    name: str

    def __init__(self, name: str) -> None:
        _set(self, "name", name)


class AllOf(Record):
    _fields = ("items",)
    items: tuple["Expression", ...]

    def __init__(self, items: tuple["Expression", ...]) -> None:
        _set(self, "items", items)

    @property
    def flat(self) -> frozenset[str] | None:
        """All the names, when the tree is only all_of (the common case); else None. Computed once."""
        try:
            return self.__dict__["_flat"]  # type: ignore[no-any-return]
        except KeyError:
            names: set[str] = set()
            flat: frozenset[str] | None = None
            if all(_collect(i, names) for i in self.items):
                flat = frozenset(names)
            object.__setattr__(self, "_flat", flat)
            return flat


def _collect(expression: "Expression", into: set[str]) -> bool:
    if isinstance(expression, PermissionRef):
        into.add(expression.name)
        return True
    if isinstance(expression, AllOf):
        return all(_collect(i, into) for i in expression.items)
    return False


class AnyOf(Record):
    _fields = ("items",)
    items: tuple["Expression", ...]

    def __init__(self, items: tuple["Expression", ...]) -> None:
        _set(self, "items", items)


Expression = PermissionRef | AllOf | AnyOf


class Requirement(NamedTuple):
    permissions: Expression | None = None
    scopes: tuple[str, ...] = ()
    claims: tuple[str, ...] = ()


class Override(NamedTuple):
    """A per-environment change to an operation's requirement."""

    requirement: Requirement
    replace: bool = False


class Operation(Record):
    _fields = ("id", "method", "path", "api", "requirement", "overrides", "source")
    id: str
    method: str
    path: str
    api: str | None
    requirement: Requirement
    overrides: Mapping[str, Override]
    source: Origin

    def __init__(
        self,
        id: str,
        method: str,
        path: str,
        api: str | None,
        requirement: Requirement,
        overrides: Mapping[str, Override],
        source: Origin,
    ) -> None:
        _set(self, "id", id)
        _set(self, "method", method)
        _set(self, "path", path)
        _set(self, "api", api)
        _set(self, "requirement", requirement)
        _set(self, "overrides", overrides)
        _set(self, "source", source)

    def requirement_in(self, environment: str) -> Requirement:
        """The requirement in force in `environment`: the base, tightened or replaced there."""
        cache: dict[str, Requirement] = self.__dict__.setdefault("_in", {})
        found = cache.get(environment)
        if found is None:
            found = cache[environment] = self._requirement_in(environment)
        return found

    def _requirement_in(self, environment: str) -> Requirement:
        override = self.overrides.get(environment)
        if override is None:
            return self.requirement
        if override.replace:
            return override.requirement
        base, extra = self.requirement, override.requirement
        if base.permissions is None or extra.permissions is None:
            permissions = base.permissions or extra.permissions
        else:
            permissions = AllOf((base.permissions, extra.permissions))
        return Requirement(
            permissions,
            tuple(dict.fromkeys(base.scopes + extra.scopes)),
            tuple(dict.fromkeys(base.claims + extra.claims)),
        )


# --- policy ---------------------------------------------------------------


class Permission(NamedTuple):
    name: str
    description: str | None
    claims: tuple[str, ...]
    """Token claim values this permission shows up as (gl:journal:write)."""
    scopes: tuple[str, ...]
    """OAuth scopes that carry it into a token: when given, one must be requested."""
    source: Origin


class Allowance(NamedTuple):
    """A declared, justified difference between parity partners."""

    permission: str
    application: str | None
    reason: str
    owner: str
    expires: date | None
    source: Origin

    def covers(self, application: str, permission: str) -> bool:
        return self.permission == permission and self.application in (None, application)


class PolicyEnvironment(NamedTuple):
    name: str
    inherits: tuple[str, ...]
    """Inheritance that the export is expected to have."""
    parity: tuple[str, ...]
    allowances: tuple[Allowance, ...]
    source: Origin


class Binding(NamedTuple):
    application: str
    environments: tuple[str, ...]
    operations: tuple[str, ...]
    source: Origin
    must_not_call: tuple[str, ...] = ()
    """Operations the application must NOT be able to call in these environments (PC106)."""


# --- export ---------------------------------------------------------------


class PermissionSet(Record):
    _fields = ("name", "permissions", "includes", "source", "environment", "label")
    name: str
    permissions: tuple[str, ...]
    includes: tuple[str, ...]
    source: Origin
    environment: str | None
    """The environment whose own definition this is (a realm's composite role); None: shared by all."""
    label: str
    """What the vendor calls it, for messages and fixes: composite role, group, product ..."""

    def __init__(
        self,
        name: str,
        permissions: tuple[str, ...],
        includes: tuple[str, ...],
        source: Origin,
        environment: str | None = None,
        label: str = "permission set",
    ) -> None:
        _set(self, "name", name)
        _set(self, "permissions", permissions)
        _set(self, "includes", includes)
        _set(self, "source", source)
        _set(self, "environment", environment)
        _set(self, "label", label)

    @property
    def title(self) -> str:
        return f"{self.label} '{self.name}'"


class Environment(Record):
    _fields = ("name", "inherits", "permission_sets", "source")
    name: str
    inherits: tuple[str, ...]
    permission_sets: tuple[str, ...]
    """Permission sets mapped to (activated in) this environment."""
    source: Origin

    def __init__(self, name: str, inherits: tuple[str, ...], permission_sets: tuple[str, ...], source: Origin) -> None:
        _set(self, "name", name)
        _set(self, "inherits", inherits)
        _set(self, "permission_sets", permission_sets)
        _set(self, "source", source)


EXPIRED = "credential expired"
"""`Grant.blocked_by` of a grant whose only block is its credential's expiry (PC110, not PC111)."""


class Grant(NamedTuple):
    permission: str | None
    permission_set: str | None
    status: Status
    environments: tuple[str, ...] | None
    """Where the grant applies; None: every environment of the application."""
    source: Origin
    per_environment: bool = False
    """Read from a per-environment export (a realm, a tenant): its environments are where it was found."""
    expires: float | None = None
    """Seconds since the epoch when the credential that carries it expires (an Apigee key); None: never."""
    blocked_by: str | None = None
    """Why the gateway does not honour a revoked grant, in the vendor's words ("subscription state 'suspended'")."""
    label: str = "permission set"
    """What the vendor calls the granted set, for messages: app role, delegated permission ..."""

    @property
    def target(self) -> str:
        """What is granted, for messages: 'X', or permission set 'Y' (app role 'Y', ...)."""
        if self.permission is not None:
            return f"'{self.permission}'"
        return f"{self.label} '{self.permission_set}'"

    def applies_in(self, environment: str) -> bool:
        return self.environments is None or environment in self.environments


class Application(Record):
    _fields = ("id", "name", "clients", "scopes", "grants", "source", "delivery", "sources", "credentials")
    id: str
    name: str | None
    clients: Mapping[str, str]
    """Client id per environment: the application is assigned to exactly these."""
    scopes: Mapping[str, tuple[str, ...]]
    """Requested scopes per environment ('*' for all)."""
    grants: tuple[Grant, ...]
    source: Origin
    delivery: Mapping[str, tuple[str, ...]]
    """Per environment ('*' for all): the only permissions the gateway lets into this client's tokens."""
    sources: Mapping[str, Origin]
    """Where the application is defined for each environment, when per-environment files define it."""
    credentials: Mapping[str, frozenset[str]]
    """Per environment: the kinds of credential the gateway holds for it (Kong: `keyauth_credentials`, ...),
    present or not, their values never read; absent: not known (not a Kong consumer)."""

    def __init__(
        self,
        id: str,
        name: str | None,
        clients: Mapping[str, str],
        scopes: Mapping[str, tuple[str, ...]],
        grants: tuple[Grant, ...],
        source: Origin,
        delivery: Mapping[str, tuple[str, ...]] = _NEW,
        sources: Mapping[str, Origin] = _NEW,
        credentials: Mapping[str, frozenset[str]] = _NEW,
    ) -> None:
        _set(self, "id", id)
        _set(self, "name", name)
        _set(self, "clients", clients)
        _set(self, "scopes", scopes)
        _set(self, "grants", grants)
        _set(self, "source", source)
        _set(self, "delivery", {} if delivery is _NEW else delivery)
        _set(self, "sources", {} if sources is _NEW else sources)
        _set(self, "credentials", {} if credentials is _NEW else credentials)

    def source_in(self, environment: str | None) -> Origin:
        """The definition a finding about `environment` points at: that environment's own file."""
        if environment is None:
            return self.source
        return self.sources.get(environment, self.source)

    def assigned_to(self, environment: str) -> bool:
        return environment in self.clients

    def requested_scopes(self, environment: str) -> tuple[str, ...] | None:
        """The scope request in `environment`; None when the export does not say."""
        return self.scopes.get(environment, self.scopes.get(ALL_ENVIRONMENTS))

    def allowed(self, environment: str) -> tuple[str, ...] | None:
        return self.delivery.get(environment, self.delivery.get(ALL_ENVIRONMENTS))


# --- tokens ---------------------------------------------------------------


class ProfileEnvironment(NamedTuple):
    name: str
    issuer: str | None
    audience: str | None


class TokenProfile(NamedTuple):
    """Where a vendor's tokens carry permissions, name the client, and say which environment."""

    name: str
    permission_claims: tuple[str, ...]
    """Claim paths: scope, scp, roles, realm_access.roles, resource_access.*.roles, ..."""
    client_claims: tuple[str, ...]
    require_typ: bool
    """RFC 9068: the header typ must be at+jwt."""
    environments: tuple[ProfileEnvironment, ...] = ()
    source: Origin | None = None


class Token(NamedTuple):
    """An access token under review, with what policycheck could establish about it."""

    label: str
    kind: str
    header: Mapping[str, object]
    claims: Mapping[str, object]
    verified: bool
    problem: str | None
    """Why verification failed (then its claims are not trusted), or None."""
    duplicates: tuple[str, ...]
    fingerprint: str
    profile: TokenProfile
    values: frozenset[str]
    """Permission values the token carries (scopes, roles, permissions), read by the profile."""
    application: str | None
    environment: str | None
    source: Origin
    response_scope: str | None = None
    leeway: int = 60
    """The clock leeway in seconds that its exp, nbf and iat are judged with (`policycheck token --leeway`)."""


# --- OpenAPI documents -----------------------------------------------------


class SchemeUse(NamedTuple):
    """One security scheme inside a requirement object, with the scopes it asks for."""

    scheme: str
    scopes: tuple[str, ...]
    any_scope: bool = False
    """The vendor dialect accepts a token with any one of the scopes (AWS API Gateway); OAS: all of them."""


class SpecOperation(NamedTuple):
    """An operation of an OpenAPI document and what its `security` requires."""

    id: str
    """operationId (made safe for a policy id), or derived from the method and path."""
    method: str
    path: str
    operation_id: str | None
    security: tuple[tuple[SchemeUse, ...], ...]
    """OR of requirement objects, each an AND of schemes; () is public (security: [] or none declared)."""
    public: bool
    """The document says so (security: [], or {} among the alternatives); () and not public: no security declared."""
    inherited: bool
    """True when the requirement is the document's global `security`."""
    source: Origin

    def scope_sets(self) -> frozenset[frozenset[str]]:
        """The requirement over scopes as alternatives (OR) of scope sets (AND), minimal; {{}}: no scope needed."""
        alternatives: set[frozenset[str]] = set()
        for requirement in self.security or ((),):
            options: list[frozenset[str]] = [frozenset()]
            for use in requirement:
                if not use.scopes:
                    continue
                choices = [frozenset([s]) for s in use.scopes] if use.any_scope else [frozenset(use.scopes)]
                options = [o | c for o in options for c in choices]
            alternatives.update(options)
        return minimal(alternatives)


def minimal(alternatives: set[frozenset[str]]) -> frozenset[frozenset[str]]:
    """Drop every alternative that needs more than another one (absorption)."""
    return frozenset(a for a in alternatives if not any(b < a for b in alternatives))


class SpecScheme(NamedTuple):
    name: str
    type: str
    scopes: Mapping[str, str]
    """Declared scopes and their descriptions (OAuth2 flows; empty for the others)."""
    vendor: str | None
    """'aws' for an x-amazon-apigateway-authorizer or -authtype scheme."""
    source: Origin


class Spec(NamedTuple):
    """An OpenAPI 3.0/3.1 or Swagger 2.0 document: its operations and security schemes."""

    path: str
    version: str
    title: str | None
    dialect: str
    """'oas', or 'aws-apigateway' (an API Gateway export: any-of route scopes, API keys enforced too)."""
    schemes: Mapping[str, SpecScheme]
    operations: tuple[SpecOperation, ...]
    api: str | None
    """The policy `api` whose operations this document covers (configuration); None: every operation."""
    source: Origin
    notes: tuple[str, ...] = ()


# --- waivers --------------------------------------------------------------


class Waiver(NamedTuple):
    """A central, justified exception: findings it matches are listed as waived."""

    rule: str
    application: str
    environment: str
    operation: str
    reason: str
    owner: str
    expires: date | None
    source: Origin


# --- the whole ------------------------------------------------------------


class TokenCheck(NamedTuple):
    """One token validation a gateway runs on a call (APIM `validate-jwt`): the claim and the values it demands."""

    claim: str
    match: str
    """all: every value; any: one of them."""
    values: tuple[str, ...]
    source: Origin


class GatewayOperation(NamedTuple):
    """An operation as a gateway serves it in one environment, with the token checks in force on it."""

    vendor: str
    api: str
    api_path: str
    """The API's base path (APIM `path`, without slashes): a policy may write it before the template."""
    method: str
    path: str
    """The operation's template, as the API's specification writes it."""
    operation_id: str | None
    environment: str
    routes: tuple[tuple[str | None, tuple[TokenCheck, ...], Origin | None], ...]
    """Per product the call can come through (None: the API alone, by an API-scoped subscription): the
    checks in force, and the `<inbound>` of the policy file whose missing `<base/>` cut off checks above it."""
    source: Origin


class Reference(NamedTuple):
    """A name used somewhere, to be checked against what is defined."""

    kind: str  # operation | permission | permission set | environment | application
    name: str
    source: Origin
    where: str  # what refers, for the message: "binding", "grant", ...


class ReferenceSource(Protocol):
    """References produced on demand (a file's bindings or grants: hundreds of thousands at scale)."""

    def names(self, kind: str) -> Set[str]:
        """Every name of `kind` used, cheaply, without building a Reference for each use."""
        ...

    def references(self) -> Iterator[Reference]: ...


class References:
    """Every name used somewhere, to be checked against what is defined.

    Most uses are in per-application lists; they are listed (with where they stand)
    only for the names a rule asks about: in a clean run, none.
    """

    __slots__ = ("_listed", "_sources")

    def __init__(self, listed: Iterable[Reference] = (), sources: Iterable[ReferenceSource] = ()):
        self._listed = tuple(listed)
        self._sources = tuple(sources)

    def __iter__(self) -> Iterator[Reference]:
        yield from self._listed
        for source in self._sources:
            yield from source.references()

    def __bool__(self) -> bool:
        return next(iter(self), None) is not None

    def names(self, kind: str) -> set[str]:
        found = {r.name for r in self._listed if r.kind == kind}
        for source in self._sources:
            found.update(source.names(kind))
        return found

    def of(self, kind: str, names: Collection[str] | None = None) -> Iterator[Reference]:
        """The uses of `kind` (only of `names`, when given), each with where it stands."""
        for r in self._listed:
            if r.kind == kind and (names is None or r.name in names):
                yield r
        for source in self._sources:
            used = source.names(kind)
            if not used or (names is not None and used.isdisjoint(names)):
                continue
            for r in source.references():
                if r.kind == kind and (names is None or r.name in names):
                    yield r


class DuplicateKey(NamedTuple):
    """A key written twice in one mapping, or a name defined twice across files."""

    key: str
    source: Origin
    first_line: int
    first_path: str


class At(NamedTuple):
    """A locator for a position known at load time (a dropped secret's key)."""

    path: str
    line: int
    column: int

    def locate(self, keys: Sequence[str | int]) -> tuple[int, int]:
        return self.line, self.column


class SecretSeen(NamedTuple):
    """A secret that stood in an input: its value was dropped unread; where it stood is reported."""

    key: str
    source: Origin


# --- what a gateway does before permissions count -------------------------


class Covering(Protocol):
    """An API product as a gate names it (Apigee): what it covers, and what would make it cover an operation."""

    @property
    def name(self) -> str: ...

    @property
    def source(self) -> Origin: ...

    def describe(self) -> str: ...

    def fix(self, operation: Operation, environment: str) -> str: ...


class Auth(NamedTuple):
    """An authentication plugin in force on a route (Kong), and who it identifies."""

    plugin: str
    credential: str | None
    """The consumer credential it needs (decK's key: `keyauth_credentials`); None: not a consumer credential
    (openid-connect, ldap-auth: the identity provider or directory decides), not checked."""
    anonymous: str | None
    """The application a request without that credential runs as (`config.anonymous`), or None: refused."""
    anonymous_name: str | None
    """`config.anonymous` as written, for messages (set even when no consumer of the file is it)."""
    source: Origin


class Gate(NamedTuple):
    """What a gateway route does to a bound operation in one environment before any permission counts.

    Read from the gateway's own configuration (Kong: `request-termination`, an `acl` plugin's
    `deny` list, an `acl` plugin without any authentication plugin, the authentication plugins
    and the consumers' credentials; Apigee: the API products that cover the operation).
    """

    route: str
    """The route as the vendor names it (verbatim)."""
    environment: str
    source: Origin
    closed: str | None = None
    """Why the route answers every request itself (nobody reaches the API), or None."""
    closed_at: Origin | None = None
    deny: tuple[str, ...] = ()
    """Permissions (ACL groups) whose holders are refused, whatever else they hold: deny wins."""
    deny_at: Origin | None = None
    uncounted: tuple[tuple[str, str], ...] = ()
    """(held, allowed): a permission this route's check does not count although it stands for an
    allowed one (Kong: membership of a consumer group, without `include_consumer_groups: true`)."""
    check_at: Origin | None = None
    """The permission check (Kong: the `acl` plugin in force), for findings about it."""
    auth: tuple[Auth, ...] = ()
    """The authentication plugins in force (Kong): who is identified at all (see `identify`)."""
    covered_by: frozenset[str] | None = None
    """Apigee: the API products of the environment that cover the operation (resource path, method, scopes);
    a caller holding none of them is refused. None: no such check."""
    products: tuple[Covering, ...] = ()
    """Apigee: every API product of the environment (shared by its gates), for what the findings say."""

    def identify(self, credentials: frozenset[str] | None) -> tuple[Auth | None, str | None]:
        """(the plugin that refuses, None) or (None, the application the request runs as instead), for a
        consumer holding `credentials` (credential kinds); (None, None): identified as itself, or not known.

        Kong runs the plugins in turn: without `anonymous` each must find its credential; when the
        plugins missing one all set `anonymous`, one credential found is enough, and none runs the
        request as the anonymous consumer.
        """
        if credentials is None or not self.auth:
            return None, None
        checked = [a for a in self.auth if a.credential is not None]
        lacking = [a for a in checked if a.credential not in credentials]
        if not lacking:
            return None, None
        strict = [a for a in lacking if a.anonymous_name is None]
        if strict:
            return strict[0], None
        if len(lacking) < len(checked) or len(checked) < len(self.auth):
            return None, None  # a credential for another plugin (or an unchecked plugin) identifies it
        first = lacking[0]
        if first.anonymous is None:  # `anonymous` names no consumer of the file: Kong cannot run as it
            return first, None
        return None, first.anonymous

    def refuses(self, held: frozenset[str]) -> str | None:
        """Why the gateway refuses a caller holding `held`, whatever the requirement; None: it does not."""
        if self.closed is not None:
            return self.closed
        if self.covered_by is not None and self.covered_by.isdisjoint(held):
            return f"no API product held covers the operation in {self.environment} (Apigee answers 401)"
        denied = [g for g in self.deny if g in held]
        if denied:
            return (
                f"the acl plugin of route '{self.route}' denies group '{denied[0]}' in {self.environment} (deny wins)"
            )
        return None


class TokenShape(NamedTuple):
    """Whether one API's tokens in one environment carry the permissions claim (Auth0's RBAC settings)."""

    api: str
    environment: str
    permissions: frozenset[str]
    """The API's permissions (its scopes)."""
    claim: bool
    """True: the token has a `permissions` claim; False: only `scope`."""
    why: str
    """The settings that decide it, for messages (`enforce_policies: false`)."""
    source: Origin


_NO_REFERENCES = References()


class Model(Record):
    """Every model value of one run; compared by identity (it is one run's), as before."""

    _fields = (
        "permissions",
        "operations",
        "policy_environments",
        "bindings",
        "permission_sets",
        "scoped_sets",
        "environments",
        "applications",
        "references",
        "duplicates",
        "waivers",
        "profiles",
        "tokens",
        "secrets",
        "files",
        "has_export",
        "imports",
        "specs",
        "gateway_operations",
        "gates",
        "token_shapes",
    )
    permissions: Mapping[str, Permission]
    operations: Mapping[str, Operation]
    policy_environments: Mapping[str, PolicyEnvironment]
    bindings: tuple[Binding, ...]
    permission_sets: Mapping[str, PermissionSet]
    """Shared definitions, used in every environment that has no definition of its own."""
    scoped_sets: Mapping[str, Mapping[str, PermissionSet]]
    """Environment -> set name -> that environment's own definition (each realm, tenant, organisation)."""
    environments: Mapping[str, Environment]
    applications: Mapping[str, Application]
    references: References
    duplicates: tuple[DuplicateKey, ...]
    waivers: tuple[Waiver, ...]
    profiles: Mapping[str, TokenProfile]
    tokens: tuple[Token, ...]
    secrets: tuple[SecretSeen, ...]
    files: tuple[str, ...]
    has_export: bool
    imports: tuple[tuple[str, str, str, int], ...]
    """(vendor, file, section, count) of each vendor import: realms, clients, service principals, ..."""
    specs: tuple[Spec, ...]
    """The OpenAPI documents the configuration names (openapi:), cross-checked against the policies."""
    gateway_operations: tuple[GatewayOperation, ...]
    """Operations a gateway export serves, with its own token checks (APIM), per environment."""
    gates: Mapping[tuple[str, str], Gate]
    """(operation, environment) -> what the gateway's route does there before permissions count."""
    token_shapes: tuple[TokenShape, ...]
    """Per API and environment, whether its tokens carry a permissions claim (Auth0)."""

    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def __init__(
        self,
        permissions: Mapping[str, Permission] = _NEW,
        operations: Mapping[str, Operation] = _NEW,
        policy_environments: Mapping[str, PolicyEnvironment] = _NEW,
        bindings: tuple[Binding, ...] = (),
        permission_sets: Mapping[str, PermissionSet] = _NEW,
        scoped_sets: Mapping[str, Mapping[str, PermissionSet]] = _NEW,
        environments: Mapping[str, Environment] = _NEW,
        applications: Mapping[str, Application] = _NEW,
        references: References = _NO_REFERENCES,
        duplicates: tuple[DuplicateKey, ...] = (),
        waivers: tuple[Waiver, ...] = (),
        profiles: Mapping[str, TokenProfile] = _NEW,
        tokens: tuple[Token, ...] = (),
        secrets: tuple[SecretSeen, ...] = (),
        files: tuple[str, ...] = (),
        has_export: bool = False,
        imports: tuple[tuple[str, str, str, int], ...] = (),
        specs: tuple[Spec, ...] = (),
        gateway_operations: tuple[GatewayOperation, ...] = (),
        gates: Mapping[tuple[str, str], Gate] = _NEW,
        token_shapes: tuple[TokenShape, ...] = (),
    ) -> None:
        _set(self, "permissions", {} if permissions is _NEW else permissions)
        _set(self, "operations", {} if operations is _NEW else operations)
        _set(self, "policy_environments", {} if policy_environments is _NEW else policy_environments)
        _set(self, "bindings", bindings)
        _set(self, "permission_sets", {} if permission_sets is _NEW else permission_sets)
        _set(self, "scoped_sets", {} if scoped_sets is _NEW else scoped_sets)
        _set(self, "environments", {} if environments is _NEW else environments)
        _set(self, "applications", {} if applications is _NEW else applications)
        _set(self, "references", References() if references is _NO_REFERENCES else references)
        _set(self, "duplicates", duplicates)
        _set(self, "waivers", waivers)
        _set(self, "profiles", {} if profiles is _NEW else profiles)
        _set(self, "tokens", tokens)
        _set(self, "secrets", secrets)
        _set(self, "files", files)
        _set(self, "has_export", has_export)
        _set(self, "imports", imports)
        _set(self, "specs", specs)
        _set(self, "gateway_operations", gateway_operations)
        _set(self, "gates", {} if gates is _NEW else gates)
        _set(self, "token_shapes", token_shapes)

    def set_defined(self, name: str) -> bool:
        """Whether any environment, or the shared definitions, define the set."""
        return name in self.permission_sets or any(name in sets for sets in self.scoped_sets.values())

    def definitions(self, name: str) -> dict[str | None, PermissionSet]:
        """Every definition of a set: None for the shared one, else by environment."""
        found: dict[str | None, PermissionSet] = {}
        if name in self.permission_sets:
            found[None] = self.permission_sets[name]
        for env, sets in sorted(self.scoped_sets.items()):
            if name in sets:
                found[env] = sets[name]
        return found
