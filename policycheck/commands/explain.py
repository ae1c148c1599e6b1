"""The wiring of `policycheck explain`, without click."""

from __future__ import annotations

import time

from ..errors import UsageError
from ..explanation import explain, render_json, render_text
from ..loading.inputs import load_model
from .common import Outcome, identity, load_config


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
    cfg = load_config(config, no_config)
    paths = policies or cfg.paths
    if not paths:
        raise UsageError("explain needs the policies and the export: give --policies PATH or set paths")
    model = load_model(paths, identity=identity(cfg))
    token = None
    warnings = ""
    if token_spec:
        from .token import TokenOptions, read_tokens

        options = TokenOptions(
            tokens=(token_spec,), environment=env, application=app, jwks=jwks, key=key, no_verify=not (jwks or key)
        )
        notes: list[str] = []
        (token,) = read_tokens(options, model, notes)
        warnings = "".join(f"warning: {n}\n" for n in notes)
    e = explain(model, app, operation, env, token, time.time())
    return Outcome(0 if e.allowed else 1, render_json(e) if fmt == "json" else render_text(e), warnings)
