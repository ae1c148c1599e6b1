"""Findings and the result of a run: plain values that reporters render.

No `from __future__ import annotations` (as in model.py): evaluated annotations make the
NamedTuples cheaper to create at start-up; a name used before its definition is quoted.
"""

import enum
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Generic, NamedTuple, TypeVar, overload

from .records import Record

_set = object.__setattr__

T = TypeVar("T")

ALLOWED, MISSING, PENDING, FILTERED, GAP = "allowed", "missing", "pending", "filtered", "gap"
BLOCKED = "blocked"
"""The gateway refuses the call whatever is granted (a terminated route, an ACL deny list)."""
"""The status of a bound call in the access matrix."""


class Severity(enum.IntEnum):
    """Ordered: a higher value is more severe."""

    NOTE = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.upper()]
        except KeyError:
            choices = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r} (expected one of {choices})") from None


Affected = tuple[str, str, "str | None"]
"""(application, environment, operation or None) that a finding's cause breaks."""


class Location(NamedTuple):
    """A place in an input file: path relative to the working directory, 1-based line and column."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class Finding(NamedTuple):
    rule: str
    name: str
    severity: Severity
    location: Location
    message: str
    fix: str
    application: str | None = None
    environment: str | None = None
    operation: str | None = None
    subject: str | None = None
    """What the finding is about beyond app/env/op (a permission, a set): keeps fingerprints exact."""
    cells: tuple[Affected, ...] = ()
    """Every (application, environment, operation) that this one cause breaks, once; () for a finding of one."""

    @property
    def breaks(self) -> int:
        """How many bound calls (or application and environment pairs) the cause breaks."""
        return len(self.cells) or 1

    @property
    def applications(self) -> tuple[str, ...]:
        if not self.cells:
            return (self.application,) if self.application else ()
        return tuple(dict.fromkeys(c[0] for c in self.cells))

    def fingerprint(self) -> str:
        """Identity across runs: the same problem keeps it when lines move; another never shares it."""
        parts = (self.rule, self.location.path, self.application, self.environment, self.operation, self.subject)
        text = "\x1f".join("" if p is None else p for p in parts)
        import hashlib

        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]

    def sort_key(self) -> tuple[str, int, int, str, str, str, str, str]:
        return (
            self.location.path,
            self.location.line,
            self.location.column,
            self.rule,
            self.application or "",
            self.environment or "",
            self.operation or "",
            self.message,
        )


class Checked(NamedTuple):
    """What a run looked at, so that a clean result can be told from an empty one."""

    files: int = 0
    applications: int = 0
    environments: int = 0
    operations: int = 0
    bindings: int = 0
    paths: tuple[str, ...] = ()
    bound: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = ()
    """(application, environments, operations) of every binding, as written."""

    def cases(self) -> Iterator[tuple[str, str, str]]:
        """Every bound (application, environment, operation), once."""
        seen: set[tuple[str, str, str]] = set()
        for app, envs, ops in self.bound:
            for env in envs:
                for op in ops:
                    if (app, env, op) not in seen:
                        seen.add((app, env, op))
                        yield app, env, op


class Cell(NamedTuple):
    """One bound call in the access matrix."""

    application: str
    environment: str
    operation: str
    status: str
    missing: tuple[str, ...]
    """The permissions that are not effective (or not deliverable, when filtered)."""


class Holding(NamedTuple):
    """The effective permissions of a bound application in an environment (parity side by side)."""

    application: str
    environment: str
    permissions: tuple[str, ...]
    parity: tuple[str, ...]
    """The environment's parity partners."""


class Change(NamedTuple):
    """One application in one environment, before and after (policycheck diff)."""

    application: str
    environment: str
    lost: tuple[str, ...]
    """Bound operations allowed before and not after."""
    gained: tuple[str, ...]
    removed: tuple[tuple[str, str], ...]
    """(permission, the chain that changed) for every effective permission that is gone."""
    added: tuple[str, ...]


class Deferred(Sequence[T], Generic[T]):
    """A sequence made on first use: the matrix of 3 million cells costs nothing unless a report reads it."""

    def __init__(self, make: Callable[[], Iterable[T]]):
        self._make: Callable[[], Iterable[T]] | None = make
        self._items: tuple[T, ...] = ()

    def _all(self) -> tuple[T, ...]:
        if self._make is not None:
            self._items = tuple(self._make())
            self._make = None
        return self._items

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[T]: ...
    def __getitem__(self, index: int | slice) -> T | Sequence[T]:
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self) -> Iterator[T]:
        return iter(self._all())

    def __eq__(self, other: Any) -> bool:
        return self._all() == (tuple(other) if isinstance(other, Sequence) else other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Deferred({self._all()!r})"


class Waived(NamedTuple):
    """A finding that a waiver covers: counted and listed, not hidden."""

    finding: Finding
    reason: str
    owner: str
    expires: str | None
    waiver: Location


class TokenSummary(NamedTuple):
    """What a report shows of a token: never the signature or the token itself."""

    label: str
    fingerprint: str
    verified: bool
    problem: str | None
    alg: str | None
    kid: str | None
    issuer: str | None
    audience: tuple[str, ...]
    client: str | None
    subject: str | None
    expires: float | None
    values: tuple[str, ...]
    application: str | None
    environment: str | None


class Share(NamedTuple):
    covered: int
    total: int

    @property
    def percent(self) -> float | None:
        """None when there is nothing to cover (0 of 0 is no coverage figure)."""
        return None if self.total == 0 else round(100 * self.covered / self.total, 1)


class Coverage(NamedTuple):
    """How much of the API the policies check."""

    spec_operations: Share | None
    """Operations of the configured OpenAPI documents that a policy operation matches; None: no document."""
    policy_operations: Share
    """Policy operations bound to some application."""
    bound_calls: Share
    """Bound (application, environment, operation) cells that are allowed."""


class Provenance(NamedTuple):
    """Where a report came from, so that it can serve as an audit record (the command layer records it)."""

    day: str
    """The day the run evaluated expiry dates as of (ISO 8601)."""
    commit: str | None
    """The git commit checked out in the working directory; None when the inputs are not in its repository."""
    modified: tuple[str, ...]
    """Inputs that differ from that commit (uncommitted changes)."""
    inputs: tuple[tuple[str, str], ...]
    """(path, SHA-256) of every file read."""


class Result(Record):
    _fields = (
        "findings",
        "checked",
        "rules",
        "waived",
        "baselined",
        "fixed",
        "tokens",
        "matrix",
        "changes",
        "holdings",
        "imports",
        "coverage",
        "provenance",
    )
    findings: tuple[Finding, ...]
    checked: Checked
    rules: tuple[str, ...]
    """Ids of the rules that ran."""
    waived: tuple[Waived, ...] = ()
    baselined: int = 0
    """Findings left out because the baseline records them."""
    fixed: int = 0
    """Baseline entries that no finding matches any more."""
    tokens: tuple[TokenSummary, ...] = ()
    matrix: Sequence[Cell] = ()
    """Every bound (application, environment, operation) and its status, for review reports."""
    changes: tuple[Change, ...] | None = None
    """What a new export changes (policycheck diff); None for a plain check."""
    holdings: Sequence[Holding] = ()
    """Effective permissions per bound application and environment, for review reports."""
    imports: tuple[tuple[str, str, str, int], ...] = ()
    """(vendor, file, section, count) for every section the importers read: an incomplete export shows."""
    coverage: Coverage | None = None
    provenance: Provenance | None = None
    """The day, commit and inputs of the run, for reports that are an audit record (html)."""

    def __init__(
        self,
        findings: tuple[Finding, ...],
        checked: Checked,
        rules: tuple[str, ...] = (),
        waived: tuple[Waived, ...] = (),
        baselined: int = 0,
        fixed: int = 0,
        tokens: tuple[TokenSummary, ...] = (),
        matrix: Sequence[Cell] = (),
        changes: tuple[Change, ...] | None = None,
        holdings: Sequence[Holding] = (),
        imports: tuple[tuple[str, str, str, int], ...] = (),
        coverage: Coverage | None = None,
        provenance: Provenance | None = None,
    ) -> None:
        _set(self, "findings", findings)
        _set(self, "checked", checked)
        _set(self, "rules", rules)
        _set(self, "waived", waived)
        _set(self, "baselined", baselined)
        _set(self, "fixed", fixed)
        _set(self, "tokens", tokens)
        _set(self, "matrix", matrix)
        _set(self, "changes", changes)
        _set(self, "holdings", holdings)
        _set(self, "imports", imports)
        _set(self, "coverage", coverage)
        _set(self, "provenance", provenance)

    @property
    def verified(self) -> bool:
        """False when any token was read without checking its signature (--no-verify, claims JSON)."""
        return all(t.verified or t.problem for t in self.tokens)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), default=None)
