"""The peer of the synthetic-data benchmark: MST from Private-PGM (mbi, pinned in requirements.txt),
run as its authors ship it (mbi_mst/mst.py), on the same data, policy, ε and δ as ours.

MST needs discrete columns, so each numeric column is cut the way our synthesizer cuts it
(dp-engine synth/Bins.java: round widths 1, 2, 2.5 or 5 times a power of ten, edges on multiples of
the width, the smallest width giving at most 16 bins) and drawn back uniformly within a bin, as ours
does. Both synthesizers thus get the same discretisation; what differs is the algorithm after it.
The Java harness checks that the bin counts agree.

usage: peer_mst.py <real.csv> <policy.yaml> <epsilon> <delta> <runs> <out dir>
Writes <out dir>/peer-<run>.csv and <out dir>/peer.json (seconds per run, bins per column).
"""

import json
import math
import os
import sys
import time

import numpy as np
import pandas as pd
import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "mbi_mst"))
import mst  # noqa: E402  (the vendored MST, which imports mbi)
from mbi import Dataset, Domain  # noqa: E402

TARGET_BINS = 16
ROUND_STEPS = (1, 2, 2.5, 5)


class NumericBins:
    """Round-width bins over a column's declared bounds, as in Bins.java."""

    def __init__(self, lower, upper, integer):
        self.integer = integer
        self.lower = math.ceil(lower) if integer else lower
        self.upper = math.floor(upper) + 1 if integer else upper
        for exponent in range(-12, 301):
            for step in ROUND_STEPS:
                width = step * 10.0**exponent
                if integer and (width < 1 or width != round(width)):
                    continue
                first = math.floor(self.lower / width)
                last = math.ceil(self.upper / width) - 1
                if last - first + 1 <= TARGET_BINS:
                    self.width, self.first, self.size = width, first, last - first + 1
                    return
        raise ValueError("bounds too far apart")

    def bin(self, values):
        index = np.floor(np.asarray(values, dtype=float) / self.width).astype(int) - self.first
        return np.clip(index, 0, self.size - 1)

    def draw(self, bins, rng):
        start = np.maximum(self.lower, (self.first + bins) * self.width)
        end = np.minimum(self.upper, (self.first + bins + 1) * self.width)
        if self.integer:
            low, high = np.ceil(start), np.ceil(end) - 1
            return (low + np.floor(rng.random(len(bins)) * (high - low + 1))).astype(int)
        return np.round(start + rng.random(len(bins)) * (end - start), 3)


class CategoryBins:
    def __init__(self, categories):
        self.categories = list(categories)
        self.size = len(self.categories)

    def bin(self, values):
        # Values outside the declared categories are not expected in the benchmark's data.
        return np.array([self.categories.index(str(v).strip()) for v in values])

    def draw(self, bins, rng):
        return np.array(self.categories, dtype=object)[bins]


def column_bins(policy):
    bins = {}
    for name, spec in policy["columns"].items():
        kind = spec["type"]
        if kind in ("numeric", "integer"):
            bins[name] = NumericBins(float(spec["lower"]), float(spec["upper"]), kind == "integer")
        elif kind == "categorical":
            bins[name] = CategoryBins(spec["categories"])
    return bins


def main(real_csv, policy_yaml, epsilon, delta, runs, out_dir):
    with open(policy_yaml) as f:
        policy = yaml.safe_load(f)
    bins = column_bins(policy)
    real = pd.read_csv(real_csv)
    domain = Domain.fromdict({name: b.size for name, b in bins.items()})
    data = Dataset({name: b.bin(real[name]) for name, b in bins.items()}, domain)
    seconds = []
    for run in range(runs):
        # MST draws its noise and its samples from numpy's global generator.
        np.random.seed(run)
        start = time.perf_counter()
        synthetic = mst.MST(data, epsilon, delta)
        seconds.append(time.perf_counter() - start)
        rng = np.random.default_rng(run)
        codes = synthetic.to_dict()
        frame = pd.DataFrame({name: b.draw(np.asarray(codes[name]), rng) for name, b in bins.items()})
        frame.to_csv(os.path.join(out_dir, f"peer-{run}.csv"), index=False)
        print(f"peer MST run {run + 1}/{runs}: {seconds[-1]:.1f} s", file=sys.stderr)
    with open(os.path.join(out_dir, "peer.json"), "w") as f:
        json.dump({"seconds": seconds, "bins": {name: b.size for name, b in bins.items()}}, f)


if __name__ == "__main__":
    real_csv, policy_yaml, epsilon, delta, runs, out_dir = sys.argv[1:]
    main(real_csv, policy_yaml, float(epsilon), float(delta), int(runs), out_dir)
