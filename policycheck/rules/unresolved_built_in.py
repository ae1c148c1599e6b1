"""PC906 unresolved-built-in: an export refers to a built-in role that it does not define.

What it means: Keycloak creates some roles itself (`offline_access`,
`uma_authorization`, `default-roles-<realm>`, the `account` and
`realm-management` client roles) and exports often reference them without
defining them. policycheck treats each as a plain permission of that name, with no
composites: if the realm gave it composites, they are not seen. A note, so that a
reviewer knows what was assumed.

Failing example: `default-roles-erp` lists `account/view-profile`, and the export
has no `account` client roles.

Passing example: a full export (`kc.sh export`) that defines the built-in roles.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Finding, Severity

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC906"
NAME = "unresolved-built-in"
DEFAULT_SEVERITY = Severity.NOTE


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    model = analysis.model
    seen: set[tuple[str, str]] = set()
    for ref in model.references.of("built-in role"):
        where = ref.source.location()
        if (where.path, ref.name) in seen:
            continue
        seen.add((where.path, ref.name))
        yield ctx.finding(
            ref.source,
            subject=ref.name,
            message=f"{ref.where} refers to the built-in role '{ref.name}', which the export does not define; "
            "it is read as a plain permission without composites",
            fix="export the realm with its built-in roles (kc.sh export) if their composites matter",
        )
