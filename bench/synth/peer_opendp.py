"""The peers of the synthetic-data benchmark: OpenDP's own MST and AIM (`opendp[mbi]`, pinned in
requirements.txt, through `Context.contingency_table`), on the same data, policy, ε and δ as ours.

Both need discrete columns, so each numeric column is cut the way our synthesizer cuts it
(dp-engine synth/Bins.java: round widths 1, 2, 2.5 or 5 times a power of ten, edges on multiples of
the width, the smallest width giving at most 16 bins) and drawn back uniformly within a bin, as ours
does; every column reaches OpenDP as bin codes with all of its codes declared as keys. Both synthesizers
thus get the same discretisation; what differs is the algorithm after it. The Java harness checks that
the bin counts agree.

usage: peer_opendp.py <mst|aim> <real.csv> <policy.yaml> <epsilon> <delta> <runs> <out dir>
Writes <out dir>/peer-<run>.csv and <out dir>/peer.json (seconds per run, bins per column, rows with a
null the peer left, which are dropped before scoring).
"""

import json
import math
import os
import sys
import time

import numpy as np
import pandas as pd
import yaml

import opendp.prelude as dp
import polars as pl

dp.enable_features("contrib")

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


def rho_of(epsilon, delta):
    """The zCDP ρ whose (ε, δ) conversion by OpenDP gives `epsilon` at `delta`, the ρ our synthesizer spends too.

    OpenDP's contingency table refuses a δ when every column's keys are declared (no threshold is needed), so
    the peers get the same budget as zCDP, converted the way our plan converts it."""
    def epsilon_at(rho):
        scale = math.sqrt(1 / (2 * rho))
        gaussian = dp.m.make_gaussian(dp.atom_domain(T=float, nan=False), dp.absolute_distance(T=float), scale)
        return dp.c.make_zCDP_to_approxDP(gaussian).map(1.0).epsilon(delta)
    low, high = 1e-9, epsilon
    for _ in range(100):
        middle = (low + high) / 2
        low, high = (middle, high) if epsilon_at(middle) <= epsilon else (low, middle)
    # Rounded down to a multiple of 2^-20: MST's own split of an unrounded ρ can overrun it by one ulp and be
    # refused; a dyadic ρ splits exactly.
    return math.floor(low * 2**20) / 2**20


def main(algorithm, real_csv, policy_yaml, epsilon, delta, runs, out_dir):
    with open(policy_yaml) as f:
        policy = yaml.safe_load(f)
    bins = column_bins(policy)
    real = pd.read_csv(real_csv)
    codes = pl.DataFrame({name: b.bin(real[name]) for name, b in bins.items()})
    keys = {name: list(range(b.size)) for name, b in bins.items()}
    rho = rho_of(epsilon, delta)
    print(f"peers spend ρ {rho:.6f} (ε {epsilon}, δ {delta})", file=sys.stderr)
    seconds, null_rows = [], []
    for run in range(runs):
        start = time.perf_counter()
        context = dp.Context.compositor(
            data=codes.lazy(),
            privacy_unit=dp.unit_of(contributions=1),
            privacy_loss=dp.loss_of(rho=rho),
            split_evenly_over=1,
        )
        table = (context.query()
                 .contingency_table(keys=keys, algorithm=dp.mbi.MST() if algorithm == "mst" else dp.mbi.AIM())
                 .release())
        synthetic = table.synthesize(rows=len(real)).to_pandas()
        seconds.append(time.perf_counter() - start)
        complete = synthetic.dropna()
        null_rows.append(len(synthetic) - len(complete))
        rng = np.random.default_rng(run)
        frame = pd.DataFrame({name: b.draw(complete[name].to_numpy(dtype=int), rng) for name, b in bins.items()})
        frame.to_csv(os.path.join(out_dir, f"peer-{run}.csv"), index=False)
        print(f"peer OpenDP {algorithm.upper()} run {run + 1}/{runs}: {seconds[-1]:.1f} s, "
              f"{null_rows[-1]} rows with a null dropped", file=sys.stderr)
    with open(os.path.join(out_dir, "peer.json"), "w") as f:
        json.dump({"seconds": seconds, "bins": {name: b.size for name, b in bins.items()},
                   "null_rows": null_rows, "rho": rho}, f)


if __name__ == "__main__":
    algorithm, real_csv, policy_yaml, epsilon, delta, runs, out_dir = sys.argv[1:]
    main(algorithm, real_csv, policy_yaml, float(epsilon), float(delta), int(runs), out_dir)
