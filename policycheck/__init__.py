"""policycheck: check API gateway permission configuration against YAML policies.

The public API::

    from policycheck import check, Options
    result, fail_on = check(Options(paths=("policies/examples/cloudsuite",)))
    for finding in result.findings: ...
"""

from __future__ import annotations

from ._version import __version__
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
