#!/usr/bin/env bash
# The timing benchmark: how long a filtered DP query takes when its filter keeps no row, half the rows or
# every row, now (the mechanism also runs on the dropped rows) and as before (kept rows only), in one run.
# Writes bench/results/timing.md (the table) and timing.json (every measurement).
#
# usage: ./dcr bench timing        (builds first)
#        bench/timing/run.sh       (after ./dcr build, with JAVA_HOME set to the JDK that built it)
# env:   TIMING_ROWS (default 200000,1000000: sizes, comma-separated), TIMING_RUNS (runs per case, default 31)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
java=${JAVA_HOME:+$JAVA_HOME/bin/}java

[ -f "$root/dp-engine/target/classpath.txt" ] || { echo "run.sh: build first (./dcr build, or ./dcr bench timing)" >&2; exit 1; }
"$java" --enable-native-access=ALL-UNNAMED -Xmx2g \
  -cp "$root/dp-engine/target/classes:$(cat "$root/dp-engine/target/classpath.txt")" \
  "$here/TimingBench.java" "${TIMING_ROWS:-200000,1000000}" "${TIMING_RUNS:-31}" "$root/bench/results"
