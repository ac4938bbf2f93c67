#!/usr/bin/env bash
# Builds the native half of the OpenDP binding: the pinned OpenDP crate as a static archive (cargo,
# release mode only: debug builds of OpenDP's FFI accept only a few types) and the JNI shim linked
# against it into one self-contained shared library inside the module's classes, so the jar carries it.
#
# usage: build.sh <maven target dir>
# env:   DCR_CACHE   where the cargo build is cached across clones (default ~/.cache/dcr)
#        JAVA_HOME   JDK whose jni.h to compile against (default: the javac on PATH)
set -euo pipefail

target_dir=$1
here=$(cd "$(dirname "$0")" && pwd)
cargo_target=$("$here/cargo-target-dir.sh")
out_dir=$target_dir/classes/native/linux-x86_64
headers=$target_dir/native-headers

if [ -z "${JAVA_HOME:-}" ]; then
  JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
fi
for tool in cargo gcc; do
  command -v "$tool" >/dev/null || { echo "build.sh: '$tool' is needed to build the OpenDP binding; install it and retry" >&2; exit 1; }
done

archive=$cargo_target/release/libdcr_opendp_static.a
if [ ! -f "$archive" ]; then
  echo "Building OpenDP 0.16 from its crate (first build only: about 10 minutes on 2 cores; cached in $cargo_target)"
fi
cargo build --release --locked --quiet \
  --manifest-path "$here/opendp-static/Cargo.toml" --target-dir "$cargo_target"

mkdir -p "$out_dir"
# --gc-sections drops the parts of OpenDP the shim never calls; the version script exports only JNI
# entry points so OpenDP's own symbols cannot clash with another native library in the same JVM.
gcc -shared -fPIC -O2 -std=gnu11 -Wall -Wextra -Werror \
  -I"$JAVA_HOME/include" -I"$JAVA_HOME/include/linux" -I"$headers" \
  "$here/opendp_jni.c" "$archive" \
  -Wl,--gc-sections -Wl,--version-script="$here/exports.map" -Wl,-z,noexecstack \
  -lpthread -ldl -lm \
  -o "$out_dir/libdcr_opendp.so"
