"""PC113 not-identified: the gateway does not identify a bound consumer, so it refuses it before any ACL group counts.

What it means (Kong): an authentication plugin in force on the route (key-auth, jwt,
oauth2, basic-auth, hmac-auth, key-auth-enc, mtls-auth with `consumer_by` excluding
username and custom_id) finds no credential of its kind for the consumer
(`keyauth_credentials`, `jwt_secrets`, ...: only whether the consumer has one is read,
never its value), and the plugin has no `anonymous` consumer: Kong answers 401. With
`config.anonymous`, a request without the credential runs as that consumer instead:
its ACL groups count, not the bound consumer's, and this finding says when they do
not let the call through (or when `anonymous` names no consumer of the file).
Grants cannot fix it: the consumer needs the credential.

Failing example: route `gl-journal-entries-list` is behind `key-auth`; consumer
`ledger-sync` has `jwt_secrets` but no `keyauth_credentials`.

Passing example: a `keyauth_credentials` entry on `ledger-sync` (its key from an
environment variable: `${{ env "DECK_LEDGER_SYNC_KEY" }}`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Affected, Finding, Severity
from ..model import Auth
from .bound import some

if TYPE_CHECKING:
    from ..analysis import Analysis
    from .context import RuleContext

ID = "PC113"
NAME = "not-identified"
DEFAULT_SEVERITY = Severity.ERROR


def check(analysis: Analysis, ctx: RuleContext) -> Iterator[Finding]:
    applications = analysis.model.applications
    found: dict[tuple[str, str, Auth, bool], tuple[list[str], list[Affected]]] = {}
    for app_id, env, op, gate in analysis.gated_calls:
        if not gate.auth or gate.closed is not None:
            continue  # a closed route is PC107's
        credentials = applications[app_id].credentials.get(env)
        if credentials is None:
            continue
        refused, runs_as = gate.identify(credentials)
        if refused is not None:
            key = (app_id, env, refused, False)
        elif runs_as is not None and runs_as != app_id and not analysis.passes_as(runs_as, env, op):
            lacking = next(a for a in gate.auth if a.anonymous == runs_as)
            key = (app_id, env, lacking, True)
        else:
            continue
        routes, cells = found.setdefault(key, ([], []))
        if gate.route not in routes:
            routes.append(gate.route)
        cells.append((app_id, env, op))
    for (app_id, env, auth, anonymous), (routes, cells) in found.items():
        calls = some([str(c[2]) for c in cells])
        where = "route" + ("s " if len(routes) > 1 else " ") + some([f"'{r}'" for r in routes])
        credential = auth.credential or "a credential"
        lacks = f"consumer {app_id} has no {credential} in {env}"
        add = f"add a {auth.plugin} credential ({credential}) to consumer {app_id} in {env}"
        if anonymous:
            message = (
                f"{lacks}: the {auth.plugin} plugin of {where} runs its requests as the anonymous consumer "
                f"'{auth.anonymous_name}', whose ACL groups count instead, and it cannot call {calls}"
            )
            fix = add
        elif auth.anonymous_name is not None:
            message = (
                f"{lacks}, and the {auth.plugin} plugin of {where} sets anonymous '{auth.anonymous_name}', which "
                f"no consumer of the file is: Kong cannot run the request as it, so {calls} refused"
            )
            fix = f"{add}, or define consumer '{auth.anonymous_name}'"
        else:
            message = (
                f"{lacks}: the {auth.plugin} plugin of {where} does not identify it, so Kong refuses {calls} "
                "(401) before any ACL group counts"
            )
            fix = f"{add}, or set config.anonymous on the plugin to let unidentified requests through"
        yield ctx.finding(
            applications[app_id].source_in(env), cells=cells, subject=auth.plugin, message=message, fix=fix
        )
