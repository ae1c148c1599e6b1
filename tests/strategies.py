"""Hypothesis builders of `policycheck.model.Model` values, made directly (no files).

Names come from small pools so that graphs are dense: environments inherit from
each other in chains, diamonds and cycles (self-inheritance included), permission
sets include each other (self-includes, cycles, and includes of sets that do not
exist), and applications hold grants of permissions and of sets, in every status,
for every environment or for a few (some of which the export does not define).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from hypothesis import strategies as st

from policycheck.model import (
    Allowance,
    Application,
    Environment,
    Grant,
    Model,
    Origin,
    PermissionSet,
    PolicyEnvironment,
    Status,
)
from policycheck.records import replace

ENVIRONMENTS = ("base", "dev", "test", "prod", "dr")
SETS = ("S0", "S1", "S2", "S3", "S4")
PERMISSIONS = ("p0", "p1", "p2", "p3", "p4", "p5")
APPLICATIONS = ("app0", "app1")
TODAY = date(2026, 11, 29)


class FakeDocument:
    """A Locator without a file: every key is at line 1, column 1."""

    path = "model.yaml"

    def locate(self, keys: Sequence[str | int]) -> tuple[int, int]:
        return (1, 1)


DOCUMENT = FakeDocument()


def origin(*keys: str | int) -> Origin:
    return Origin(DOCUMENT, tuple(keys))


def names(pool: Sequence[str], max_size: int = 3) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(pool), unique=True, max_size=max_size).map(tuple)


@st.composite
def environments(draw: st.DrawFn, defined: Sequence[str] | None = None) -> dict[str, Environment]:
    """Defined environments (a subset of the pool) inheriting from any pool name, cycles included."""
    chosen = defined if defined is not None else draw(names(ENVIRONMENTS, len(ENVIRONMENTS)))
    return {
        name: Environment(name, draw(names(ENVIRONMENTS)), draw(names(SETS)), origin("environments", name))
        for name in chosen
    }


@st.composite
def permission_sets(draw: st.DrawFn) -> dict[str, PermissionSet]:
    """Defined sets (a subset of the pool) including any pool name: self-includes, cycles, dangling."""
    chosen = draw(names(SETS, len(SETS)))
    return {
        name: PermissionSet(name, draw(names(PERMISSIONS, 4)), draw(names(SETS)), origin("permission_sets", name))
        for name in chosen
    }


@st.composite
def grants(draw: st.DrawFn, app: str = "app", index: int = 0, statuses: Sequence[Status] = tuple(Status)) -> Grant:
    """One grant: a permission or a set, in some status, everywhere or in a few environments."""
    status = draw(st.sampled_from(statuses))
    envs = draw(st.none() | names(ENVIRONMENTS, 3))
    source = origin("applications", app, "grants", index)
    if draw(st.booleans()):
        return Grant(draw(st.sampled_from(PERMISSIONS)), None, status, envs, source)
    return Grant(None, draw(st.sampled_from(SETS)), status, envs, source)


@st.composite
def applications(draw: st.DrawFn) -> dict[str, Application]:
    """Applications with clients in some environments (defined or not) and up to 6 grants each."""
    out = {}
    for app in draw(names(APPLICATIONS, len(APPLICATIONS))):
        clients = {env: f"{app}-{env}" for env in draw(names(ENVIRONMENTS, len(ENVIRONMENTS)))}
        count = draw(st.integers(0, 6))
        app_grants = tuple(draw(grants(app, i)) for i in range(count))
        out[app] = Application(app, None, clients, {}, app_grants, origin("applications", app))
    return out


@st.composite
def allowances(draw: st.DrawFn) -> tuple[Allowance, ...]:
    count = draw(st.integers(0, 2))
    out = []
    for i in range(count):
        expires = draw(st.none() | st.integers(-3, 3).map(lambda d: TODAY + timedelta(days=d)))
        out.append(
            Allowance(
                draw(st.sampled_from(PERMISSIONS)),
                draw(st.none() | st.sampled_from(APPLICATIONS)),
                "a reason",
                "an owner",
                expires,
                origin("allowances", i),
            )
        )
    return tuple(out)


@st.composite
def models(draw: st.DrawFn) -> Model:
    """An export's worth of model: environments, permission sets and applications."""
    return Model(
        permission_sets=draw(permission_sets()),
        environments=draw(environments()),
        applications=draw(applications()),
        has_export=True,
    )


@st.composite
def cyclic_models(draw: st.DrawFn) -> Model:
    """Every environment in one inheritance ring and every set in one inclusion ring, plus the rest."""
    model = draw(models())
    envs = {
        name: replace(env, inherits=(*env.inherits, ENVIRONMENTS[(i + 1) % len(ENVIRONMENTS)]))
        for i, name in enumerate(ENVIRONMENTS)
        for env in [model.environments.get(name) or Environment(name, (), (), origin("environments", name))]
    }
    sets = {
        name: replace(s, includes=(*s.includes, SETS[(i + 1) % len(SETS)]))
        for i, name in enumerate(SETS)
        for s in [model.permission_sets.get(name) or PermissionSet(name, (), (), origin("permission_sets", name))]
    }
    return replace(model, environments=envs, permission_sets=sets)


def with_grant(model: Model, app: str, grant: Grant) -> Model:
    """The model with one more grant for `app` (created, with no clients, if it does not exist)."""
    apps = dict(model.applications)
    current = apps.get(app) or Application(app, None, {}, {}, (), origin("applications", app))
    apps[app] = replace(current, grants=(*current.grants, grant))
    return replace(model, applications=apps)


def policy_environments(
    parity_on: str, left: str, right: str, allowances_by_env: dict[str, tuple[Allowance, ...]]
) -> dict[str, PolicyEnvironment]:
    """Policy environments `left` and `right`, with the parity declaration on `parity_on` ('left',
    'right' or 'both') and each environment's allowances where they were drawn."""

    def env(name: str, partner: str, declares: bool) -> PolicyEnvironment:
        return PolicyEnvironment(
            name,
            (),
            (partner,) if declares else (),
            allowances_by_env.get(name, ()),
            origin("policy_environments", name),
        )

    return {
        left: env(left, right, parity_on in ("left", "both")),
        right: env(right, left, parity_on in ("right", "both")),
    }


# --- whole documents (plain data, schema-valid), for runs through the real CLI --------------

_ENV_REFS = (*ENVIRONMENTS[:4], "zz")  # "zz" is defined nowhere
_OPERATIONS = ("o0", "o1", "o2")


def _some(pool: Sequence[str], min_size: int = 0) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(pool), unique=True, min_size=min_size, max_size=3)


_expressions = st.recursive(
    st.sampled_from(PERMISSIONS[:4]),
    lambda inner: (
        st.lists(inner, min_size=1, max_size=3)
        | st.fixed_dictionaries({"all_of": st.lists(inner, min_size=1, max_size=3)})
        | st.fixed_dictionaries({"any_of": st.lists(inner, min_size=1, max_size=3)})
    ),
    max_leaves=6,
)
_requirements = st.fixed_dictionaries(
    {}, optional={"permissions": _expressions, "scopes": _some(("sc1", "sc2")), "claims": _some(("c-p0", "c-p1"))}
)
_overrides = st.fixed_dictionaries(
    {}, optional={"permissions": _expressions, "replace": st.booleans(), "scopes": _some(("sc1",))}
)


@st.composite
def policy_documents(draw: st.DrawFn) -> dict[str, object]:
    """A schema-valid policy: operations with overrides, environments with parity and allowances,
    bindings; names may repeat across items or be defined nowhere."""
    operations = [
        {
            "id": draw(st.sampled_from(_OPERATIONS)),
            "request": "GET /x/{id}",
            "requires": draw(_requirements),
            "environments": draw(st.dictionaries(st.sampled_from(_ENV_REFS), _overrides, max_size=2)),
        }
        for _ in range(draw(st.integers(0, 3)))
    ]
    allowance = st.fixed_dictionaries(
        {"permission": st.sampled_from(PERMISSIONS[:4]), "reason": st.just("r"), "owner": st.just("o")},
        optional={
            "application": st.sampled_from((*APPLICATIONS, "zz")),
            "expires": st.sampled_from(["2026-01-01", "2026-11-29", "2027-01-01"]),
        },
    )
    environments = [
        {
            "name": draw(st.sampled_from(ENVIRONMENTS[:4])),
            "inherits": draw(_some(_ENV_REFS)),
            "parity": draw(_some(_ENV_REFS)),
            "allowed_differences": draw(st.lists(allowance, max_size=2)),
        }
        for _ in range(draw(st.integers(0, 4)))
    ]
    bindings = [
        {
            "application": draw(st.sampled_from((*APPLICATIONS, "zz"))),
            "environments": draw(_some(_ENV_REFS, 1)),
            "operations": draw(_some((*_OPERATIONS, "zz"), 1)),
        }
        for _ in range(draw(st.integers(1, 3)))
    ]
    return {
        "apiVersion": "policycheck/v1",
        "kind": "Policy",
        "permissions": [{"name": p, "claims": [f"c-{p}"]} for p in draw(_some((*PERMISSIONS[:4], "pX")))],
        "operations": operations,
        "environments": environments,
        "bindings": bindings,
    }


@st.composite
def export_documents(draw: st.DrawFn) -> dict[str, object]:
    """A schema-valid gateway export with the same kinds of graphs as `models()`."""
    set_refs = (*SETS[:3], "zz")
    grant = st.builds(
        lambda what, name, status, envs: {
            what: name,
            "status": status,
            **({} if envs is None else {"environments": envs}),
        },
        st.sampled_from(["permission", "permission_set"]),
        st.sampled_from((*PERMISSIONS[:4], *set_refs)),
        st.sampled_from([s.value for s in Status]),
        st.none() | _some(_ENV_REFS),
    )
    scopes = (
        st.none()
        | st.just("sc1 sc2")
        | _some(("sc1", "sc2"))
        | st.dictionaries(st.sampled_from((*ENVIRONMENTS[:4], "*")), st.just("sc1") | _some(("sc2",)), max_size=2)
    )
    applications = []
    for _ in range(draw(st.integers(0, 3))):
        app = draw(st.sampled_from(APPLICATIONS))
        entry: dict[str, object] = {
            "id": app,
            "clients": {e: f"{app}-{e}" for e in draw(_some(_ENV_REFS))},
            "client_secret": "SENTINEL-SECRET-123",
            "grants": draw(st.lists(grant, max_size=4)),
        }
        found = draw(scopes)
        if found is not None:
            entry["scopes"] = found
        applications.append(entry)
    return {
        "apiVersion": "policycheck/v1",
        "kind": "GatewayExport",
        "permission_sets": [
            {
                "name": draw(st.sampled_from(set_refs)),
                "permissions": draw(_some(PERMISSIONS[:4])),
                "includes": draw(_some(set_refs)),
            }
            for _ in range(draw(st.integers(0, 4)))
        ],
        "environments": [
            {
                "name": draw(st.sampled_from(ENVIRONMENTS[:4])),
                "inherits": draw(_some(_ENV_REFS)),
                "permission_sets": draw(_some(set_refs)),
            }
            for _ in range(draw(st.integers(0, 5)))
        ],
        "applications": applications,
    }


def model_of(
    environments: dict[str, tuple[Sequence[str], Sequence[str]]],
    sets: dict[str, tuple[Sequence[str], Sequence[str]]],
    applications: dict[str, tuple[Sequence[str], Sequence[tuple[str, str, Sequence[str] | None]]]],
) -> Model:
    """A model written out by hand, for examples:
    environments: name -> (inherits, mapped sets); sets: name -> (permissions, includes);
    applications: id -> (client environments, grants as (permission or set name, status, environments)),
    where a grant of a name found in `sets` is a grant of that set."""
    apps = {}
    for app, (clients, app_grants) in applications.items():
        made = tuple(
            Grant(
                None if what in sets else what,
                what if what in sets else None,
                Status(status),
                None if envs is None else tuple(envs),
                origin("applications", app, "grants", i),
            )
            for i, (what, status, envs) in enumerate(app_grants)
        )
        apps[app] = Application(app, None, {e: f"{app}-{e}" for e in clients}, {}, made, origin("applications", app))
    return Model(
        environments={
            n: Environment(n, tuple(i), tuple(s), origin("environments", n)) for n, (i, s) in environments.items()
        },
        permission_sets={
            n: PermissionSet(n, tuple(p), tuple(i), origin("permission_sets", n)) for n, (p, i) in sets.items()
        },
        applications=apps,
        has_export=True,
    )
