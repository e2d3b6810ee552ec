#!/usr/bin/env bash
# Builds campaign_bench in its own build dir and runs it (default 100k contacts).
#   bench/campaign/run.sh [CONTACTS] [extra campaign_bench args...]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD_DIR:-$ROOT/build-bench}"
CONTACTS="${1:-100000}"
shift || true
cmake -S "$ROOT" -B "$BUILD" >/dev/null
cmake --build "$BUILD" --target campaign_bench -j2
echo "host: $(nproc) cores, $(uname -r); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
exec "$BUILD/bench/campaign/campaign_bench" --contacts "$CONTACTS" "$@"
