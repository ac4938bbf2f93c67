"""Writes the scale benchmark's dataset: ROWS rows x 12 columns (6 numeric, 6 categorical), seeded, as
data.csv and data.parquet, with the policy.yaml that declares it (docs/policy.md).

usage: generate.py <rows> <out dir> [seed]

Every value lies within its declared bounds and categories, so both engines read the same rows. Written in
chunks of one million rows, so that generating ten million needs well under a gigabyte.
"""
import os
import sys

import numpy as np
import polars as pl
import pyarrow.parquet as pq

CHUNK = 1_000_000
NUMERIC = {  # name: (lower, upper, integer)
    "age": (18, 90, True),
    "income": (0, 250000, False),
    "bmi": (15, 55, False),
    "charges": (0, 65000, False),
    "score": (0, 1, False),
    "visits": (0, 50, True),
}
CATEGORICAL = {
    "region": [f"region{i}" for i in range(10)],
    "sex": ["female", "male"],
    "smoker": ["yes", "no"],
    "plan": ["bronze", "silver", "gold", "platinum"],
    "channel": ["web", "phone", "branch", "agent", "partner"],
    "tier": ["basic", "plus", "premium"],
}


def chunk(rng, n):
    columns = {}
    age = rng.integers(18, 91, n)
    columns["age"] = age.astype(np.float64)
    income = np.clip(rng.lognormal(10.5, 0.6, n), 0, 250000)
    columns["income"] = np.round(income, 2)
    columns["bmi"] = np.round(np.clip(rng.normal(30, 6, n), 15, 55), 1)
    columns["charges"] = np.round(np.clip(2000 + age * 150 + rng.gamma(2.0, 4000, n), 0, 65000), 2)
    columns["score"] = np.round(rng.beta(2, 5, n), 4)
    columns["visits"] = np.clip(rng.poisson(4, n), 0, 50).astype(np.float64)
    for name, categories in CATEGORICAL.items():
        weights = rng.dirichlet(np.ones(len(categories)) * 5)
        columns[name] = np.array(categories)[rng.choice(len(categories), n, p=weights)]
    order = ["age", "sex", "region", "income", "smoker", "bmi", "plan", "charges", "channel", "score", "tier", "visits"]
    return pl.DataFrame({name: columns[name] for name in order})


def policy_yaml(rows):
    lines = [
        "# The scale benchmark's dataset (bench/scale/generate.py): seeded, synthetic from the start.",
        "dataset: scale",
        "owner: pat",
        f"description: {rows} generated rows x 12 columns for the scale benchmark.",
        "scientists: []",
        "views: [dp-query, synthetic, mock]",
        "columns:",
    ]
    for name, (lower, upper, integer) in NUMERIC.items():
        lines.append(f"  {name}: {{type: {'integer' if integer else 'numeric'}, lower: {lower}, upper: {upper}}}")
    for name, categories in CATEGORICAL.items():
        quoted = ", ".join(f'"{c}"' for c in categories)
        lines.append(f"  {name}: {{type: categorical, categories: [{quoted}]}}")
    lines += [
        "budget:",
        "  per_scientist: {epsilon: 100000.0, delta: 1.0e-3}",
        "  per_query:     {epsilon: 10.0, delta: 1.0e-6}",
        "  dataset_total: {epsilon: 1000000.0, delta: 1.0e-2}",
        "synthetic: {epsilon: 1.0, delta: 1.0e-6}",
        "invalid_values: clamp",
        "outputs: {release: required}",
    ]
    return "\n".join(lines) + "\n"


def main():
    rows, out = int(sys.argv[1]), sys.argv[2]
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 17
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(seed)
    writer = None
    with open(os.path.join(out, "data.csv"), "wb") as csv:
        for start in range(0, rows, CHUNK):
            frame = chunk(rng, min(CHUNK, rows - start))
            frame.write_csv(csv, include_header=start == 0)
            table = frame.to_arrow()
            if writer is None:
                writer = pq.ParquetWriter(os.path.join(out, "data.parquet"), table.schema)
            writer.write_table(table)
    writer.close()
    with open(os.path.join(out, "policy.yaml"), "w") as policy:
        policy.write(policy_yaml(rows))


if __name__ == "__main__":
    main()
