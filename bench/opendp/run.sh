#!/usr/bin/env bash
# The OpenDP benchmark: a DP mean and a DP histogram through our Java/JNI binding, through OpenDP's
# Python package, and through the same OpenDP C calls from plain C (the floor), one after the other in
# one run. Writes bench/results/opendp.md and opendp.json.
#
# Run it as `./dcr bench opendp`, which builds first and sets DCR_PYTHON to the pinned Python.
# env: RECORDS (1000000), LOOP_RECORDS (10000), LOOP_QUERIES (1000), REPEATS (5), WARMUP_QUERIES (200),
#      ROUNDS (3): the three harnesses run in turn, ROUNDS times, and the report takes each number from
#      its harness's best round, so that a burst of load from other processes does not decide the result.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
archive=$("$root/dp-engine/native/cargo-target-dir.sh")/release/libdcr_opendp_static.a
classes=$root/dp-engine/target/classes
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
python=${DCR_PYTHON:-}

records=${RECORDS:-1000000}
loop_records=${LOOP_RECORDS:-10000}
loop_queries=${LOOP_QUERIES:-1000}
repeats=${REPEATS:-5}
warmup=${WARMUP_QUERIES:-200}
rounds=${ROUNDS:-3}
plan=("$records" "$loop_records" "$loop_queries" "$repeats" "$warmup")

die() { printf 'bench opendp: %s\n' "$*" >&2; exit 1; }
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

[ -n "$python" ] || die "DCR_PYTHON is not set; run ./dcr bench opendp, which installs the pinned Python packages"
[ -f "$archive" ] || die "no OpenDP archive at $archive; run ./dcr build first"
[ -f "$classes/native/linux-x86_64/libdcr_opendp.so" ] || die "no dp-engine build in $classes; run ./dcr build first"
command -v gcc >/dev/null || die "gcc is needed to build the C floor (apt-get install gcc)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

say "Building the C floor against $archive"
gcc -O2 -std=gnu11 -Wall -Wextra -Werror -I"$root/dp-engine/native" "$here/opendp_bench.c" "$archive" \
  -Wl,--gc-sections -lpthread -ldl -lm -o "$work/opendp_bench"

# A query of the mean allocates three vectors of 8 MB. With glibc's default heuristics such blocks go
# back to the kernel after each query or not, depending on the process's history, and faulting them
# in again doubles a query's time in one harness but not in another. The same fixed thresholds for
# all three keep freed memory in the process, so the table compares OpenDP work and binding overhead.
export GLIBC_TUNABLES=${GLIBC_TUNABLES-glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=268435456}

outputs=()
for round in $(seq "$rounds"); do
  say "Round $round of $rounds: ${records} records per query, ${loop_queries} queries of ${loop_records}"
  say "  C floor"
  "$work/opendp_bench" "${plan[@]}" >"$work/c-$round.json"
  say "  Java (ours)"
  "$java" --enable-native-access=ALL-UNNAMED -cp "$classes" "$here/OpenDpBench.java" "${plan[@]}" \
    >"$work/java-$round.json"
  say "  Python (OpenDP's package; about a minute: its string conversion is slow)"
  "$python" "$here/opendp_bench.py" "${plan[@]}" >"$work/python-$round.json"
  outputs+=("$work/c-$round.json" "$work/java-$round.json" "$work/python-$round.json")
done

"$python" "$here/report.py" "$root/bench/results" \
  "records=$records,loop_records=$loop_records,loop_queries=$loop_queries,repeats=$repeats,warmup_queries=$warmup" \
  "${GLIBC_TUNABLES:-glibc defaults}" "${outputs[@]}"
say "Wrote bench/results/opendp.md and opendp.json"
