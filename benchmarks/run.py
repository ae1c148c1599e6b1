"""policycheck benchmarks: throughput by N, a 50 MB export, cold start and its imports.

    python benchmarks/run.py            # full run (several minutes): N = 1k, 10k, 100k
    python benchmarks/run.py --quick    # N = 1k and 10k only, fewer repeats (a couple of minutes)

Each (N, format) is measured in its own child process (so its peak RSS is its own); the
child repeats the whole pipeline and reports per-phase medians:

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
from datetime import date
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "out")
sys.path.insert(0, HERE)

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
    "eval_100k_s": 5.0,
    "eval_scaling": 12.0,
}


# --- data ------------------------------------------------------------------


def dataset(apps: int, fmt: str) -> dict[str, Any]:
    """Generate (or reuse) benchmarks/out/n{apps}-{fmt}; returns generate's description."""
    out = os.path.join(OUT, f"n{apps}-{fmt}")
    stamp = os.path.join(out, "meta.json")
    want = {"generator": generate.GENERATOR_VERSION, "apps": apps, "format": fmt, "seed": SEED}
    if os.path.exists(stamp):
        with open(stamp) as f:
            meta = json.load(f)
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
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"median": medians, "samples": samples, "peak_mib": peak_kib / 1024, **extra}


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
    return json.loads(proc.stdout.strip().splitlines()[-1])


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
    commands = {
        "policycheck": ([os.path.join(bindir, "policycheck"), "check", example], 1),
        "check-jsonschema": (
            [os.path.join(bindir, "check-jsonschema"), "--schemafile", schema, f"{example}/policy.yaml"],
            0,
        ),
        "python -c pass": ([os.path.join(bindir, "python"), "-c", "pass"], 0),
        # informational: as this environment runs it, compiling policycheck on every start
        "policycheck, no .pyc": ([os.path.join(bindir, "policycheck"), "check", example], 1),
    }
    cached = bytecode_env()
    uncached = child_env({**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    uncached.pop("PYTHONPYCACHEPREFIX", None)
    times: dict[str, list[float]] = {k: [] for k in commands}
    for i in range(warmup + rounds):
        for name, (cmd, expected) in commands.items():
            env = uncached if name.endswith("no .pyc") else cached
            t0 = time.perf_counter()
            rc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
            dt = time.perf_counter() - t0
            if rc != expected:
                raise SystemExit(f"{' '.join(cmd)}: exit {rc}, expected {expected}")
            if i >= warmup:
                times[name].append(dt)
    pc, cj, fl = times["policycheck"], times["check-jsonschema"], times["python -c pass"]
    return {
        "rounds": rounds,
        "commands": {k: " ".join(v[0]) for k, v in commands.items()},
        "median_ms": {k: statistics.median(v) * 1000 for k, v in times.items()},
        "paired": {
            "policycheck/check-jsonschema": statistics.median(a / b for a, b in zip(pc, cj, strict=True)),
            "policycheck/floor": statistics.median(a / b for a, b in zip(pc, fl, strict=True)),
            "check-jsonschema/floor": statistics.median(a / b for a, b in zip(cj, fl, strict=True)),
            "policycheck no .pyc/floor": statistics.median(
                a / b for a, b in zip(times["policycheck, no .pyc"], fl, strict=True)
            ),
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
    rows.sort(key=lambda r: -r["cumulative_ms"])
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


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="policycheck benchmarks")
    ap.add_argument("--quick", action="store_true", help="N = 1,000 and 10,000 only, 3 repeats, no 50 MB export")
    ap.add_argument(
        "--yaml-100k", action="store_true", help="also measure the 100k case as YAML (about 175 MB of YAML; slow)"
    )
    ap.add_argument("--skip-50mb", action="store_true")
    ap.add_argument("--skip-coldstart", action="store_true")
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
    if not args.quick and not args.yaml_100k:
        print(
            "N = 100,000 is measured with JSON inputs only: as YAML the files are ~95 MB (export) "
            "+ ~79 MB (policy), over policycheck's 64 MiB default --max-file-size and ~1 min per "
            "parse (use --yaml-100k to measure it anyway)."
        )
    print()

    # -- throughput by N
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
        meta = dataset(apps, fmt)
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

    # -- cold start
    if not args.skip_coldstart:
        print(
            f"Cold start: {args.rounds} rounds of A B C D after 3 warm-up rounds, wall time; "
            f"A-C with bytecode cached (PYTHONPYCACHEPREFIX=benchmarks/out/pycache), D as this "
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
        print(
            f"  paired medians: policycheck/check-jsonschema {p['policycheck/check-jsonschema']:.2f}, "
            f"policycheck/floor {p['policycheck/floor']:.1f}x, "
            f"check-jsonschema/floor {p['check-jsonschema/floor']:.1f}x, "
            f"policycheck no .pyc/floor {p['policycheck no .pyc/floor']:.1f}x"
        )
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
    checks: list[tuple[str, str, bool]] = []
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
        bad = results["importtime"]["forbidden_imported"]
        checks.append(
            ("no jwt/cryptography/jsonschema import at cold start", ", ".join(bad) or "none imported", not bad)
        )
    for fmt in ("json", "yaml"):
        c = by.get((100_000, fmt))
        if c:
            checks.append(
                (
                    f"evaluation N=100,000 <= 5 s ({fmt})",
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
                (f"evaluation scaling {key} <= 12x", f"{scaling[key]:.1f}x", scaling[key] <= TARGETS["eval_scaling"])
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
