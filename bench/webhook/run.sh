#!/usr/bin/env bash
# Builds webhook_bench in its own build dir and runs group commit vs one commit per event (same
# server, same run), asynchronous handlers, 4 inbox shards; then the blocking-handler variant.
#   bench/webhook/run.sh [extra webhook_bench args...]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD_DIR:-$ROOT/build-bench}"
DATA="${DATA_DIR:-$BUILD/webhook-data}"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" --target webhook_bench -j2
echo "host: $(nproc) cores, $(uname -r); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
"$BUILD/bench/webhook/webhook_bench" --dir "$DATA" --modes group,single "$@"
"$BUILD/bench/webhook/webhook_bench" --dir "$DATA" --modes group-sync,single-sync --sync-threads 256 "$@"
