#!/usr/bin/env bash
# The synthetic-data benchmark: our MST synthesizer (dp-engine synth) against OpenDP's own MST and AIM
# (opendp[mbi], through Context.contingency_table), at the same budget on the insurance data, scored with the utility gate's measures
# (mean pairwise TVD, regression RMSE) and timed. Writes bench/results/synth.md and synth.json.
#
# usage: ./dcr bench synth            (builds first)
#        bench/synth/run.sh           (after ./dcr build, with JAVA_HOME set to the JDK that built it)
# env:   SYNTH_BENCH_RUNS  runs per synthesizer (default 10)
#        DCR_CACHE         where the peers' venv lives (default ~/.cache/dcr)
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

# The peers' pinned Python environment: OpenDP with mbi, JAX and friends stay out of the project's test venv.
stamp=$(cat "$here/requirements.txt" | sha256sum | cut -c1-12)
venv=$cache/venv-bench-synth-$stamp
if [ ! -x "$venv/bin/python" ] || [ ! -f "$venv/.complete" ]; then
  echo "==> Installing the peers (opendp[mbi], pinned) into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"
  touch "$venv/.complete"
fi
version=$("$venv/bin/pip" show opendp | sed -n 's/^Version: //p')

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

peers=()
for algorithm in mst aim; do
  mkdir -p "$work/$algorithm"
  echo "==> Peer: OpenDP $version ${algorithm^^}, $runs runs" >&2
  JAX_PLATFORMS=cpu "$venv/bin/python" -W ignore "$here/peer_opendp.py" "$algorithm" \
    "$dataset/real.csv" "$dataset/policy.yaml" "$epsilon" "$delta" "$runs" "$work/$algorithm"
  peers+=("$work/$algorithm" "OpenDP ${algorithm^^} (opendp[mbi] $version, dp.mbi.${algorithm^^}())")
done

echo "==> Ours: dp-engine Synthesizer, $runs runs, then scoring" >&2
# The JDK that built the classes (./dcr exports it); a bare `java` may be older than release 21.
"${JAVA_HOME:+$JAVA_HOME/bin/}java" --enable-native-access=ALL-UNNAMED \
  -cp "$classes:$test_classes:$(cat "$root/dp-engine/target/classpath.txt")" \
  "$here/SynthBench.java" "$dataset" "$epsilon" "$delta" "$runs" "$root/bench/results" "${peers[@]}"
