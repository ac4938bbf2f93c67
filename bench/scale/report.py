"""Writes bench/results/scale.md and scale.json from ScaleBench.java's and peer_opendp.py's JSON.

usage: report.py <results dir> <rows> <heap> <load before/after> <parquet bytes> <ours.json> <peer.json>
"""
import json
import math
import os
import platform
import subprocess
import sys
from datetime import datetime, timezone

QUERIES = [("mean", "DP mean"), ("filtered_mean", "DP mean, filtered (smoker = yes)"),
           ("group_by_mean", "DP mean by region (10 groups)"), ("quantile", "DP median")]
COLUMNS = 12


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


def main():
    out, rows, heap, load, parquet_bytes, ours_file, peer_file = sys.argv[1:8]
    rows = int(rows)
    ours, peer = (json.load(open(f)) for f in (ours_file, peer_file))
    raw = rows * COLUMNS * 8
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    lines = [
        "# Scale benchmark: the DP query service's engine vs OpenDP's Context over Polars",
        "",
        f"Run {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on commit {commit} by `./dcr bench scale` "
        f"(bench/scale/run.sh); raw numbers in scale.json beside this file.",
        "",
        f"{rows:,} rows x {COLUMNS} columns (6 numeric, 6 categorical; bench/scale/generate.py, seed 17), "
        f"read from Parquet ({int(parquet_bytes) / 1e6:,.0f} MB). Raw column bytes (8 a value): {raw / 1e9:.2f} GB; "
        f"our JVM heap: {heap}. Load average before/after: {load}.",
        "",
        f"- ours: {ours['engine']} through `DpQueryEngine` (charged in a SQLite ledger; noise and privacy maps "
        "from OpenDP through our JNI binding)",
        f"- peer: {peer['engine']}, the same queries at the same ε (1.0 each), bounds and 1,024 quantile candidates",
        "",
        "| measure | ours | peer | ours/peer | goal met |",
        "| --- | ---: | ---: | ---: | --- |",
        f"| load (s) | {ours['load_s']:.2f} | {peer['load_s']:.2f} | {ours['load_s'] / peer['load_s']:.2f} | - |",
    ]
    met = 0
    for key, label in QUERIES:
        for q, name in ((0.5, "p50"), (0.95, "p95")):
            a, b = percentile(ours["queries"][key], q), percentile(peer["queries"][key], q)
            ok = a <= b
            met += ok
            lines.append(f"| {label}, {name} (ms) | {a:.1f} | {b:.1f} | {a / b:.2f} | {'yes' if ok else 'no: slower'} |")
    rss_ok = ours["peak_rss_bytes"] <= 2 * raw
    lines.append(f"| peak RSS (GB) | {ours['peak_rss_bytes'] / 1e9:.2f} | {peer['peak_rss_bytes'] / 1e9:.2f} | "
                 f"{ours['peak_rss_bytes'] / peer['peak_rss_bytes']:.2f} | "
                 f"{'yes' if rss_ok else 'no'}: goal at most 2x raw ({2 * raw / 1e9:.2f} GB) |")
    lines += [
        "",
        f"Goals (issue 17): every query no slower than the peer: {met} of {2 * len(QUERIES)} rows; peak RSS at most "
        f"2x the raw column bytes: {'met' if rss_ok else 'not met'}; a dataset larger than the heap served without "
        f"an out-of-memory error: {'met' if raw > 2 * parse_heap(heap) else 'not shown at this size'} "
        f"({raw / 1e9:.2f} GB of columns, heap {heap}).",
        "",
        "## Method",
        f"- Each query once to warm up, then {len(ours['queries']['mean'])} timed runs; p50 and p95 of those.",
        "- Ours answers from DuckDB: one pass over every row per aggregate (no WHERE, so the work does not depend on "
        "the filter), OpenDP's noise on the exact aggregate; a median reads each distinct value's count from DuckDB "
        "and runs OpenDP's quantile on the values. Ours loads into DuckDB, applying the policy (load column).",
        "- The peer's LazyFrame is `pl.scan_parquet`: Polars reads the file at each release (over an in-memory frame "
        "OpenDP serializes the data into each query's plan); its load column is the time to read the file once.",
        "- Peak RSS: VmHWM of our JVM (heap and DuckDB's native memory) and ru_maxrss of the peer's Python.",
        "",
        "## Machine",
        f"- nproc: {os.cpu_count()}; {platform.platform()}",
    ]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "scale.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(out, "scale.json"), "w") as f:
        json.dump({"rows": rows, "heap": heap, "load_average": load, "ours": ours, "peer": peer}, f, indent=1)


def parse_heap(heap):
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    return int(heap[:-1]) * units[heap[-1].lower()] if heap[-1].lower() in units else int(heap)


if __name__ == "__main__":
    main()
