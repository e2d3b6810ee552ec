#!/usr/bin/env bash
# README command one: install what is missing, build outdial, run the demo on embedded defaults
# (SQLite + the simulated carrier). Extra arguments go to `outdial demo` (see `--help`).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD_DIR" --target outdial -j"$(nproc)"
exec "$BUILD_DIR/outdial" demo "$@"
