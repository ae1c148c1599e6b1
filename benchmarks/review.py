"""Benchmark: the review outputs at scale: check with the access matrix, the HTML report, and diff.

    python benchmarks/run.py --quick      # first: it generates benchmarks/out/n10000-json
    python benchmarks/review.py [--apps 10000] [--repeat 3]

Prints medians for: `check` with the access matrix, rendering `--format html`, and
`diff` of two exports that differ in every seventh application (a grant made pending).
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from policycheck.engine import Selection, run  # noqa: E402
from policycheck.loading.inputs import load_model  # noqa: E402
from policycheck.reporters import render  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--apps", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = ROOT / "benchmarks" / "out" / f"n{args.apps}-json"
    if not data.is_dir():
        sys.exit(f"{data} is missing: run `python benchmarks/run.py --quick` first")
    gc.disable()  # as the CLI runs
    today = date(2026, 11, 28)
    model = load_model([str(data)])
    checks, htmls, size = [], [], 0
    for _ in range(args.repeat):
        t = time.perf_counter()
        result = run(model, Selection(), today)
        checks.append(time.perf_counter() - t)
        t = time.perf_counter()
        size = len(render("html", result))
        htmls.append(time.perf_counter() - t)
    export = json.loads((data / "export.json").read_text())
    for i, app in enumerate(export["applications"]):
        if i % 7 == 0 and app.get("grants"):
            app["grants"][0]["status"] = "pending"
    after_path = ROOT / "benchmarks" / "out" / f"n{args.apps}-after.json"
    after_path.write_text(json.dumps(export))
    loads, diffs, found = [], [], 0
    for _ in range(args.repeat):
        t = time.perf_counter()
        before = load_model([str(data / "policy.json")], exports=[str(data / "export.json")])
        after = load_model([str(data / "policy.json")], exports=[str(after_path)])
        loads.append(time.perf_counter() - t)
        t = time.perf_counter()
        found = len(run(after, Selection(select=("PC301", "PC302")), today, before=before).findings)
        diffs.append(time.perf_counter() - t)
    med = statistics.median
    print(f"review outputs, {args.apps:,} applications, medians of {args.repeat}")
    print(f"  check with the access matrix: {med(checks):.2f} s ({len(result.matrix):,} cells)")
    print(f"  render --format html:        {med(htmls):.2f} s ({size / 1e6:.1f} MB)")
    print(f"  diff: load both exports:     {med(loads):.2f} s")
    print(f"  diff: compare and report:    {med(diffs):.2f} s ({found:,} findings)")


if __name__ == "__main__":
    main()
