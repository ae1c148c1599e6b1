"""The wiring of `policycheck explain`, without click."""

from __future__ import annotations

import difflib
import time
from collections.abc import Iterable

from ..errors import UsageError, quoted
from ..escaping import terminal
from ..explanation import explain, render_json, render_text
from ..model import ALL_ENVIRONMENTS
from .common import Outcome, known_environments, read_model, told_first


def check_known(what: str, name: str, names: Iterable[str]) -> None:
    """An unknown name is a usage error with the closest known one, never an answer about nothing."""
    known = sorted(set(names) - {ALL_ENVIRONMENTS})
    if name in known:
        return
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)  # production -> prod: 0.57
    hint = f" (did you mean {close[0]}?)" if close else f" (known: {', '.join(known[:8]) or 'none'})"
    raise UsageError(f"unknown {what} {quoted(name)}{hint}")


def run_explain(
    app: str,
    operation: str,
    env: str,
    token_spec: str | None,
    jwks: str | None,
    key: str | None,
    policies: tuple[str, ...],
    fmt: str,
    config: str | None,
    no_config: bool,
) -> Outcome:
    model, _, notes = read_model("explain", policies, config, no_config)
    with told_first(notes):
        check_known("application", app, model.applications)
        if " " not in operation.strip():  # an id (METHOD /path is matched by explain, which names what it knows)
            check_known("operation", operation, model.operations)
        envs = known_environments(model)
        check_known("environment", env, envs)
        token = None
        warnings = notes
        if token_spec:
            from .token import TokenOptions, read_tokens

            options = TokenOptions(
                tokens=(token_spec,), environment=env, application=app, jwks=jwks, key=key, no_verify=not (jwks or key)
            )
            token_notes: list[str] = []
            (token,) = read_tokens(options, model, token_notes)
            warnings += "".join(f"warning: {terminal(n)}\n" for n in token_notes)
        e = explain(model, app, operation, env, token, time.time())
    return Outcome(0 if e.allowed else 1, render_json(e) if fmt == "json" else render_text(e), warnings)
