#!/usr/bin/env bash
# DNC index benchmark. Usage: bench/dnc/run.sh [NUMBERS=260000000] [FILE_NUMBERS=5000000]
# Builds dnc_bench in build-dnc (Release), runs it once under /usr/bin/time -v (peak RSS), and
# keeps the log in bench/data/ (gitignored). Generated flat files and the snapshot go there too.
set -euo pipefail
numbers="${1:-260000000}"
file_numbers="${2:-5000000}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${BUILD_DIR:-$root/build-dnc}"
data="$root/bench/data"
mkdir -p "$data"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null || true  # other modules may not configure yet
cmake --build "$build" --target dnc_bench -j2
log="$data/dnc_bench_${numbers}.log"
{
  echo "# $(date -u +%FT%TZ) $(nproc) cpus, load: $(cut -d' ' -f1-3 /proc/loadavg)"
  /usr/bin/time -v "$build/bench/dnc/dnc_bench" --numbers "$numbers" --file-numbers "$file_numbers" \
    --data-dir "$data/dnc_files" --snapshot "$data/dnc.snapshot" --queries 4000000 --rounds 5 2>&1 |
    grep -v -E '^\s+(Average|Exit|Swaps|File sys|Socket|Signals|Page size|Voluntary|Invol|Percent)'
  echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$log"
