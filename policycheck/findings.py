"""Findings and the result of a run: plain values that reporters render."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Severity(enum.IntEnum):
    """Ordered: a higher value is more severe."""

    NOTE = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.upper()]
        except KeyError:
            choices = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r} (expected one of {choices})") from None


@dataclass(frozen=True, order=True)
class Location:
    """A place in an input file: path relative to the working directory, 1-based line and column."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Finding:
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


@dataclass(frozen=True)
class Checked:
    """What a run looked at, so that a clean result can be told from an empty one."""

    files: int = 0
    applications: int = 0
    environments: int = 0
    operations: int = 0
    bindings: int = 0


@dataclass(frozen=True)
class Result:
    findings: tuple[Finding, ...]
    checked: Checked
    rules: tuple[str, ...] = field(default=())
    """Ids of the rules that ran."""

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), default=None)
