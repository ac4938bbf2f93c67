#!/usr/bin/env bash
# The synthetic-data benchmark: our MST synthesizer (dp-engine synth) against MST from Private-PGM's
# mbi package, at the same ε and δ on the insurance data, scored with the utility gate's measures
# (mean pairwise TVD, regression RMSE) and timed. Writes bench/results/synth.md and synth.json.
#
# usage: ./dcr bench synth            (builds first)
#        bench/synth/run.sh           (after ./dcr build, with JAVA_HOME set to the JDK that built it)
# env:   SYNTH_BENCH_RUNS  runs per synthesizer (default 10)
#        DCR_CACHE         where the peer's venv lives (default ~/.cache/dcr)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${DCR_CACHE:-$HOME/.cache/dcr}
runs=${SYNTH_BENCH_RUNS:-10}
epsilon=1.0
delta=1e-6
dataset=$root/datasets/insurance

classes=$root/dp-engine/target/classes
test_classes=$root/dp-engine/target/test-classes
[ -f "$root/dp-engine/target/classpath.txt" ] && [ -d "$test_classes/dev/cleanroom/dp/synth" ] \
  || { echo "run.sh: build first (./dcr build, or ./dcr bench synth)" >&2; exit 1; }

# The peer's pinned Python environment: JAX and friends stay out of the project's test venv.
stamp=$(cat "$here/requirements.txt" | sha256sum | cut -c1-12)
venv=$cache/venv-bench-synth-$stamp
if [ ! -x "$venv/bin/python" ] || [ ! -f "$venv/.complete" ]; then
  echo "==> Installing the peer (mbi and JAX, pinned) into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"
  touch "$venv/.complete"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "==> Peer: MST from mbi $("$venv/bin/pip" show mbi | sed -n 's/^Version: //p'), $runs runs" >&2
JAX_PLATFORMS=cpu "$venv/bin/python" -W ignore "$here/peer_mst.py" \
  "$dataset/real.csv" "$dataset/policy.yaml" "$epsilon" "$delta" "$runs" "$work"

echo "==> Ours: dp-engine Synthesizer, $runs runs, then scoring" >&2
# The JDK that built the classes (./dcr exports it); a bare `java` may be older than release 21.
"${JAVA_HOME:+$JAVA_HOME/bin/}java" --enable-native-access=ALL-UNNAMED \
  -cp "$classes:$test_classes:$(cat "$root/dp-engine/target/classpath.txt")" \
  "$here/SynthBench.java" "$dataset" "$epsilon" "$delta" "$runs" "$work" "$root/bench/results" \
  "peer: MST (Private-PGM mbi $("$venv/bin/pip" show mbi | sed -n 's/^Version: //p'), mechanisms/mst.py)"
