"""PC901 unknown-reference: a name is used that nothing defines.

What it means: a binding, requirement, grant, set or environment refers to an
operation, permission, permission set, environment or application that is not
defined in the policies or the export. Usually a typo or a rename that was not
carried through; the finding suggests the closest defined name.

Failing example: a binding lists operation `gl.journal-entry.create` and the
policy defines `gl.journal-entries.create`.

Passing example: every name used is defined. Permissions are checked only when
the policy has a permission catalogue, applications only when an export is loaded.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from ..findings import Finding, Severity
from ..model import Model

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC901"
NAME = "unknown-reference"
DEFAULT_SEVERITY = Severity.ERROR


def _known(model: Model) -> dict[str, Mapping[str, object] | set[str] | None]:
    environments = set(model.policy_environments) | set(model.environments)
    return {
        "operation": model.operations,
        "permission": model.permissions or None,
        "permission set": {n for n in model.permission_sets} | {n for s in model.scoped_sets.values() for n in s},
        "environment": environments or None,
        "application": model.applications if model.has_export else None,
    }


UNDEFINED = ("role", "group")
"""Kinds an importer reports only when nothing defines them (a Keycloak role or group path)."""


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    model = analysis.model
    known = _known(model)
    references = model.references
    for kind in UNDEFINED:
        for ref in references.of(kind):
            yield ctx.finding(
                ref.source,
                subject=ref.name,
                message=f"{ref.where} refers to unknown {ref.kind} '{ref.name}', which the export does not define",
                fix=f"define {ref.kind} '{ref.name}' in the realm, or remove the reference",
            )
    for kind, names in known.items():
        if names is None:
            continue
        unknown = {n for n in references.names(kind) if n not in names}
        if not unknown:
            continue  # the common case: nothing is listed
        import difflib

        candidates = list(names)
        for ref in references.of(kind, unknown):
            if (ref.kind, ref.where) == ("application", "binding"):
                continue  # a bound application missing from the export is PC404
            close = difflib.get_close_matches(ref.name, candidates, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            yield ctx.finding(
                ref.source,
                subject=ref.name,
                message=f"{ref.where} refers to unknown {ref.kind} '{ref.name}'{hint}",
                fix=f"define {ref.kind} '{ref.name}' or correct the name{hint}",
            )
