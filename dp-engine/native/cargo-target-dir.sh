#!/usr/bin/env bash
# Prints the cargo target folder for the OpenDP archive: $DCR_CACHE/cargo-target-<hash>, the hash taken
# over the crate's manifest (its release profile) and Cargo.lock. Clones on other commits share the cache,
# so a build with other settings gets its own folder instead of replacing the archive another clone links.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${DCR_CACHE:-$HOME/.cache/dcr}
stamp=$(cat "$here/opendp-static/Cargo.toml" "$here/opendp-static/Cargo.lock" | sha256sum | cut -c1-12)
echo "$cache/cargo-target-$stamp"
