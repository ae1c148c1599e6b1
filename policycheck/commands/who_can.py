"""The wiring of `policycheck who-can`, without click."""

from __future__ import annotations

from ..analysis import Analysis
from ..callers import render_json, render_text, who_can
from ..errors import UsageError
from ..loading.inputs import load_model
from .common import Outcome, identity, load_config
from .explain import check_known


def run_who_can(
    operation: str, env: str, policies: tuple[str, ...], fmt: str, config: str | None, no_config: bool
) -> Outcome:
    cfg = load_config(config, no_config)
    paths = policies or cfg.paths
    if not paths:
        raise UsageError("who-can needs the policies and the export: give --policies PATH or set paths")
    model = load_model(paths, waiver_files=cfg.waivers, identity=identity(cfg))
    if not model.has_export:
        raise UsageError(f"who-can needs a gateway export: none found in {', '.join(paths)}")
    if " " not in operation.strip():
        check_known("operation", operation, model.operations)
    envs = {
        *model.environments,
        *model.policy_environments,
        *(e for a in model.applications.values() for e in a.clients),
    }
    check_known("environment", env, envs)
    callers = who_can(Analysis(model), operation, env)
    return Outcome(0, render_json(callers) if fmt == "json" else render_text(callers))
