#!/usr/bin/env bash
# The stage-2 benchmark: notebook -> image digest (cold cache, warm cache in a fresh JVM as `dcr image build`
# runs, warm JVM as the job bridge runs), and a whole `dcr run-local` of the regression tutorial with its
# steps, against two floors measured in the same run: GNU tar + gzip over the same files, and the same
# notebook run headless on the host without image or container. Writes bench/results/tee.md and tee.json.
#
# usage: ./dcr bench tee            (builds first; runs the simulator with runc when root)
#        bench/tee/run.sh           (after ./dcr build, with JAVA_HOME set to the JDK that built it)
# env:   TEE_BENCH_BUILDS  warm builds per kind (default 5); TEE_BENCH_RUNS  run-local runs (default 3)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
java=${JAVA_HOME:+$JAVA_HOME/bin/}java

jar=$(ls "$root"/tee-image/target/launcher/lib/tee-image-*.jar 2>/dev/null | head -n 1)
[ -n "$jar" ] && [ -f "$root/tee-image/target/classpath.txt" ] && [ -f "$root/kernel/target/classpath.txt" ] \
  || { echo "run.sh: build first (./dcr build, or ./dcr bench tee)" >&2; exit 1; }
classpath="$jar:$(cat "$root/tee-image/target/classpath.txt")"

"$java" --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED -cp "$classpath" \
  "$here/TeeBench.java" "$root" "${TEE_BENCH_BUILDS:-5}" "${TEE_BENCH_RUNS:-3}"
