"""Benchmark: the access questions over one Analysis: who-can, must_not_call (PC106), today's access (init).

    python benchmarks/access_queries.py [--apps 10000] [--repeat 3]

On the synthetic data set of generate.py (written to benchmarks/out/, JSON): builds the
Analysis once, then prints medians for `who_can` on the most bound operation in prod,
for PC106 with every application forbidden one operation it holds, and for
`callable_today` (what `policycheck init` binds). The slow path (chains, stops) runs
only for the applications each answer lists.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import Counter
from dataclasses import replace

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

import generate  # noqa: E402

from policycheck.analysis import Analysis  # noqa: E402
from policycheck.callers import who_can  # noqa: E402
from policycheck.engine import Selection, run_analysis  # noqa: E402
from policycheck.loading.inputs import load_model  # noqa: E402
from policycheck.starter_policy import callable_today  # noqa: E402


def median(fn: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--apps", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    out = os.path.join(HERE, "out", f"access-{args.apps}-json")
    if not os.path.exists(os.path.join(out, "export.json")):
        generate.write(out, args.apps, "json", 1)
    model = load_model([out])
    start = time.perf_counter()
    analysis = Analysis(model)
    built = time.perf_counter() - start
    busiest = Counter(op for (_, env), ops in analysis.pairs.items() if env == "prod" for op in ops).most_common(1)
    op = busiest[0][0]
    forbidden = tuple(b._replace(operations=(), must_not_call=b.operations[:1]) for b in model.bindings)
    negative = Analysis(replace(model, bindings=(*model.bindings, *forbidden)))
    selection = Selection(select=("PC106",))
    results = {
        "apps": args.apps,
        "analysis_s": round(built, 3),
        "who_can_s": round(median(lambda: who_can(analysis, op, "prod"), args.repeat), 3),
        "pc106_s": round(
            median(lambda: run_analysis(negative, selection, __import__("datetime").date.today()), args.repeat), 3
        ),
        "callable_today_s": round(median(lambda: callable_today(analysis), 1), 3),
    }
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
