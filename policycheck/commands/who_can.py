"""The wiring of `policycheck who-can`, without click."""

from __future__ import annotations

from ..analysis import Analysis
from ..callers import render_json, render_text, who_can
from ..errors import UsageError
from .common import Outcome, known_environments, read_model, told_first
from .explain import check_known


def run_who_can(
    operation: str, env: str, policies: tuple[str, ...], fmt: str, config: str | None, no_config: bool
) -> Outcome:
    model, paths, notes = read_model("who-can", policies, config, no_config)
    with told_first(notes):
        if not model.has_export:
            raise UsageError(f"who-can needs a gateway export: none found in {', '.join(paths)}")
        if " " not in operation.strip():
            check_known("operation", operation, model.operations)
        check_known("environment", env, known_environments(model))
        callers = who_can(Analysis(model), operation, env)
    return Outcome(0, render_json(callers) if fmt == "json" else render_text(callers), notes)
