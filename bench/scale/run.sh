#!/usr/bin/env bash
# The scale benchmark: the DP query service's engine on ROWS rows x 12 columns (bench/scale/generate.py,
# seeded) beside OpenDP's own Python Context over a Polars LazyFrame, one after the other in one run: load
# time, peak RSS, and p50/p95 of a DP mean, a filtered mean, a 10-group group-by mean and a median.
# Writes bench/results/scale.md and scale.json.
#
# usage: ./dcr bench scale           (builds first)
# env:   ROWS (10000000), REPEATS (10), HEAP (the JVM's -Xmx for ours, 400m: less than half the data's column bytes),
#        DCR_ENGINE (duckdb), DCR_DUCKDB_MEMORY (DuckDB's memory cap before it spills, 2GB),
#        DCR_CACHE (where the generated data and the peer's venv are kept, ~/.cache/dcr)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${DCR_CACHE:-$HOME/.cache/dcr}
rows=${ROWS:-10000000}
repeats=${REPEATS:-10}
heap=${HEAP:-400m}
export DCR_ENGINE=${DCR_ENGINE:-duckdb} DCR_DUCKDB_MEMORY=${DCR_DUCKDB_MEMORY:-2GB}
classes=$root/dp-engine/target/classes

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
[ -f "$root/dp-engine/target/classpath.txt" ] || { echo "run.sh: build first (./dcr build)" >&2; exit 1; }

stamp=$(sha256sum "$here/requirements.txt" | cut -c1-12)
venv=$cache/venv-bench-scale-$stamp
if [ ! -x "$venv/bin/python" ] || [ ! -f "$venv/.complete" ]; then
  say "Installing the peer (opendp[polars], pinned) into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"
  touch "$venv/.complete"
fi

data=$cache/bench-scale/rows-$rows-$(sha256sum "$here/generate.py" | cut -c1-12)
if [ ! -f "$data/policy.yaml" ]; then
  say "Generating $rows rows x 12 columns into $data (once; kept for later runs)"
  rm -rf "$data"
  "$venv/bin/python" "$here/generate.py" "$rows" "$data"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
load=$(cut -d' ' -f1 /proc/loadavg)

say "Ours: DpQueryEngine on $DCR_ENGINE, JVM heap $heap (data.parquet)"
"${JAVA_HOME:+$JAVA_HOME/bin/}java" -Xmx"$heap" --enable-native-access=ALL-UNNAMED \
  -cp "$classes:$(cat "$root/dp-engine/target/classpath.txt")" \
  "$here/ScaleBench.java" "$data/data.parquet" "$data/policy.yaml" "$repeats" >"$work/ours.json"

say "Peer: OpenDP Context over a Polars LazyFrame (data.parquet)"
"$venv/bin/python" "$here/peer_opendp.py" "$data/data.parquet" "$rows" "$repeats" >"$work/peer.json"

"$venv/bin/python" "$here/report.py" "$root/bench/results" "$rows" "$heap" "$load $(cut -d' ' -f1 /proc/loadavg)" \
  "$(du -b "$data/data.parquet" | cut -f1)" "$work/ours.json" "$work/peer.json"
say "Wrote bench/results/scale.md and scale.json"
