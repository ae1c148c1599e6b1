"""PC907 secret-in-input: a client secret, password or key stands in a checked file.

What it means: policycheck drops such values unread (they never reach the model or
any report), but the file holds them: anyone who can read the repository can read
them. Masked values (`**********`, as Keycloak's partial export writes them) are
not reported. An Infor `.ionapi` file is a credential as a whole: its `cs`, `saak`
and `sask` are a client secret and service-account keys.

Failing example: `client_secret: s3cr3t-value` in an export.

Passing example: the secret masked, or kept in a secret store and left out of the export.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Finding, Severity

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC907"
NAME = "secret-in-input"
DEFAULT_SEVERITY = Severity.WARNING


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    model = analysis.model
    for secret in model.secrets:
        yield ctx.finding(
            secret.source,
            subject=secret.key,
            message=f"'{secret.key}' holds a secret in a file that is checked in (policycheck dropped it unread)",
            fix="remove it from the file (mask it, or keep credentials in a secret store), and rotate it if it "
            "was ever committed",
        )
