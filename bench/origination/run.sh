#!/usr/bin/env bash
# Builds origination_bench in its own build dir and runs the origination set (issue #3 §5):
#   0. the production path (--runner --ingress inbox, the `outdial serve` wiring): CampaignRunner
#      + Pacer + RealtimeDriver on SQLite, 3 campaigns, Twilio driver + webhook routes + durable
#      inbox against the emulator, at 250/s and at 200/s;
#   then the driver alone, M threads sharing one accounts::Pacer:
#   1. Twilio, pacer 250/s, account limit 250, emulator CPS 1000 (not the limiter), 10k calls;
#   2. Twilio, pacer 200/s, emulator CPS 200 (= the configured rate: its queue shows our bursts);
#   3. Telnyx, pacer 250/s + 1250 per 5 s, emulator 1250 per 5 s (429 above it);
#   4.-7. experiments: headroom alone (240 vs 250), even spacing before the pacer (--min-gap-us),
#         spacing + 3% headroom, and Telnyx with 2% headroom on the 5-s window.
#   bench/origination/run.sh [CALLS] [extra origination_bench args...]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD_DIR:-$ROOT/build-bench}"
CALLS="${1:-10000}"
shift || true
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" --target origination_bench -j2
BIN="$BUILD/bench/origination/origination_bench"
echo "host: $(nproc) cores, $(uname -r); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
run() { echo; echo "== origination_bench $*"; "$BIN" "$@" || echo "(exit $?: some place_call failed)"; }
run --runner --ingress inbox --calls "$CALLS" --rate 250 --emu-cps 1000 "$@"
run --runner --ingress inbox --calls $((CALLS * 6 / 10)) --rate 200 --emu-cps 200 "$@"
run --provider twilio --calls "$CALLS" --rate 250 --emu-cps 1000 "$@"
run --provider twilio --calls $((CALLS * 6 / 10)) --rate 200 --emu-cps 200 "$@"
run --provider telnyx --calls $((CALLS / 2)) --rate 250 --window-seconds 5 --window-max 1250 --emu-rate-per-5s 1250 "$@"
run --provider twilio --calls $((CALLS / 2)) --rate 240 --limit 250 "$@"
run --provider twilio --calls $((CALLS / 2)) --rate 250 --min-gap-us 4000 "$@"
run --provider twilio --calls $((CALLS / 2)) --rate 243 --limit 250 --min-gap-us 4100 "$@"
run --provider telnyx --calls $((CALLS / 2)) --rate 245 --window-seconds 5 --window-max 1225 --emu-rate-per-5s 1250 "$@"
