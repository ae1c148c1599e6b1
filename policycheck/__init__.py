"""policycheck: check API gateway permission configuration against YAML policies.

The public API::

    from policycheck import check, Options
    result, fail_on = check(Options(paths=("policies/examples/cloudsuite",)))
    for finding in result.findings: ...

The names are imported on first use (PEP 562): `import policycheck.cli` for a command
that needs none of them does not load the engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .commands.check import Options, check
    from .errors import InputError, PolicycheckError
    from .findings import Finding, Location, Result, Severity

__all__ = [
    "Finding",
    "InputError",
    "Location",
    "Options",
    "PolicycheckError",
    "Result",
    "Severity",
    "__version__",
    "check",
]

_FROM = {
    "Options": "commands.check",
    "check": "commands.check",
    "InputError": "errors",
    "PolicycheckError": "errors",
    "Finding": "findings",
    "Location": "findings",
    "Result": "findings",
    "Severity": "findings",
}


def __getattr__(name: str) -> Any:
    module = _FROM.get(name)
    if module is None:
        raise AttributeError(f"module 'policycheck' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
