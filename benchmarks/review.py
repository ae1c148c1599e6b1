"""Benchmark: the review outputs at scale: check with the access matrix, the HTML report, and diff.

    python benchmarks/review.py [--apps 10000] [--repeat 3] [--data DIR] [--out DIR]

Measures the policycheck that the interpreter imports (an installed copy, or the editable
checkout): it does not put the source tree on sys.path, and says which one it imported.
The data set (DIR/policy.json and DIR/export.json, as benchmarks/generate.py writes them)
is generated under --out when it is missing (default: benchmarks/out/nN-json, the one
run.py uses). Runs with the cyclic collector off, as the CLI does, collecting between
repeats. Prints medians for: `check` with the access matrix, rendering `--format html`,
and `diff` of two exports that differ in every seventh application (a grant made pending).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # generate.py, next to this file; never the source tree above it

import generate  # noqa: E402

SEED = 1
TODAY = date(2026, 11, 28)


def data_set(apps: int, data: Path | None, out: Path) -> Path:
    """DIR with policy.json and export.json: `data` as given, or generated under `out` if missing."""
    if data is not None:
        for name in ("policy.json", "export.json"):
            if not (data / name).is_file():
                sys.exit(f"--data {data}: {data / name} is missing")
        return data
    where = out / f"n{apps}-json"
    if all((where / name).is_file() for name in ("policy.json", "export.json")):
        return where
    print(f"generating {apps:,} applications as JSON in {where} ...", file=sys.stderr, flush=True)
    generate.write(str(where), apps, "json", SEED)
    return where


def main() -> None:
    parser = argparse.ArgumentParser(description="policycheck review outputs at scale")
    parser.add_argument("--apps", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", type=Path, help="an existing data set: DIR/policy.json and DIR/export.json")
    parser.add_argument("--out", type=Path, default=HERE / "out", help="where to generate (and the diff's copy)")
    args = parser.parse_args()

    import policycheck
    from policycheck.engine import Selection, run
    from policycheck.loading.inputs import load_model
    from policycheck.loading.limits import Limits
    from policycheck.reporters import render

    where = os.path.dirname(os.path.abspath(policycheck.__file__))
    print(f"policycheck {policycheck.__version__} imported from {where} (Python {sys.version.split()[0]})")
    data = data_set(args.apps, args.data, args.out)
    limits = Limits(max_file_bytes=1 << 31)  # the 100k files are over the CLI's 64 MiB default
    gc.disable()  # as the CLI runs
    model = load_model([str(data)], limits)
    checks, htmls, size, cells = [], [], 0, 0
    for _ in range(args.repeat):
        t = time.perf_counter()
        result = run(model, Selection(), TODAY)
        cells = len(result.matrix)
        checks.append(time.perf_counter() - t)
        t = time.perf_counter()
        size = len(render("html", result))
        htmls.append(time.perf_counter() - t)
        del result
        gc.collect()
    del model
    gc.collect()
    export = json.loads((data / "export.json").read_text())
    for i, app in enumerate(export["applications"]):
        if i % 7 == 0 and app.get("grants"):
            app["grants"][0]["status"] = "pending"
    args.out.mkdir(parents=True, exist_ok=True)
    after_path = args.out / f"n{args.apps}-after.json"
    after_path.write_text(json.dumps(export))
    del export
    loads, diffs, found = [], [], 0
    for _ in range(args.repeat):
        t = time.perf_counter()
        before = load_model([str(data / "policy.json")], limits, exports=[str(data / "export.json")])
        after = load_model([str(data / "policy.json")], limits, exports=[str(after_path)])
        loads.append(time.perf_counter() - t)
        t = time.perf_counter()
        found = len(run(after, Selection(select=("PC301", "PC302")), TODAY, before=before).findings)
        diffs.append(time.perf_counter() - t)
        del before, after
        gc.collect()
    med = statistics.median
    print(f"review outputs, {args.apps:,} applications ({data}), medians of {args.repeat}")
    print(f"  load average (1/5/15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"  check with the access matrix: {med(checks):.2f} s ({cells:,} cells)")
    print(f"  render --format html:        {med(htmls):.2f} s ({size / 1e6:.1f} MB)")
    print(f"  diff: load both exports:     {med(loads):.2f} s")
    print(f"  diff: compare and report:    {med(diffs):.2f} s ({found:,} findings)")


if __name__ == "__main__":
    main()
