#!/usr/bin/env bash
# Kernel benchmark: start to first execute_reply and trivial-cell round trip, for dcr-java, JJava (PyPI
# jjava, pinned in .ci/requirements-test.txt) and ipykernel, all driven by jupyter_client in one run.
# Run through `./dcr bench kernel` (it builds first and sets DCR_PYTHON). Writes bench/results/kernel.md.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
: "${DCR_PYTHON:?run through ./dcr bench kernel}"
WORK=$(mktemp -d /tmp/dcr-kernel-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
# JJava's kernelspec runs `java` from PATH: give it the same JDK as dcr-java.
export PATH="$JAVA_HOME/bin:$PATH"
jar=$(ls "$ROOT"/kernel/target/kernel-*.jar | grep -v -e sources -e javadoc -e tests | head -n 1)
java -cp "$jar:$ROOT/kernel/target/lib/*" dev.cleanroom.kernel.jupyter.KernelSpec install \
  --java "$JAVA_HOME/bin/java" --jar "$jar" --lib "$ROOT/kernel/target/lib" --kernels-dir "$WORK/kernels" >/dev/null
# The cold start: the same kernelspec told to leave its start-up cache alone (DCR_KERNEL_CACHE=off).
cp -r "$WORK/kernels/dcr-java" "$WORK/kernels/dcr-java-cold"
"$DCR_PYTHON" - "$WORK/kernels/dcr-java-cold/kernel.json" <<'PY'
import json, sys
spec = json.load(open(sys.argv[1]))
spec["env"] = {"DCR_KERNEL_CACHE": "off"}
spec["display_name"] += " without start-up cache"
json.dump(spec, open(sys.argv[1], "w"))
PY
export JUPYTER_PATH="$WORK" JUPYTER_RUNTIME_DIR="$WORK/runtime" JUPYTER_DATA_DIR="$WORK/data"
"$DCR_PYTHON" "$ROOT/bench/kernel/kernel_bench.py" --out "$ROOT/bench/results/kernel.md" "$@"
