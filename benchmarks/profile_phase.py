"""cProfile one phase of the pipeline on a generated data set (see run.py for the phases).

    python benchmarks/profile_phase.py --apps 10000 --format json --phase eval
    python benchmarks/profile_phase.py --apps 10000 --format yaml --phase load --sort tottime
    python benchmarks/profile_phase.py --apps 10000 --format yaml --phase build --no-gc

The earlier phases run unprofiled first. --no-gc disables the cyclic collector for the
profiled phase only (to see how much of it is collection).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import run  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--apps", type=int, required=True)
    ap.add_argument("--format", choices=("yaml", "json"), default="yaml")
    ap.add_argument("--phase", choices=("load", "validate", "build", "eval"), required=True)
    ap.add_argument("--only", choices=("policy", "export"), help="load/validate one file only")
    ap.add_argument("--sort", default="cumulative")
    ap.add_argument("--limit", type=int, default=30)
    ap.add_argument("--no-gc", action="store_true")
    args = ap.parse_args()

    from policycheck.engine import Selection
    from policycheck.engine import run as run_rules
    from policycheck.loading.export import SECRET_KEYS, read_export
    from policycheck.loading.inputs import assemble
    from policycheck.loading.limits import Limits
    from policycheck.loading.policy import read_policy
    from policycheck.loading.source import load, read_bytes
    from policycheck.loading.validate import validate

    meta = run.dataset(args.apps, args.format)
    paths = {k: v["path"] for k, v in meta["files"].items()}
    limits = Limits(max_file_bytes=run.BIG)
    kinds = [args.only] if args.only else ["policy", "export"]
    prof = cProfile.Profile()

    def phase(name, fn):
        if name != args.phase:
            return fn()
        if args.no_gc:
            gc.disable()
        t0 = time.perf_counter()
        prof.enable()
        try:
            return fn()
        finally:
            prof.disable()
            print(f"{name}: {time.perf_counter() - t0:.3f} s under the profiler", file=sys.stderr)
            gc.enable()

    raws = {k: read_bytes(paths[k], limits) for k in kinds}
    docs = phase("load", lambda: {k: load(paths[k], raws[k], limits, SECRET_KEYS) for k in kinds})
    phase("validate", lambda: [validate(docs[k], k) for k in kinds])
    if args.phase in ("build", "eval"):
        model = phase(
            "build",
            lambda: assemble(
                [read_policy(docs["policy"])], [read_export(docs["export"])], [docs["policy"], docs["export"]]
            ),
        )
        phase("eval", lambda: run_rules(model, Selection(), run.TODAY))
    pstats.Stats(prof).sort_stats(args.sort).print_stats(args.limit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
