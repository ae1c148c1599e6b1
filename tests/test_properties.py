"""Properties of resolution, of the rules built on it, and of loading arbitrary bytes.

The oracle below is a brute-force reading of the definition in resolve.py's docstring,
written without the resolver's code: it is what `Resolver.effective` and
`Resolver.blocked` are compared with.
"""

from __future__ import annotations

import io
import json
import os
import signal
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, redirect_stderr, redirect_stdout, suppress
from itertools import pairwise
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from strategies import (
    APPLICATIONS,
    ENVIRONMENTS,
    PERMISSIONS,
    SETS,
    TODAY,
    allowances,
    cyclic_models,
    export_documents,
    grants,
    model_of,
    models,
    origin,
    policy_documents,
    policy_environments,
    with_grant,
)

from policycheck.cli import main
from policycheck.engine import Selection, run
from policycheck.errors import InputError, PolicycheckError
from policycheck.loading.export import SECRET_KEYS
from policycheck.loading.inputs import load_model
from policycheck.loading.limits import Limits
from policycheck.loading.source import load
from policycheck.model import Application, Environment, Grant, Model, PermissionSet, Status
from policycheck.records import replace
from policycheck.resolve import Block, Resolver

PROPERTY = settings(deadline=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow])
FUZZ = settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
APPS = (*APPLICATIONS, "ghost")  # "ghost" is never defined


# --- the oracle: the docstring's definition, by brute force ----------------------------


def distances(start: str, edges: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """Every name reachable from `start` (itself included) with its distance."""
    dist = {start: 0}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in edges.get(node, ()):
                if nxt not in dist:
                    dist[nxt] = dist[node] + 1
                    following.append(nxt)
        frontier = following
    return dist


def env_edges(model: Model) -> dict[str, tuple[str, ...]]:
    return {name: env.inherits for name, env in model.environments.items()}


def set_edges(model: Model) -> dict[str, tuple[str, ...]]:
    return {name: s.includes for name, s in model.permission_sets.items()}


def oracle_chain(model: Model, env: str) -> dict[str, int]:
    """E and every environment E inherits from, directly or transitively."""
    return distances(env, env_edges(model))


def oracle_available(model: Model, env: str) -> set[str]:
    """Sets mapped to E or to an environment E inherits from, or included (transitively) by one."""
    out: set[str] = set()
    for e in oracle_chain(model, env):
        for mapped in model.environments[e].permission_sets if e in model.environments else ():
            out |= set(distances(mapped, set_edges(model)))
    return out


def oracle_delivers(model: Model, grant: Grant) -> set[str]:
    if grant.permission is not None:
        return {grant.permission}
    assert grant.permission_set is not None
    return {
        p
        for s in distances(grant.permission_set, set_edges(model))
        if s in model.permission_sets
        for p in model.permission_sets[s].permissions
    }


def oracle_reasons(model: Model, env: str, grant: Grant) -> set[Block]:
    """Conditions 2-4 of the definition that `grant` fails in `env` (condition 1 is per application)."""
    reasons = set()
    if grant.status is Status.PENDING:
        reasons.add(Block.PENDING)
    if grant.status is Status.REVOKED:
        reasons.add(Block.REVOKED)
    if grant.environments is not None and not set(grant.environments) & set(oracle_chain(model, env)):
        reasons.add(Block.OTHER_ENVIRONMENT)
    if grant.permission_set is not None and grant.permission_set not in oracle_available(model, env):
        reasons.add(Block.SET_NOT_MAPPED)
    return reasons


def oracle_effective(model: Model, app_id: str, env: str) -> set[str]:
    app = model.applications.get(app_id)
    if app is None or env not in app.clients:
        return set()
    out: set[str] = set()
    for grant in app.grants:
        if not oracle_reasons(model, env, grant):
            out |= oracle_delivers(model, grant)
    return out


def all_environments(model: Model) -> list[str]:
    """The pool, what the model defines or assigns to, and one name nothing mentions."""
    named = {*ENVIRONMENTS, *model.environments, *(e for a in model.applications.values() for e in a.clients)}
    return [*sorted(named), "nowhere"]


def all_applications(model: Model) -> list[str]:
    return sorted({*APPS, *model.applications})


def all_sets(model: Model) -> list[str]:
    return [*sorted({*SETS, *model.permission_sets}), "nothing"]


def all_permissions(model: Model) -> list[str]:
    named = {
        *PERMISSIONS,
        *(p for s in model.permission_sets.values() for p in s.permissions),
        *(g.permission for a in model.applications.values() for g in a.grants if g.permission),
    }
    return sorted(named)


def every_pair(model: Model) -> Iterator[tuple[str, str]]:
    for app in all_applications(model):
        for env in all_environments(model):
            yield app, env


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Fail, instead of hanging the run, when a walk does not end."""

    def expired(signum: int, frame: Any) -> None:
        raise TimeoutError(f"did not return within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --- effective permissions ---------------------------------------------------------

# Sets reach an environment by inclusion and by inheritance; shortest paths go round a diamond
# (E -> a -> y, not E -> b -> z -> y; S -> c1 -> y, not S -> c2 -> z -> y), which a depth-first walk misses.
VIA_INCLUSION = model_of(
    {"E": ((), ("M",))}, {"M": (("m",), ("S",)), "S": (("s",), ())}, {"app0": (("E",), (("S", "approved", None),))}
)
VIA_INHERITANCE = model_of(
    {"E": (("P",), ()), "P": (("Q",), ()), "Q": ((), ("M",))},
    {"M": ((), ("S",)), "S": (("s",), ())},
    {"app0": (("E", "P"), (("S", "approved", ("Q",)), ("p", "approved", ("P",))))},
)
DIAMONDS = model_of(
    {"E": (("a", "b"), ()), "a": (("y",), ()), "b": (("z",), ()), "z": (("y",), ()), "y": ((), ("S",))},
    {"S": ((), ("c1", "c2")), "c1": ((), ("Y",)), "c2": ((), ("Z",)), "Z": ((), ("Y",)), "Y": (("p",), ())},
    {"app0": (("E",), (("S", "approved", ("y",)), ("q", "approved", ("y",))))},
)
EXAMPLES = (VIA_INCLUSION, VIA_INHERITANCE, DIAMONDS)


def with_examples(test: Any) -> Any:
    for model in EXAMPLES:
        test = example(model)(test)
    return test


def test_the_examples_mean_what_they_say():
    assert Resolver(VIA_INCLUSION).effective("app0", "E").permissions == {"s"}
    assert Resolver(VIA_INHERITANCE).effective("app0", "E").permissions == {"s", "p"}
    resolution = Resolver(DIAMONDS).effective("app0", "E")
    assert resolution.permissions == {"p", "q"}
    [derivation] = resolution.derivations("p")
    assert derivation.environment_path == ("E", "a", "y")
    assert derivation.set_environment_path == ("E", "a", "y")
    assert derivation.sets == ("S", "c1", "Y")


@PROPERTY
@with_examples
@given(models())
def test_effective_is_the_definition(model):
    resolver = Resolver(model)
    for app, env in every_pair(model):
        assert set(resolver.effective(app, env).permissions) == oracle_effective(model, app, env), (app, env)


@PROPERTY
@given(cyclic_models())
def test_cycles_terminate(model):
    with time_limit(5):
        resolver = Resolver(model)
        for app, env in every_pair(model):
            assert set(resolver.effective(app, env).permissions) == oracle_effective(model, app, env)
            for permission in all_permissions(model):
                resolver.blocked(app, env, permission)
        for name in all_sets(model):
            resolver.closure(name)


def test_self_inheritance_and_self_inclusion_terminate():
    model = Model(
        environments={"e": Environment("e", ("e",), ("S",), origin())},
        permission_sets={"S": PermissionSet("S", ("p",), ("S",), origin())},
        applications={
            "a": Application(
                "a", None, {"e": "c"}, {}, (Grant(None, "S", Status.APPROVED, ("e",), origin()),), origin()
            )
        },
    )
    with time_limit(5):
        assert Resolver(model).effective("a", "e").permissions == {"p"}


@PROPERTY
@given(models(), st.sampled_from(APPS), grants("app0", 99, statuses=(Status.APPROVED,)))
def test_monotone_in_grants(model, app, grant):
    """Adding an approved grant never takes an effective permission away."""
    before, after = Resolver(model), Resolver(with_grant(model, app, grant))
    for a, env in every_pair(model):
        assert before.effective(a, env).permissions <= after.effective(a, env).permissions, (a, env)


@PROPERTY
@given(models(), st.sampled_from(APPS), grants("app0", 99, statuses=(Status.PENDING, Status.REVOKED)))
def test_a_grant_that_is_not_approved_changes_nothing(model, app, grant):
    before, after = Resolver(model), Resolver(with_grant(model, app, grant))
    for a, env in every_pair(model):
        assert before.effective(a, env).permissions == after.effective(a, env).permissions, (a, env)


@st.composite
def grown(draw: st.DrawFn) -> tuple[Model, Model]:
    """A model, and the same with one more inheritance, mapping, inclusion, approval or client."""
    model = draw(models())
    kind = draw(st.sampled_from(["inherit", "map", "include", "approve", "assign"]))
    envs, sets, apps = dict(model.environments), dict(model.permission_sets), dict(model.applications)
    if kind in ("inherit", "map"):
        name = draw(st.sampled_from(ENVIRONMENTS))
        env = envs.get(name) or Environment(name, (), (), origin("environments", name))
        if kind == "inherit":
            envs[name] = replace(env, inherits=(*env.inherits, draw(st.sampled_from(ENVIRONMENTS))))
        else:
            envs[name] = replace(env, permission_sets=(*env.permission_sets, draw(st.sampled_from(SETS))))
    elif kind == "include":
        name = draw(st.sampled_from(SETS))
        s = sets.get(name) or PermissionSet(name, (), (), origin("permission_sets", name))
        sets[name] = replace(s, includes=(*s.includes, draw(st.sampled_from(SETS))))
    elif apps:
        app = apps[draw(st.sampled_from(sorted(apps)))]
        if kind == "approve" and app.grants:
            i = draw(st.integers(0, len(app.grants) - 1))
            approved = app.grants[i]._replace(status=Status.APPROVED)
            apps[app.id] = replace(app, grants=(*app.grants[:i], approved, *app.grants[i + 1 :]))
        else:
            env = draw(st.sampled_from(ENVIRONMENTS))
            apps[app.id] = replace(app, clients={**app.clients, env: "new-client"})
    return model, replace(model, environments=envs, permission_sets=sets, applications=apps)


@PROPERTY
@given(grown())
def test_monotone_in_configuration(pair):
    """More inheritance, mappings, inclusions, approvals or clients never take a permission away."""
    model, bigger = pair
    before, after = Resolver(model), Resolver(bigger)
    for app, env in every_pair(model):
        assert before.effective(app, env).permissions <= after.effective(app, env).permissions, (app, env)


@PROPERTY
@with_examples
@given(models())
def test_a_child_environment_has_what_its_ancestors_give(model):
    """If E inherits from P (directly or transitively) and A is assigned to E, then
    effective(A, P) is a subset of effective(A, E): grants that apply to P apply to E, and
    sets available in P (mapped there or to its ancestors) are available in E."""
    resolver = Resolver(model)
    for env in all_environments(model):
        available = set(resolver.available_sets(env))
        for ancestor in oracle_chain(model, env):
            assert set(resolver.available_sets(ancestor)) <= available, (ancestor, env)
            for app in all_applications(model):
                if app in model.applications and model.applications[app].assigned_to(env):
                    parent = resolver.effective(app, ancestor).permissions
                    assert parent <= resolver.effective(app, env).permissions, (app, ancestor, env)


# --- permission sets -----------------------------------------------------------------


@PROPERTY
@with_examples
@given(models())
def test_set_closure(model):
    """The closure of a set is its own permissions and the closures of what it includes;
    it is the same however often and by whichever resolver it is computed."""
    resolver = Resolver(model)
    for name in all_sets(model):
        closure = resolver.closure(name)
        s = model.permission_sets.get(name)
        own = set(s.permissions) if s else set()
        included = set().union(*(resolver.closure(i) for i in s.includes)) if s else set()
        assert set(closure) == own | included, name
        assert resolver.closure(name) == closure
        assert Resolver(model).closure(name) == closure
        assert set(closure) == oracle_delivers(model, Grant(None, name, Status.APPROVED, None, origin()))
        members = resolver.set_closure(name)
        for member in members:  # closed under inclusion
            assert set(resolver.set_closure(member)) <= set(members)


@PROPERTY
@with_examples
@given(models())
def test_set_paths_are_inclusions_and_shortest(model):
    resolver = Resolver(model)
    edges = set_edges(model)
    for name in all_sets(model):
        reach = distances(name, edges)
        for permission, path in resolver.closure(name).items():
            assert path[0] == name
            assert all(b in edges.get(a, ()) for a, b in pairwise(path))
            assert permission in model.permission_sets[path[-1]].permissions
            listing = [
                s for s in reach if s in model.permission_sets and permission in model.permission_sets[s].permissions
            ]
            assert len(path) - 1 == min(reach[s] for s in listing)


# --- derivations and blocked grants ----------------------------------------------------


def assert_environment_path(model: Model, path: Sequence[str], env: str, ends_in: set[str]) -> None:
    edges, chain = env_edges(model), oracle_chain(model, env)
    assert path[0] == env
    assert all(b in edges.get(a, ()) for a, b in pairwise(path))
    assert path[-1] in ends_in
    assert len(path) - 1 == min(chain[e] for e in ends_in if e in chain)


@PROPERTY
@with_examples
@given(models())
def test_every_effective_permission_has_a_valid_derivation(model):
    resolver = Resolver(model)
    for app, env in every_pair(model):
        resolution = resolver.effective(app, env)
        delivered = set().union(*(c.delivers for c in resolution.contributions))
        assert delivered == set(resolution.permissions)
        for permission in resolution.permissions:
            derivations = resolution.derivations(permission)
            assert derivations
            for d in derivations:
                grant = d.grant
                assert any(grant is g for g in model.applications[app].grants)
                assert grant.status is Status.APPROVED
                if grant.environments is None:
                    assert d.environment_path == (env,)
                else:
                    assert_environment_path(model, d.environment_path, env, set(grant.environments))
                if grant.permission is not None:
                    assert (d.sets, d.set_environment_path) == ((), None)
                    assert grant.permission == permission
                    continue
                assert d.sets[0] == grant.permission_set
                assert permission in model.permission_sets[d.sets[-1]].permissions
                mapping = {
                    e
                    for e in oracle_chain(model, env)
                    if e in model.environments
                    and any(
                        grant.permission_set in distances(m, set_edges(model))
                        for m in model.environments[e].permission_sets
                    )
                }
                assert d.set_environment_path is not None
                assert_environment_path(model, d.set_environment_path, env, mapping)


@PROPERTY
@with_examples
@given(models())
def test_effective_iff_some_grant_delivers_it_unblocked(model):
    """A permission is effective iff at least one grant delivers it without reasons; every
    blocked grant delivers it and is blocked for exactly the reasons the definition gives."""
    resolver = Resolver(model)
    for app, env in every_pair(model):
        effective = resolver.effective(app, env).permissions
        application = model.applications.get(app)
        for permission in all_permissions(model):
            blocked = resolver.blocked(app, env, permission)
            if application is None:
                assert blocked == [] and permission not in effective
                continue
            if not application.assigned_to(env):
                assert [(b.grant, b.reasons) for b in blocked] == [(None, (Block.NOT_ASSIGNED,))]
                assert blocked[0].environments == tuple(sorted(application.clients))
                assert permission not in effective
                continue
            delivering = [g for g in application.grants if permission in oracle_delivers(model, g)]
            for b in blocked:
                assert b.reasons and any(b.grant is g for g in delivering)
                assert set(b.reasons) == oracle_reasons(model, env, b.grant)
            unblocked = [g for g in delivering if not any(b.grant is g for b in blocked)]
            assert all(not oracle_reasons(model, env, g) for g in unblocked)
            assert (permission in effective) == bool(unblocked), (app, env, permission)


# --- parity (PC104) ---------------------------------------------------------------------


@st.composite
def parity_cases(draw: st.DrawFn) -> tuple[Model, str, str, dict[str, tuple[Any, ...]]]:
    model = draw(models())
    left, right = draw(st.lists(st.sampled_from(ENVIRONMENTS), min_size=2, max_size=2, unique=True))
    return model, left, right, {left: draw(allowances()), right: draw(allowances())}


def pc104(model: Model) -> list[tuple[Any, ...]]:
    found = run(model, Selection(select=("PC104",)), TODAY).findings
    return [(f.rule, f.location, f.application, f.environment, f.subject, f.message, f.fix, f.cells) for f in found]


@PROPERTY
@given(parity_cases())
def test_parity_is_symmetric(case):
    model, left, right, allowed = case
    on_left = pc104(replace(model, policy_environments=policy_environments("left", left, right, allowed)))
    on_right = pc104(replace(model, policy_environments=policy_environments("right", left, right, allowed)))
    on_both = pc104(replace(model, policy_environments=policy_environments("both", left, right, allowed)))
    assert on_left == on_right == on_both
    # and the findings are exactly the differences the allowances do not cover, both ways
    active = [a for group in allowed.values() for a in group if a.expires is None or a.expires >= TODAY]
    expected = set()
    for app_id, app in model.applications.items():
        if not (app.assigned_to(left) and app.assigned_to(right)):
            continue
        have = {env: oracle_effective(model, app_id, env) for env in (left, right)}
        for has, lacks in ((left, right), (right, left)):
            if any(not any(a.covers(app_id, p) for a in active) for p in have[has] - have[lacks]):
                expected.add((app_id, lacks, f"{has}>{lacks}"))
    # a difference shared by several applications is one finding with each of them among its cells, once
    cells = [(c[0], c[1], f[4]) for f in on_left for c in (f[7] or [(f[2], f[3], None)])]
    assert len(cells) == len(set(cells))
    assert set(cells) == expected


# --- arbitrary bytes -------------------------------------------------------------------

TOKENS = [
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "-",
    " ",
    "  ",
    "\n",
    "\t",
    "\r\n",
    "'",
    '"',
    "#",
    "&a",
    "*a",
    "&b",
    "*b",
    "<<",
    "? ",
    "!",
    "!!",
    "!Ref ",
    "!!python/object/apply:os.system ",
    "|",
    ">",
    "%YAML 1.1",
    "---",
    "...",
    "a",
    "b",
    "name",
    "x-y",
    "cs",
    "client_secret",
    "yes",
    "on",
    "1:20",
    "0x1F",
    "012",
    ".nan",
    "1e3",
    "~",
    "null",
    "true",
    "2026-01-01",
    "\\u0000",
    "\\ud800",
    "\\",
    "😀",
    "é",
    "\x00",
    "\x07",
    "\x85",
    "\u2028",
    "\ufeff",
    "1",
    "-1.5",
    "NaN",
    "Infinity",
]

yamlish = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)
raw_inputs = st.one_of(
    st.binary(max_size=200),
    yamlish.map(lambda s: s.encode("utf-8", "surrogatepass")),
    yamlish.map(lambda s: s.encode("utf-16")),
    st.tuples(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b""]), st.binary(max_size=100)).map(
        lambda t: t[0] + t[1]
    ),
)
SMALL = Limits(max_file_bytes=10_000, max_depth=12, max_alias_nodes=500)


def json_typed(value: Any, doc: Any, keys: list[str | int]) -> None:
    line, column = doc.locate(keys)
    assert line >= 1 and column >= 1
    if isinstance(value, dict):
        for k, v in value.items():
            assert isinstance(k, str) and k not in SECRET_KEYS
            json_typed(v, doc, [*keys, k])
    elif isinstance(value, list):
        for i, v in enumerate(value):
            json_typed(v, doc, [*keys, i])
    else:
        assert value is None or isinstance(value, (str, bool, int, float))


@FUZZ
@given(raw_inputs, st.sampled_from([".yaml", ".yml", ".json"]))
def test_arbitrary_bytes_load_or_raise_input_error(raw, suffix):
    try:
        doc = load(f"f{suffix}", raw, SMALL, SECRET_KEYS)
    except InputError as e:
        assert str(e).startswith(f"f{suffix}")
        return
    json_typed(doc.data, doc, [])
    for d in doc.duplicates:
        assert d.line >= 1 and d.first_line >= 1 and d.first_line <= d.line


POLICY = (
    b"apiVersion: policycheck/v1\nkind: Policy\npermissions:\n  - name: Read\noperations:\n"
    b"  - id: op.read\n    request: GET /read\n    requires:\n      permissions: Read\n"
)


@st.composite
def mutated(draw: st.DrawFn, base: bytes) -> bytes:
    """`base` with a few bytes inserted, deleted or replaced."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        chunk = draw(st.binary(min_size=1, max_size=3) | st.sampled_from(TOKENS).map(str.encode))
        if action == "insert":
            data[at:at] = chunk
        elif action == "delete":
            del data[at : at + len(chunk)]
        else:
            data[at : at + len(chunk)] = chunk
    return bytes(data)


def load_policy_bytes(raw: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, name)
        with open(path, "wb") as f:
            f.write(raw)
        with suppress(PolicycheckError):
            load_model([path], SMALL)


@FUZZ
@given(raw_inputs | mutated(POLICY), st.sampled_from(["policy.yaml", "policy.json"]))
def test_arbitrary_bytes_as_a_policy_raise_only_policycheck_errors(raw, name):
    load_policy_bytes(raw, name)


POLICY_KEYS = [
    "permissions",
    "operations",
    "environments",
    "bindings",
    "metadata",
    "name",
    "description",
    "claims",
    "id",
    "request",
    "api",
    "requires",
    "scopes",
    "replace",
    "all_of",
    "any_of",
    "inherits",
    "parity",
    "allowed_differences",
    "permission",
    "application",
    "reason",
    "owner",
    "expires",
    "x-ext",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.sampled_from(["Read", "op.read", "GET /read", "test", "2026-02-30", "2026-01-01", "", "POST /x/{id}", "a\nb"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(POLICY_KEYS), inner, max_size=4),
    max_leaves=12,
)


@FUZZ
@given(st.dictionaries(st.sampled_from(POLICY_KEYS[:5]), json_values, max_size=5), st.booleans())
def test_policy_shaped_data_raises_only_policycheck_errors(body, as_json):
    data = {"apiVersion": "policycheck/v1", "kind": "Policy", **body}
    text = json.dumps(data) if as_json else json.dumps(data, indent=1)  # JSON is YAML too
    load_policy_bytes(text.encode(), "policy.json" if as_json else "policy.yaml")


# --- the whole pipeline ---------------------------------------------------------------


@settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(policy_documents(), export_documents(), st.sampled_from(["text", "json"]), st.booleans())
def test_any_valid_pair_runs_to_a_verdict_without_an_internal_error(policy, export, fmt, as_yaml):
    """Every schema-valid policy and export, however tangled (cycles, duplicates, dangling names),
    gives exit 0 or 1 and never an internal error; the secret never shows."""
    with tempfile.TemporaryDirectory() as d:
        suffix = ".yaml" if as_yaml else ".json"
        for name, data in (("policy", policy), ("export", export)):
            with open(os.path.join(d, name + suffix), "w", encoding="utf-8") as f:
                f.write(json.dumps(data, indent=1 if as_yaml else None))  # JSON text is YAML too
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main(["check", "--no-config", "--format", fmt, "--today", TODAY.isoformat(), d])
    assert code in (0, 1), err.getvalue()
    assert err.getvalue() == ""
    assert "SENTINEL" not in out.getvalue()
