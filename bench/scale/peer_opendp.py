"""The peer in the scale benchmark: OpenDP's own Python `Context` over a Polars LazyFrame, doing the same
job as ours: load the data, then answer a DP mean, a filtered mean, a 10-group group-by mean and a median, each
timed. Prints one JSON object like ScaleBench.java's.

usage: peer_opendp.py <data.parquet> <rows> <repeats>
"""
import json
import resource
import sys
import time

import opendp.prelude as dp
import polars as pl

dp.enable_features("contrib")

INCOME = (0.0, 250000.0)
AGE = (18.0, 90.0)
# The same candidates as ours: 1024 evenly spaced over the declared bounds, both ends included.
CANDIDATES = [AGE[0] + (AGE[1] - AGE[0]) * i / 1023 for i in range(1024)]
REGIONS = [f"region{i}" for i in range(10)]


def main():
    path, rows, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    # Polars reads the file at each release (a LazyFrame over an in-memory frame is serialized into OpenDP's
    # plan at each release, 17 s a query at a million rows); its load is the time to read the whole file once.
    start = time.perf_counter()
    pl.read_parquet(path)
    load = time.perf_counter() - start
    queries = 4 * (repeats + 1)
    context = dp.Context.compositor(
        data=pl.scan_parquet(path),
        privacy_unit=dp.unit_of(contributions=1),
        privacy_loss=dp.loss_of(epsilon=1.0 * queries),
        split_evenly_over=queries,
        margins=[
            dp.polars.Margin(by=[], max_length=2 * rows),
            # The regions are public (declared), as our policy declares the categories.
            dp.polars.Margin(by=["region"], invariant="keys", max_length=2 * rows),
        ],
    )
    income = pl.col("income").fill_null(0.0).fill_nan(0.0)
    age = pl.col("age").fill_null(0.0).fill_nan(0.0)
    keys = pl.LazyFrame({"region": REGIONS})
    plans = {
        "mean": lambda: context.query().select(income.dp.mean(INCOME)),
        "filtered_mean": lambda: context.query().filter(pl.col("smoker") == "yes").select(income.dp.mean(INCOME)),
        "group_by_mean": lambda: context.query().group_by("region").agg(income.dp.mean(INCOME)).with_keys(keys),
        "quantile": lambda: context.query().select(age.dp.quantile(0.5, CANDIDATES)),
    }
    times = {}
    for name, plan in plans.items():
        plan().release().collect()  # warm-up
        taken = []
        for _ in range(repeats):
            t = time.perf_counter()
            plan().release().collect()
            taken.append((time.perf_counter() - t) * 1000)
        times[name] = taken
        print(f"  {name}: p50 {sorted(taken)[len(taken) // 2]:.1f} ms", file=sys.stderr)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"engine": f"OpenDP {dp.__version__} Context over Polars {pl.__version__}",
                      "load_s": load, "queries": times, "peak_rss_bytes": peak}))


if __name__ == "__main__":
    main()
