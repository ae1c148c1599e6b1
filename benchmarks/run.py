"""policycheck benchmarks: throughput by N, the CLI end to end, deep chains, a 50 MB export, cold start.

    python benchmarks/run.py            # full run (several minutes): N = 1k, 10k, (20k,) 100k
    python benchmarks/run.py --quick    # N = 1k, 10k (and 20k end to end), fewer repeats

Sections (each can be skipped, see --help; benchmarks/README.md says what each prints):

- throughput: each (N, format) in its own child process, collector off as the CLI runs;
- end to end: `python -m policycheck check ... --format json=FILE` in a clean child per
  run (its own peak RSS by os.wait4), paired with `json.load` of the same files;
- chains: the CLI on one 1,000-deep includes chain (native) and composite chain (Keycloak);
- 50 MB export (full run only), cold start against check-jsonschema and yamllint, imports.

In the throughput section the child repeats the whole pipeline and reports per-phase medians:

- load:     read_bytes + source.load (parse with positions) of the policy and the export
- validate: loading.validate.validate of both documents (generated fast path)
- build:    read_policy + read_export + assemble (the Model)
- eval:     engine.run with an empty Selection (all rules), including the findings'
            file:line look-ups (for JSON: pos, the first position look-up, then rules)

Inputs come from benchmarks/generate.py and are cached under benchmarks/out/.
Everything measured is also written to benchmarks/out/results.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "out")
sys.path.insert(0, HERE)

import chains  # noqa: E402
import generate  # noqa: E402

SEED = 1
TODAY = date(2026, 11, 28)  # fixed, so PC105 findings do not change with the calendar
BIG = 1 << 31  # in-process file-size limit: the 100k files are over the CLI's 64 MiB default
FORBIDDEN = ("jwt", "cryptography", "jsonschema")
NOTABLE = ("jsonschema_rs", "fastjsonschema", "referencing", "attrs", "click", "yaml")
SNAPSHOT: str | None = None
"""A copy of policycheck/ (with schemas/ and the example) that every child process imports."""
TARGETS = {
    "yaml50_load_s": 8.0,
    "validate_over_load": 1.0,
    "cold_vs_cjs": 0.5,
    "cold_vs_yamllint": 0.8,  # issue 9
    "eval_100k_s": 3.0,  # issue 9 (was 5)
    "eval_scaling": 11.0,  # issue 9 (was 12)
    "e2e_100k_s": 8.0,
    "e2e_100k_peak_mib": 1.5 * 1024,
    "e2e_20k_over_floor": 6.0,
    "e2e_20k_peak_mib": 400.0,
    "e2e_20k_report_mb": 20.0,
    "chain_s": 1.0,
    "chain_mb": 200.0,
}
MIB = 1 << 20


# --- data ------------------------------------------------------------------


def dataset(apps: int, fmt: str) -> dict[str, Any]:
    """Generate (or reuse) benchmarks/out/n{apps}-{fmt}; returns generate's description."""
    out = os.path.join(OUT, f"n{apps}-{fmt}")
    stamp = os.path.join(out, "meta.json")
    want = {"generator": generate.GENERATOR_VERSION, "apps": apps, "format": fmt, "seed": SEED}
    if os.path.exists(stamp):
        with open(stamp) as f:
            meta: dict[str, Any] = json.load(f)
        if all(meta.get(k) == v for k, v in want.items()) and all(
            os.path.exists(x["path"]) for x in meta["files"].values()
        ):
            return meta
    print(f"  generating {apps} applications as {fmt} ...", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    files = generate.write(out, apps, fmt, SEED)
    meta = {**want, "files": files, "seconds": round(time.perf_counter() - t0, 2)}
    with open(stamp, "w") as f:
        json.dump(meta, f)
    return meta


def target_apps(mb: float, fmt: str) -> int:
    stamp = os.path.join(OUT, f"apps-for-{mb:g}mb-{fmt}.json")
    if os.path.exists(stamp):
        with open(stamp) as f:
            meta = json.load(f)
        if meta.get("generator") == generate.GENERATOR_VERSION and meta.get("seed") == SEED:
            return int(meta["apps"])
    apps = generate.apps_for_target(mb, fmt, SEED)
    os.makedirs(OUT, exist_ok=True)
    with open(stamp, "w") as f:
        json.dump({"generator": generate.GENERATOR_VERSION, "seed": SEED, "apps": apps}, f)
    return apps


# --- the child: one (N, format) per process ----------------------------------


def worker(paths: dict[str, str], repeats: int, export_only: bool) -> dict[str, Any]:
    from policycheck.engine import Selection, run
    from policycheck.loading.export import SECRET_KEYS, read_export
    from policycheck.loading.inputs import assemble
    from policycheck.loading.limits import Limits
    from policycheck.loading.policy import read_policy
    from policycheck.loading.source import LOADER_NAME, load, read_bytes
    from policycheck.loading.validate import validate

    gc.disable()  # as the CLI runs (policycheck/cli.py); collected between repeats below
    limits = Limits(max_file_bytes=BIG)
    kinds = [("export", paths["export"])] if export_only else [("policy", paths["policy"]), ("export", paths["export"])]
    samples: dict[str, list[float]] = {}
    import policycheck

    extra: dict[str, Any] = {"loader": LOADER_NAME, "policycheck": os.path.dirname(policycheck.__file__)}

    def note(phase: str, seconds: float) -> None:
        samples.setdefault(phase, []).append(seconds)

    for _ in range(repeats):
        docs = {}
        t_load = 0.0
        for kind, path in kinds:
            t0 = time.perf_counter()
            raw = read_bytes(path, limits)
            docs[kind] = load(path, raw, limits, SECRET_KEYS)
            dt = time.perf_counter() - t0
            note(f"load_{kind}", dt)
            t_load += dt
            del raw
        note("load", t_load)
        t_val = 0.0
        for kind, _ in kinds:
            t0 = time.perf_counter()
            validate(docs[kind], kind)
            dt = time.perf_counter() - t0
            note(f"validate_{kind}", dt)
            t_val += dt
        note("validate", t_val)
        if not export_only:
            t0 = time.perf_counter()
            model = assemble(
                [read_policy(docs["policy"])], [read_export(docs["export"])], [docs["policy"], docs["export"]]
            )
            note("build", time.perf_counter() - t0)
            # JSON has no positions from the parser: the first look-up (the first finding) does
            # whole-text work (a scan or an index of the root). Time it apart, so that "rules" is
            # comparable between YAML and JSON; what each later look-up costs stays in "rules".
            t0 = time.perf_counter()
            for doc in docs.values():
                if doc.format == "json":
                    doc.locate(["apiVersion"])
            t_scan = time.perf_counter() - t0
            t0 = time.perf_counter()
            result = run(model, Selection(), TODAY)
            t_rules = time.perf_counter() - t0
            note("pos", t_scan)
            note("rules", t_rules)
            note("eval", t_scan + t_rules)
            extra["findings"] = len(result.findings)
            extra["checks"] = result.checked.bindings
            del model, result
        del docs
        gc.collect()
    medians = {k: statistics.median(v) for k, v in samples.items()}
    return {"median": medians, "samples": samples, "peak_mib": peak_self_kib() / 1024, **extra}


def peak_self_kib() -> int:
    """This process's peak RSS since exec: VmHWM (ru_maxrss also counts the parent's peak, see LAUNCHER)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """`base` (default: this environment) with the snapshot first on PYTHONPATH."""
    env = dict(os.environ if base is None else base)
    if SNAPSHOT:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (SNAPSHOT, env.get("PYTHONPATH")) if p)
    return env


def tree_hash(*tops: str) -> str:
    """Digest of the .py and .json files under `tops`."""
    import hashlib

    h = hashlib.sha256()
    for top in tops:
        for root, dirs, files in sorted(os.walk(top)):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith((".py", ".json", ".yaml")):
                    path = os.path.join(root, name)
                    with open(path, "rb") as f:
                        h.update(os.path.relpath(path, top).encode() + b"\0" + f.read())
    return h.hexdigest()[:12]


def code_hash() -> str:
    """Digest of the live policycheck/ and schemas/: to notice the code changing during a run."""
    return tree_hash(os.path.join(ROOT, "policycheck"), os.path.join(ROOT, "schemas"))


def make_snapshot(source: str) -> str:
    """Copy policycheck/, schemas/ (as policycheck/schemas) and the cloudsuite example.

    The repository may change while a run takes its ten minutes; every child process imports
    this copy instead, so all figures of one run are of one version of the code. `source` is
    "head" (the last commit: a coherent, named version) or "worktree" (the files as they are).
    """
    import io
    import shutil
    import tarfile

    tmp = os.path.join(OUT, "snapshot-tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    parts = {
        "policycheck": "policycheck",
        "schemas": "policycheck/schemas",
        "policies/examples/cloudsuite": "examples/cloudsuite",
    }
    if source == "head":
        tar = subprocess.run(
            ["git", "archive", "--format=tar", "HEAD", *parts], cwd=ROOT, capture_output=True, check=True
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(tar)) as t:
            for member in t.getmembers():
                top = next((p for p in parts if member.name.startswith(p + "/")), None)
                if top is None or not member.isfile():
                    continue  # the pax header, directories
                member.name = parts[top] + member.name[len(top) :]
                t.extract(member, tmp)
    else:
        skip = shutil.ignore_patterns("__pycache__", "*.pyc")
        for src, dst in parts.items():
            shutil.copytree(os.path.join(ROOT, src), os.path.join(tmp, dst), ignore=skip, dirs_exist_ok=True)
    dest = os.path.join(OUT, f"snapshot-{tree_hash(tmp)}")
    if os.path.exists(dest):
        shutil.rmtree(tmp)
    else:
        os.replace(tmp, dest)
    return dest


def measure(meta: dict[str, Any], repeats: int, export_only: bool = False) -> dict[str, Any]:
    paths = {k: v["path"] for k, v in meta["files"].items()}
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", json.dumps(paths), "--repeats", str(repeats)] + (
        ["--export-only"] if export_only else []
    )
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=child_env())
    if proc.returncode != 0:
        raise SystemExit(f"worker failed ({proc.returncode}):\n{proc.stderr}")
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


# --- end to end: the real CLI in a clean child process -----------------------------

FLOOR = (
    "import gc, json, sys\ngc.disable()\nfor p in sys.argv[1:]:\n    with open(p, 'rb') as f:\n        json.load(f)\n"
)
"""The floor: parse the same files with `json.load` and nothing else (collector off, as the CLI)."""

E2E_DIR = os.path.join(OUT, "e2e")


LAUNCHER = (
    "import json, os, sys, time\n"
    "cmd = sys.argv[1:]\n"
    "t0 = time.perf_counter()\n"
    "pid = os.fork()\n"
    "if pid == 0:\n"
    "    try:\n"
    "        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)\n"
    "        os.execv(cmd[0], cmd)\n"
    "    finally:\n"
    "        os._exit(127)\n"
    "_, status, usage = os.wait4(pid, 0)\n"
    "wall = time.perf_counter() - t0\n"
    "rc = os.waitstatus_to_exitcode(status)\n"
    "print(json.dumps({'rc': rc, 'wall': wall, 'peak_kib': usage.ru_maxrss}))\n"
)
"""Runs one command in a child and reports that child's own exit code, wall time and peak RSS.

Why a launcher: on Linux a process's ru_maxrss starts at the high-water mark of the memory
it had before exec, and subprocess starts children with vfork, sharing this process's memory
until exec. Started directly from here, every child would report at least this (large)
process's peak. The launcher is a small `python -I -S` that forks and execs, so a child's
figure starts at the launcher's few MB, below any Python program's own.
"""


def run_child(cmd: list[str], env: dict[str, str], stderr_path: str) -> dict[str, Any]:
    """Run `cmd` from E2E_DIR; its exit code, wall time and ITS OWN peak RSS (os.wait4 in LAUNCHER).

    RUSAGE_CHILDREN would be the maximum over every child a process ever waited for.
    The working directory is not the repository, so `python -m policycheck` imports the
    snapshot (or the installed copy) and not ./policycheck.
    """
    os.makedirs(E2E_DIR, exist_ok=True)
    with open(stderr_path, "wb") as err:
        proc = subprocess.run(
            [sys.executable, "-I", "-S", "-c", LAUNCHER, *cmd],
            cwd=E2E_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=err,
            check=True,
        )
    r: dict[str, Any] = json.loads(proc.stdout)
    return {"rc": r["rc"], "wall": r["wall"], "peak_mib": r["peak_kib"] / 1024}


def cli_command(paths: list[str], report: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "policycheck",
        "check",
        *paths,
        "--no-config",
        "--format",
        f"json={report}",
        "--max-file-size",
        str(BIG),
        "--today",
        TODAY.isoformat(),
    ]


def checked_run(cmd: list[str], env: dict[str, str], name: str, expected: tuple[int, ...]) -> dict[str, Any]:
    err = os.path.join(E2E_DIR, f"{name}.stderr")
    r = run_child(cmd, env, err)
    if r["rc"] not in expected:
        with open(err, errors="replace") as f:
            tail = f.read()[-2000:]
        raise SystemExit(f"{' '.join(cmd)}: exit {r['rc']}, expected {expected}\n{tail}")
    return r


def imported_by_cli(env: dict[str, str]) -> str:
    """Which policycheck `python -m policycheck` imports in the end-to-end children."""
    proc = subprocess.run(
        [sys.executable, "-c", "import policycheck; print(policycheck.__file__)"],
        cwd=E2E_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return os.path.dirname(proc.stdout.strip())


def end_to_end(label: str, paths: list[str], repeats: int) -> dict[str, Any]:
    """`check --format json=FILE` and the json.load floor of the same files, alternating."""
    env = bytecode_env()
    report = os.path.join(E2E_DIR, f"report-{label}.json")
    cli = cli_command(paths, report)
    floor = [sys.executable, "-c", FLOOR, *paths]
    checks_: list[dict[str, Any]] = []
    floors: list[dict[str, Any]] = []
    for i in range(repeats):
        pair = [("check", cli, (1,)), ("floor", floor, (0,))]
        for what, cmd, expected in pair if i % 2 == 0 else pair[::-1]:
            r = checked_run(cmd, env, f"{label}-{what}", expected)
            (checks_ if what == "check" else floors).append(r)
    walls = [r["wall"] for r in checks_]
    fwalls = [r["wall"] for r in floors]
    return {
        "command": " ".join(cli),
        "repeats": repeats,
        "wall_s": statistics.median(walls),
        "floor_s": statistics.median(fwalls),
        "over_floor": statistics.median(a / b for a, b in zip(walls, fwalls, strict=True)),
        "peak_mib": max(r["peak_mib"] for r in checks_),
        "floor_peak_mib": max(r["peak_mib"] for r in floors),
        "report_mb": os.path.getsize(report) / 1e6,
        "input_mb": sum(os.path.getsize(p) for p in paths) / 1e6,
        "samples_s": [round(x, 3) for x in walls],
        "floor_samples_s": [round(x, 3) for x in fwalls],
    }


def chain_row(kind: str, depth: int, repeats: int) -> dict[str, Any]:
    """The CLI end to end on one `depth`-deep chain, and on a 1-deep one (the same shape) for reference."""
    env = bytecode_env()
    out: dict[str, Any] = {"kind": kind, "depth": depth, "repeats": repeats}
    for d, key in ((depth, "deep"), (1, "flat")):
        meta = chains.write(os.path.join(OUT, f"chain-{kind}-{d}"), kind, d)
        paths = [meta["files"]["policy"]["path"], meta["files"]["export"]["path"]]
        cmd = cli_command(paths, os.path.join(E2E_DIR, f"report-chain-{kind}-{d}.json"))
        runs = [checked_run(cmd, env, f"chain-{kind}-{d}", (0, 1)) for _ in range(repeats)]
        with open(os.path.join(E2E_DIR, f"report-chain-{kind}-{d}.json")) as f:
            rules = Counter(finding["rule"] for finding in json.load(f)["findings"])
        out[key] = {
            "wall_s": statistics.median(r["wall"] for r in runs),
            "peak_mib": max(r["peak_mib"] for r in runs),
            "input_kb": sum(f["bytes"] for f in meta["files"].values()) / 1e3,
            "rc": runs[0]["rc"],
            "findings": dict(sorted(rules.items())),
        }
    out["command"] = " ".join(cmd)
    return out


def data_overrides(values: list[str]) -> dict[int, str]:
    """--data N=DIR: use DIR/policy.json and DIR/export.json for N applications (not modified)."""
    out = {}
    for value in values:
        n, sep, path = value.partition("=")
        if not sep or not n.isdigit():
            raise SystemExit(f"--data {value!r}: expected N=DIR")
        for name in ("policy.json", "export.json"):
            if not os.path.isfile(os.path.join(path, name)):
                raise SystemExit(f"--data {value!r}: {os.path.join(path, name)} is missing")
        out[int(n)] = os.path.abspath(path)
    return out


def given_dataset(apps: int, where: str) -> dict[str, Any]:
    """The description `dataset` returns, for a --data directory."""
    files = {}
    for name in ("policy", "export"):
        path = os.path.join(where, f"{name}.json")
        files[name] = {"path": path, "bytes": os.path.getsize(path)}
    return {"apps": apps, "format": "json", "files": files, "given": where}


def json_paths(apps: int, overrides: dict[int, str]) -> list[str]:
    if apps in overrides:
        return [os.path.join(overrides[apps], "policy.json"), os.path.join(overrides[apps], "export.json")]
    meta = dataset(apps, "json")
    return [meta["files"]["policy"]["path"], meta["files"]["export"]["path"]]


# --- cold start ----------------------------------------------------------------


def bytecode_env() -> dict[str, str]:
    """Environment for the cold-start runs: bytecode cached (under benchmarks/out/pycache).

    This machine's environment sets PYTHONDONTWRITEBYTECODE=1 and the editable install has no
    __pycache__, so every run would compile policycheck from source; an installed package (pip
    compiles .pyc at install) or an editable one after its first run does not. The same
    environment is used for all three commands; the warm-up rounds fill the cache.
    """
    env = child_env()
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = os.path.join(OUT, "pycache")
    return env


def example_paths() -> tuple[str, str]:
    """The cloudsuite example and the policy schema: the snapshot's copies when there is one."""
    if SNAPSHOT:
        return (
            os.path.relpath(os.path.join(SNAPSHOT, "examples", "cloudsuite"), ROOT),
            os.path.relpath(os.path.join(SNAPSHOT, "policycheck", "schemas", "policy-v1.schema.json"), ROOT),
        )
    return "policies/examples/cloudsuite", "schemas/policy-v1.schema.json"


def cold_start(bindir: str, rounds: int, warmup: int) -> dict[str, Any]:
    example, schema = example_paths()
    yamllint = os.path.join(bindir, "yamllint")
    commands: dict[str, tuple[list[str], tuple[int, ...]]] = {
        "policycheck": ([os.path.join(bindir, "policycheck"), "check", example], (1,)),
        "check-jsonschema": (
            [os.path.join(bindir, "check-jsonschema"), "--schemafile", schema, f"{example}/policy.yaml"],
            (0,),
        ),
        # issue 9's peer: a linter on one small file (its default rules; 1 = it found problems)
        "yamllint": ([yamllint, f"{example}/policy.yaml"], (0, 1)),
        "python -c pass": ([os.path.join(bindir, "python"), "-c", "pass"], (0,)),
        # informational: as this environment runs it, compiling policycheck on every start
        "policycheck, no .pyc": ([os.path.join(bindir, "policycheck"), "check", example], (1,)),
    }
    skipped = {}
    if not os.access(yamllint, os.X_OK):
        skipped["yamllint"] = f"skipped: yamllint not installed (no {yamllint}; pip install yamllint)"
        del commands["yamllint"]
    cached = bytecode_env()
    uncached = child_env({**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    uncached.pop("PYTHONPYCACHEPREFIX", None)
    times: dict[str, list[float]] = {k: [] for k in commands}
    for i in range(warmup + rounds):
        for name, (cmd, expected) in commands.items():
            env = uncached if name.endswith("no .pyc") else cached
            t0 = time.perf_counter()
            try:
                rc = subprocess.run(
                    cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                ).returncode
            except OSError as e:
                raise SystemExit(f"{cmd[0]}: {e.strerror}") from None
            dt = time.perf_counter() - t0
            if rc not in expected:
                raise SystemExit(f"{' '.join(cmd)}: exit {rc}, expected {expected}")
            if i >= warmup:
                times[name].append(dt)

    def paired(a: str, b: str) -> float | None:
        if a not in times or b not in times:
            return None
        return statistics.median(x / y for x, y in zip(times[a], times[b], strict=True))

    return {
        "rounds": rounds,
        "commands": {k: " ".join(v[0]) for k, v in commands.items()},
        "skipped": skipped,
        "median_ms": {k: statistics.median(v) * 1000 for k, v in times.items()},
        "paired": {
            "policycheck/yamllint": paired("policycheck", "yamllint"),
            "policycheck/check-jsonschema": paired("policycheck", "check-jsonschema"),
            "policycheck/floor": paired("policycheck", "python -c pass"),
            "yamllint/floor": paired("yamllint", "python -c pass"),
            "check-jsonschema/floor": paired("check-jsonschema", "python -c pass"),
            "policycheck no .pyc/floor": paired("policycheck, no .pyc", "python -c pass"),
        },
        "samples_ms": {k: [round(x * 1000, 2) for x in v] for k, v in times.items()},
    }


_IMPORT_LINE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|( *)(\S+)\s*$")


def import_times(bindir: str, runs: int) -> dict[str, Any]:
    """`python -X importtime` of the policycheck cold start: medians per module over `runs`."""
    per: dict[str, list[tuple[int, int]]] = {}
    depth: dict[str, int] = {}
    cmd = [
        os.path.join(bindir, "python"),
        "-X",
        "importtime",
        os.path.join(bindir, "policycheck"),
        "check",
        example_paths()[0],
    ]
    for _ in range(runs):
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=bytecode_env())
        for line in proc.stderr.splitlines():
            m = _IMPORT_LINE.match(line)
            if m:
                name = m.group(4)
                per.setdefault(name, []).append((int(m.group(1)), int(m.group(2))))
                depth[name] = len(m.group(3)) // 2
    rows = [
        {
            "module": k,
            "depth": depth[k],
            "self_ms": statistics.median(s for s, _ in v) / 1000,
            "cumulative_ms": statistics.median(c for _, c in v) / 1000,
        }
        for k, v in per.items()
    ]
    rows.sort(key=lambda r: -float(r["cumulative_ms"]))  # type: ignore[arg-type]
    forbidden = sorted(k for k in per if k.split(".")[0] in FORBIDDEN)
    notable = sorted({k.split(".")[0] for k in per} & set(NOTABLE))
    return {
        "runs": runs,
        "modules": len(rows),
        "top": rows[:15],
        "forbidden_imported": forbidden,
        "notable_imported": notable,
        "total_self_ms": sum(r["self_ms"] for r in rows),
    }


def git_state() -> str:
    """Commit, and which files under policycheck/ differ from it (the code measured)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "policycheck", "schemas"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    changed = [line[3:] for line in dirty if line.strip()]
    if not changed:
        return f"commit {head}, clean"
    return f"commit {head} + uncommitted changes in {len(changed)} files ({', '.join(changed[:6])}" + (
        ", ...)" if len(changed) > 6 else ")"
    )


# --- report ------------------------------------------------------------------------


def fmt_s(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def verdict(ok: bool | None) -> str:
    return "SKIP" if ok is None else "PASS" if ok else "FAIL"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="policycheck benchmarks")
    ap.add_argument("--quick", action="store_true", help="N = 1,000 and 10,000 only, 3 repeats, no 50 MB export")
    ap.add_argument(
        "--yaml-100k", action="store_true", help="also measure the 100k case as YAML (about 175 MB of YAML; slow)"
    )
    ap.add_argument("--skip-50mb", action="store_true")
    ap.add_argument("--skip-coldstart", action="store_true")
    ap.add_argument("--skip-throughput", action="store_true", help="leave out the in-process throughput table")
    ap.add_argument("--skip-e2e", action="store_true", help="leave out the end-to-end CLI rows")
    ap.add_argument("--skip-chains", action="store_true", help="leave out the 1,000-deep chain rows")
    ap.add_argument(
        "--e2e-apps",
        help="comma-separated N for the end-to-end rows [default: 1000,10000,20000, and 100000 in the full run]",
    )
    ap.add_argument(
        "--data",
        action="append",
        default=[],
        metavar="N=DIR",
        help="read the JSON rows of N applications (throughput and end to end) from DIR/policy.json and "
        "DIR/export.json (generated by generate.py --format json) instead of benchmarks/out/nN-json; repeatable",
    )
    ap.add_argument("--rounds", type=int, default=15, help="cold-start rounds (A B C each)")
    ap.add_argument(
        "--bin",
        default=os.path.join(sys.prefix, "bin"),
        help="directory of the real python, policycheck and check-jsonschema [default: this interpreter's venv bin]",
    )
    ap.add_argument(
        "--code",
        choices=("head", "worktree", "live"),
        default="head",
        help="what to measure: a copy of the last commit (default), a copy of the working "
        "tree, or the working tree itself (figures may mix versions if it changes "
        "during the run)",
    )
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--repeats", type=int, default=3, help=argparse.SUPPRESS)
    ap.add_argument("--export-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        print(json.dumps(worker(json.loads(args.worker), args.repeats, args.export_only)))
        return 0

    os.makedirs(OUT, exist_ok=True)
    small = 3 if args.quick else 5
    plan = [(1_000, "yaml", small), (1_000, "json", small), (10_000, "yaml", small), (10_000, "json", small)]
    if not args.quick:
        if args.yaml_100k:
            plan.append((100_000, "yaml", 3))
        plan.append((100_000, "json", 3))
    results: dict[str, Any] = {"python": sys.version.split()[0], "bin": args.bin, "quick": args.quick, "throughput": []}
    started = time.perf_counter()

    print(
        f"policycheck benchmarks ({'quick' if args.quick else 'full'} run), Python "
        f"{sys.version.split()[0]}, {os.cpu_count()} CPUs, binaries from {args.bin}"
    )
    print(f"inputs: benchmarks/generate.py seed {SEED}; each app in test and prod; evaluation date {TODAY}")
    global SNAPSHOT
    results["commit"] = git_state()
    results["code_hash"] = code_hash()
    if args.code != "live":
        SNAPSHOT = make_snapshot(args.code)
        results["snapshot"] = os.path.relpath(SNAPSHOT, ROOT)
    what = {
        "head": "a copy of the last commit",
        "worktree": "a copy of the working tree",
        "live": "the working tree itself",
    }[args.code]
    print(
        f"policycheck working tree: {results['commit']} (code digest {results['code_hash']});\n"
        f"  measured: {what}" + (f", {results['snapshot']}" if SNAPSHOT else "")
    )
    results["measured"] = args.code
    load1 = os.getloadavg()[0]
    results["loadavg_start"] = load1
    print(
        f"load average at start: {load1:.2f}"
        + ("  (WARNING: other processes compete for the CPUs; figures will be inflated)" if load1 > 0.7 else "")
    )
    if not args.quick and not args.yaml_100k and not args.skip_throughput:
        print(
            "N = 100,000 is measured with JSON inputs only: as YAML the files are ~95 MB (export) "
            "+ ~79 MB (policy), over policycheck's 64 MiB default --max-file-size and ~1 min per "
            "parse (use --yaml-100k to measure it anyway)."
        )
    print()

    # -- throughput by N
    overrides = data_overrides(args.data)
    if args.skip_throughput:
        plan = []
    if not plan:
        print("Throughput: skipped (--skip-throughput)")
    else:
        print("Throughput: medians in seconds (peak = max RSS of the child process)")
        head = (
            f"{'N apps':>8} {'fmt':>4} {'reps':>4} {'MB in':>7} {'load':>7} {'valid.':>7} "
            f"{'val/load':>8} {'build':>7} {'eval':>7} {'(pos':>7} {'rules)':>7} {'total':>7} "
            f"{'checks':>9} {'findings':>8} "
            f"{'peak MiB':>9}"
        )
        print(head)
        print("-" * len(head))
        for apps, fmt, reps in plan:
            meta = given_dataset(apps, overrides[apps]) if fmt == "json" and apps in overrides else dataset(apps, fmt)
            r = measure(meta, reps)
            m = r["median"]
            mb = sum(f["bytes"] for f in meta["files"].values()) / 1e6
            total = m["load"] + m["validate"] + m["build"] + m["eval"]
            row = {"apps": apps, "format": fmt, "repeats": reps, "mb": mb, **r, "total": total, "files": meta["files"]}
            results["throughput"].append(row)
            print(
                f"{apps:>8,} {fmt:>4} {reps:>4} {mb:>7.1f} {fmt_s(m['load']):>7} "
                f"{fmt_s(m['validate']):>7} {m['validate'] / m['load']:>8.2f} {fmt_s(m['build']):>7} "
                f"{fmt_s(m['eval']):>7} {fmt_s(m['pos']) if fmt == 'json' else '-':>7} {fmt_s(m['rules']):>7} "
                f"{fmt_s(total):>7} {r['checks']:>9,} {r['findings']:>8,} "
                f"{r['peak_mib']:>9,.0f}",
                flush=True,
            )
        print(
            "  checks = bound (app, env, operation) triples; load = read + parse with positions of "
            "both files;\n  eval = pos + rules: pos = the whole-text work of the first JSON position "
            "look-up (done\n  before the rules here; in a real run the first finding triggers it), "
            "rules = engine.run\n  (all rules, findings located). Each column is a median of its own."
        )
        imported = sorted({os.path.relpath(row["policycheck"], ROOT) for row in results["throughput"]})
        print(f"  policycheck imported from: {', '.join(imported)}")
    by = {(row["apps"], row["format"]): row for row in results["throughput"]}
    scaling: dict[str, float] = {}
    for fmt in ("json", "yaml"):
        a, b, c = by.get((1_000, fmt)), by.get((10_000, fmt)), by.get((100_000, fmt))
        if a and b:
            scaling[f"{fmt} 10k/1k"] = b["median"]["eval"] / a["median"]["eval"]
        if b and c:
            scaling[f"{fmt} 100k/10k"] = c["median"]["eval"] / b["median"]["eval"]
            scaling[f"{fmt} 100k/10k rules only"] = c["median"]["rules"] / b["median"]["rules"]
    if scaling:
        print("  evaluation scaling per 10x N: " + ", ".join(f"{k} {v:.1f}x" for k, v in scaling.items()))
    results["eval_scaling"] = scaling
    print()

    # -- 50 MB export
    if args.quick and not args.skip_50mb:
        print("50 MB export: skipped in --quick (about 2 minutes more; run without --quick)\n")
    if not args.skip_50mb and not args.quick:
        apps50 = target_apps(50, "yaml")
        print(
            f"50 MB export: {apps50:,} applications, export file only "
            f"(read + parse with positions, then schema validation), medians of 3"
        )
        head = f"{'fmt':>4} {'MB':>6} {'load s':>7} {'MB/s':>6} {'valid. s':>8} {'val/load':>8} {'peak MiB':>9}"
        print(head)
        print("-" * len(head))
        results["export50"] = {}
        for fmt in ("yaml", "json"):
            meta = dataset(apps50, fmt)
            r = measure(meta, 3, export_only=True)
            m = r["median"]
            mb = meta["files"]["export"]["bytes"] / 1e6
            results["export50"][fmt] = {"apps": apps50, "mb": mb, **r}
            print(
                f"{fmt:>4} {mb:>6.1f} {m['load']:>7.2f} {mb / m['load']:>6.1f} {m['validate']:>8.3f} "
                f"{m['validate'] / m['load']:>8.3f} {r['peak_mib']:>9,.0f}",
                flush=True,
            )
        print()

    # -- end to end: the CLI as a user runs it, one clean child process per run
    if args.e2e_apps:
        e2e_plan = [int(x) for x in args.e2e_apps.split(",") if x.strip()]
    else:
        e2e_plan = [1_000, 10_000, 20_000] + ([] if args.quick else [100_000])
    results["e2e"] = []
    if args.skip_e2e:
        print("End to end: skipped (--skip-e2e)\n")
    else:
        env = bytecode_env()
        os.makedirs(E2E_DIR, exist_ok=True)
        print(
            "End to end: `python -m policycheck check POLICY EXPORT --no-config --format json=FILE "
            "--max-file-size BIG`\n  (JSON inputs; exit 1 = findings, expected), each run a clean child process: "
            "wall time, the child's own\n  peak RSS (os.wait4), the report's size; PAIRED with the floor: "
            "`json.load` of the same two files\n  in its own child (collector off), runs alternating; "
            "ratio = median of the per-pair ratios"
        )
        print(f"  policycheck imported by the children: {os.path.relpath(imported_by_cli(env), ROOT)}")
        head = (
            f"{'N apps':>8} {'reps':>4} {'MB in':>7} {'wall s':>7} {'floor s':>7} {'ratio':>6} "
            f"{'peak MiB':>9} {'floor MiB':>9} {'report MB':>9}"
        )
        print(head)
        print("-" * len(head))
        for apps in e2e_plan:
            reps = 3 if args.quick or apps >= 100_000 else 5
            paths = json_paths(apps, overrides)
            r = end_to_end(f"n{apps}", paths, reps)
            r = {"apps": apps, "paths": paths, **r}
            results["e2e"].append(r)
            print(
                f"{apps:>8,} {reps:>4} {r['input_mb']:>7.1f} {fmt_s(r['wall_s']):>7} {fmt_s(r['floor_s']):>7} "
                f"{r['over_floor']:>5.1f}x {r['peak_mib']:>9,.0f} {r['floor_peak_mib']:>9,.0f} "
                f"{r['report_mb']:>9.1f}",
                flush=True,
            )
        where = sorted({os.path.dirname(p) for row in results["e2e"] for p in row["paths"]})
        print(f"  inputs: {', '.join(os.path.relpath(w, ROOT) if w.startswith(ROOT) else w for w in where)}")
        e2e_by = {row["apps"]: row for row in results["e2e"]}
        if 10_000 in e2e_by and 100_000 in e2e_by:
            results["e2e_scaling"] = e2e_by[100_000]["wall_s"] / e2e_by[10_000]["wall_s"]
            print(f"  end-to-end wall 100k/10k: {results['e2e_scaling']:.1f}x")
        print()

    # -- one 1,000-deep chain (memory bounded by the input)
    results["chains"] = []
    if args.skip_chains:
        print("Chains: skipped (--skip-chains)\n")
    else:
        print(
            "Chains: one 1,000-deep chain, the CLI end to end (as above), median wall of 5, max peak RSS;\n"
            "  native = a permission set includes chain in a native export (benchmarks/chains.py), keycloak = a\n"
            "  realm whose client roles form a composite chain; depth 1 = the same files with a 1-deep chain\n"
            "  (start-up and the rest), so deep - depth 1 is about what the chain's resolution costs;\n"
            "  no PC101 (missing permission) means the deepest permission was delivered, and PC401 counts\n"
            "  the idle permissions of the top set (998 of the 1,000 the whole chain gives)"
        )
        head = (
            f"{'input':>9} {'KB in':>6} {'wall s':>7} {'peak MiB':>9}  {'depth 1: wall s':>15} "
            f"{'peak MiB':>9}  {'chain: s':>8} {'MiB':>6}"
        )
        print(head)
        print("-" * len(head))
        for kind in ("native", "keycloak"):
            c = chain_row(kind, 1000, 5)
            results["chains"].append(c)
            d, f = c["deep"], c["flat"]
            print(
                f"{kind:>9} {d['input_kb']:>6.0f} {d['wall_s']:>7.3f} {d['peak_mib']:>9,.0f}  {f['wall_s']:>15.3f} "
                f"{f['peak_mib']:>9,.0f}  {d['wall_s'] - f['wall_s']:>8.3f} {d['peak_mib'] - f['peak_mib']:>6.0f}",
                flush=True,
            )
            found = ", ".join(f"{rule} x{n}" for rule, n in d["findings"].items()) or "none"
            print(f"{'':>9} findings at depth 1,000: {found}")
        print()

    # -- cold start
    if not args.skip_coldstart:
        print(
            f"Cold start: {args.rounds} rounds of A B C D E after 3 warm-up rounds, wall time (A = policycheck "
            f"check on the example,\n  B = check-jsonschema, C = yamllint on the example's policy.yaml, D = python "
            f"-c pass); A-D with bytecode cached\n  (PYTHONPYCACHEPREFIX=benchmarks/out/pycache), E = A as this "
            f"environment runs it (PYTHONDONTWRITEBYTECODE=1: policycheck compiled on every start)"
        )
        try:
            cs = cold_start(args.bin, args.rounds, 3)
        except SystemExit as e:
            cs = None
            print(f"  cold start not measured: {e}")
            results["coldstart_error"] = str(e)
    if not args.skip_coldstart and cs is not None:
        results["coldstart"] = cs
        for name, ms in cs["median_ms"].items():
            print(f"  {name:<21} {ms:7.1f} ms   {cs['commands'][name]}")
        p = cs["paired"]
        for why in cs["skipped"].values():
            print(f"  yamllint                {why}")
        print("  paired medians: " + ", ".join(f"{k} {v:.2f}" for k, v in p.items() if v is not None))
        it = import_times(args.bin, 5)
        results["importtime"] = it
        print(
            f"  python -X importtime, policycheck check (median of {it['runs']} runs, "
            f"{it['modules']} modules, {it['total_self_ms']:.1f} ms self time in all):"
        )
        print(f"    {'cumulative ms':>13} {'self ms':>8}  module")
        for row in it["top"]:
            print(f"    {row['cumulative_ms']:>13.1f} {row['self_ms']:>8.1f}  {'  ' * row['depth']}{row['module']}")
        if it["forbidden_imported"]:
            print(f"  FLAG: imported on the cold-start path: {', '.join(it['forbidden_imported'])}")
        else:
            print(f"  none of {', '.join(FORBIDDEN)} is imported on the cold-start path")
        print(f"  other notable packages imported: {', '.join(it['notable_imported']) or 'none'}")
        print()

    # -- targets
    print("Targets")
    checks: list[tuple[str, str, bool | None]] = []
    if "export50" in results:
        y = results["export50"]["yaml"]["median"]
        checks.append(("50 MB YAML export load <= 8 s", f"{y['load']:.2f} s", y["load"] <= TARGETS["yaml50_load_s"]))
        for fmt in ("yaml", "json"):
            m = results["export50"][fmt]["median"]
            ratio = m["validate"] / m["load"]
            checks.append(
                (
                    f"validation < parsing, 50 MB {fmt.upper()} export",
                    f"ratio {ratio:.3f}",
                    ratio < TARGETS["validate_over_load"],
                )
            )
    for row in results["throughput"]:
        ratio = row["median"]["validate"] / row["median"]["load"]
        checks.append(
            (
                f"validation < parsing, N={row['apps']:,} {row['format']} (both files)",
                f"ratio {ratio:.3f}",
                ratio < TARGETS["validate_over_load"],
            )
        )
    if "coldstart" in results:
        r = results["coldstart"]["paired"]["policycheck/check-jsonschema"]
        checks.append(("cold start policycheck/check-jsonschema <= 0.5", f"{r:.2f}", r <= TARGETS["cold_vs_cjs"]))
        r = results["coldstart"]["paired"]["policycheck/yamllint"]
        if r is None:
            checks.append(("cold start policycheck/yamllint <= 0.8, paired", "skipped: yamllint not installed", None))
        else:
            checks.append(
                ("cold start policycheck/yamllint <= 0.8, paired", f"{r:.2f}", r <= TARGETS["cold_vs_yamllint"])
            )
        bad = results["importtime"]["forbidden_imported"]
        checks.append(
            ("no jwt/cryptography/jsonschema import at cold start", ", ".join(bad) or "none imported", not bad)
        )
    for fmt in ("json", "yaml"):
        c = by.get((100_000, fmt))
        if c:
            checks.append(
                (
                    f"evaluation N=100,000 <= 3 s ({fmt})",
                    f"{c['median']['eval']:.2f} s",
                    c["median"]["eval"] <= TARGETS["eval_100k_s"],
                )
            )
            checks.append(
                (
                    f"  the same, rules only (without pos) ({fmt})",
                    f"{c['median']['rules']:.2f} s",
                    c["median"]["rules"] <= TARGETS["eval_100k_s"],
                )
            )
    for key in ("json 100k/10k", "json 100k/10k rules only", "yaml 100k/10k"):
        if key in scaling:
            checks.append(
                (f"evaluation scaling {key} <= 11x", f"{scaling[key]:.1f}x", scaling[key] <= TARGETS["eval_scaling"])
            )
    e2e_by = {row["apps"]: row for row in results["e2e"]}
    if 100_000 in e2e_by:
        r = e2e_by[100_000]
        checks.append(
            ("end to end N=100,000 JSON <= 8 s wall", f"{r['wall_s']:.2f} s", r["wall_s"] <= TARGETS["e2e_100k_s"])
        )
        checks.append(
            (
                "end to end N=100,000 JSON <= 1.5 GiB peak RSS",
                f"{r['peak_mib'] / 1024:.2f} GiB",
                r["peak_mib"] <= TARGETS["e2e_100k_peak_mib"],
            )
        )
    if "e2e_scaling" in results:
        x = results["e2e_scaling"]
        checks.append(("end-to-end wall scaling 100k/10k <= 11x", f"{x:.1f}x", x <= TARGETS["eval_scaling"]))
    if 20_000 in e2e_by:
        r = e2e_by[20_000]
        checks.append(
            (
                "end to end N=20,000 <= 6x the json.load floor, paired",
                f"{r['over_floor']:.1f}x ({r['wall_s']:.2f} s / {r['floor_s']:.2f} s)",
                r["over_floor"] <= TARGETS["e2e_20k_over_floor"],
            )
        )
        checks.append(
            (
                "end to end N=20,000 <= 400 MiB peak RSS",
                f"{r['peak_mib']:.0f} MiB",
                r["peak_mib"] <= TARGETS["e2e_20k_peak_mib"],
            )
        )
        checks.append(
            (
                "end to end N=20,000 JSON report <= 20 MB",
                f"{r['report_mb']:.1f} MB",
                r["report_mb"] <= TARGETS["e2e_20k_report_mb"],
            )
        )
    for c in results["chains"]:
        d = c["deep"]
        checks.append(
            (
                f"1,000-deep {c['kind']} chain, end to end < 1 s",
                f"{d['wall_s']:.3f} s (chain part {d['wall_s'] - c['flat']['wall_s']:.3f} s)",
                d["wall_s"] < TARGETS["chain_s"],
            )
        )
        mb = d["peak_mib"] * MIB / 1e6
        checks.append(
            (
                f"1,000-deep {c['kind']} chain, end to end < 200 MB peak RSS",
                f"{mb:.0f} MB (chain part {(d['peak_mib'] - c['flat']['peak_mib']) * MIB / 1e6:.0f} MB)",
                mb < TARGETS["chain_mb"],
            )
        )
    width = max(len(c[0]) for c in checks) if checks else 0
    for name, value, ok in checks:
        print(f"  {verdict(ok)}  {name:<{width}}  {value}")
    results["targets"] = [{"target": n, "value": v, "pass": ok} for n, v, ok in checks]
    results["loadavg_end"] = os.getloadavg()
    if code_hash() != results["code_hash"]:
        results["code_changed_during_run"] = True
        print(
            "\nNOTE: policycheck/ or schemas/ changed during this run; "
            + (
                "the figures are all of the snapshot taken at the start."
                if SNAPSHOT
                else "WARNING: the figures mix two versions (run with --code head to avoid this)."
            )
        )
    print(f"\nload average at end (1/5/15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"(run took {time.perf_counter() - started:.0f} s; details in "
        f"{os.path.relpath(os.path.join(OUT, 'results.json'), ROOT)})"
    )
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
