"""The Python side of the OpenDP benchmark: the same two queries through OpenDP's own Python package,
fed the way a Python user would (a numpy array of doubles, a list of labels).

usage: opendp_bench.py <records> <loop records> <loop queries> <repeats> <warm-up queries>
Prints one JSON object (the shape every harness of this benchmark prints) on stdout.
"""

import json
import platform
import statistics
import sys
import time
from importlib.metadata import version

import numpy as np
import opendp.prelude as dp

dp.enable_features("contrib")

CATEGORIES = [f"category-{k}" for k in range(10)]
LOWER, UPPER, MEAN_SCALE, HISTOGRAM_SCALE = 0.0, 100.0, 1e-3, 1.0


def dp_mean(values):
    """clamp(0, 100) >> mean >> laplace on a vector of exactly len(values) values, construction included."""
    space = dp.vector_domain(dp.atom_domain(T=float, nan=False), size=len(values)), dp.symmetric_distance()
    measurement = (space >> dp.t.then_clamp((LOWER, UPPER)) >> dp.t.then_mean()
                   >> dp.m.then_laplace(MEAN_SCALE, MO="MaxDivergence"))
    return measurement(values)


def dp_histogram(labels):
    """count_by_categories(10 categories + "other") >> laplace, construction included."""
    space = dp.vector_domain(dp.atom_domain(T=str)), dp.symmetric_distance()
    measurement = (space >> dp.t.then_count_by_categories(CATEGORIES, null_category=True,
                                                          MO="L1Distance<i64>", TOA="i64")
                   >> dp.m.then_laplace(HISTOGRAM_SCALE, MO="MaxDivergence"))
    return measurement(labels)


def make_values(n):
    """The benchmark's data, the same formula in every harness: values in [0, 100.06]."""
    return ((np.arange(n, dtype=np.int64) * 7919) % 10007) / 100.0


def make_labels(n):
    """1 in 11 labels is "other", outside the categories."""
    names = CATEGORIES + ["other"]
    return [names[(i * 7) % 11] for i in range(n)]


def measure(query, data, loop_data, loop_queries, repeats, warmup):
    """Warms up (`warmup` loop-sized and `repeats` full-sized queries, untimed), then times one query
    `repeats` times and `loop_queries` loop-sized queries in a row."""
    for _ in range(warmup):
        query(loop_data)
    for _ in range(repeats):
        query(data)
    ms = []
    for _ in range(repeats):
        start = time.perf_counter()
        query(data)
        ms.append((time.perf_counter() - start) * 1e3)
    start = time.perf_counter()
    for _ in range(loop_queries):
        query(loop_data)
    loop_seconds = time.perf_counter() - start
    return {"query_ms_median": statistics.median(ms), "query_ms_min": min(ms), "loop_seconds": loop_seconds}


def main():
    n, loop_n, loop_queries, repeats, warmup = (int(a) for a in sys.argv[1:6])
    values, labels = make_values(n), make_labels(n)
    runtime = (f"CPython {platform.python_version()}, opendp {version('opendp')}, numpy {np.__version__}")
    result = {
        "harness": "python",
        "runtime": runtime,
        "mean": measure(dp_mean, values, values[:loop_n], loop_queries, repeats, warmup),
        "histogram": measure(dp_histogram, labels, labels[:loop_n], loop_queries, repeats, warmup),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
