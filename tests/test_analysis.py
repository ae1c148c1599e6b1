"""The analysis layer against the reference resolution: bitmask resolution equals `Resolver` on random
models, with per-environment set definitions; grouping by cause is lossless."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import models, origin

from policycheck.analysis import Analysis
from policycheck.engine import Selection, run
from policycheck.model import AllOf, Binding, Model, Operation, PermissionRef, PermissionSet, Requirement
from policycheck.records import replace

PROPERTY = settings(deadline=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def scoped_models(draw: st.DrawFn) -> Model:
    """A model where some environments define some sets their own way (as each Keycloak realm does)."""
    model = draw(models())
    scoped: dict[str, dict[str, PermissionSet]] = {}
    for env in model.environments:
        for name, s in model.permission_sets.items():
            if draw(st.booleans()):
                perms = draw(st.lists(st.sampled_from(["p0", "p1", "p2", "p3"]), max_size=2, unique=True))
                includes = draw(st.lists(st.sampled_from(sorted(model.permission_sets)), max_size=2, unique=True))
                scoped.setdefault(env, {})[name] = PermissionSet(name, tuple(perms), tuple(includes), s.source, env)
    return replace(model, scoped_sets=scoped)


def bound(model: Model) -> Model:
    """Every application bound in every environment to one operation per permission."""
    perms = sorted({p for s in model.permission_sets.values() for p in s.permissions} | {"p0", "p1"})
    ops = {
        f"op-{p}": Operation(f"op-{p}", "GET", f"/{p}", None, Requirement(AllOf((PermissionRef(p),))), {}, origin())
        for p in perms
    }
    envs = tuple(sorted(model.environments))
    bindings = tuple(Binding(a, envs, tuple(ops), origin()) for a in sorted(model.applications))
    return replace(model, operations=ops, bindings=bindings)


@PROPERTY
@given(st.one_of(models(), scoped_models()))
def test_bitmask_resolution_equals_the_reference(model: Model) -> None:
    analysis = Analysis(model)
    for app in model.applications:
        for env in model.environments:
            reference = analysis.resolver.effective(app, env).permissions
            assert analysis.effective(app, env) == reference, (app, env)
            assert analysis.deliverable(app, env) == analysis.resolver.deliverable(app, env)[0]
            for p in ("p0", "p1", "p2", "p3"):
                fast = analysis.grants.blocked(model.applications[app], env, p)
                slow = analysis.resolver.blocked(app, env, p)
                assert [(b.grant, b.reasons, b.environments) for b in fast] == [
                    (b.grant, b.reasons, b.environments) for b in slow
                ]


@PROPERTY
@given(st.one_of(models(), scoped_models()))
def test_grouping_is_lossless(model: Model) -> None:
    """Every refused bound call appears exactly once among the PC101/PC202 findings' cells."""
    model = bound(model)
    analysis = Analysis(model)
    result = run(model, Selection(select=("PC101", "PC202")), date(2026, 12, 1))
    cells = [c for f in result.findings for c in (f.cells or [(f.application, f.environment, f.operation)])]
    assert sorted(cells) == sorted((f.application, f.environment, f.operation) for f in analysis.failures)
    assert analysis.allowed + len(analysis.failures) == sum(len(ops) for ops in analysis.pairs.values())
