#!/usr/bin/env bash
# The notebook-libraries benchmark: %maven's resolution of a library with about ten runtime jars from Maven Central,
# cold (empty local repository) and warm (a new kernel on the same one), and the stage-2 image build without and with
# the notebook libraries layer (jars cached, and the layer's jars fetched cold); in the same run JJava's %maven of the
# same coordinates (jjava_maven.py, PyPI jjava pinned in .ci/requirements-test.txt), cold and warm. Writes
# bench/results/maven.md and maven.json. Needs Maven Central (or DCR_MAVEN_REPOSITORY for ours; JJava uses its
# default, Central); the image build needs the base runtime cached.
#
# usage: ./dcr bench maven          (builds first, sets DCR_PYTHON to the test venv's python)
#        DCR_PYTHON=... bench/maven/run.sh   (after ./dcr build, with JAVA_HOME set to the JDK that built it)
# env:   MAVEN_BENCH_COORDINATES (default org.apache.poi:poi-ooxml:5.2.5), MAVEN_BENCH_ROUNDS (default 3)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
java=${JAVA_HOME:+$JAVA_HOME/bin/}java

jar=$(ls "$root"/tee-image/target/launcher/lib/tee-image-*.jar 2>/dev/null | head -n 1)
[ -n "$jar" ] && [ -f "$root/tee-image/target/classpath.txt" ] \
  || { echo "run.sh: build first (./dcr build, or ./dcr bench maven)" >&2; exit 1; }
classpath="$jar:$(cat "$root/tee-image/target/classpath.txt")"
: "${DCR_PYTHON:?run through ./dcr bench maven, or set DCR_PYTHON to a python with jupyter_client and jjava}"
coordinates=${MAVEN_BENCH_COORDINATES:-org.apache.poi:poi-ooxml:5.2.5}
rounds=${MAVEN_BENCH_ROUNDS:-3}
export MAVEN_BENCH_LOAD_BEFORE; MAVEN_BENCH_LOAD_BEFORE=$(cat /proc/loadavg)
jjava_numbers=$(mktemp /tmp/dcr-bench-maven-jjava.XXXXXX)
trap 'rm -f "$jjava_numbers"' EXIT

# JJava's kernelspec runs `java` from PATH: give it the JDK ours runs on.
PATH="${JAVA_HOME:+$JAVA_HOME/bin:}$PATH" "$DCR_PYTHON" "$here/jjava_maven.py" \
  --coordinates "$coordinates" --rounds "$rounds" --out "$jjava_numbers"

"$java" --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED -cp "$classpath" \
  "$here/MavenBench.java" "$root" "$coordinates" "$rounds" "$jjava_numbers"
