#!/usr/bin/env bash
# The demo through the real carrier driver: builds outdial and the Twilio or Telnyx emulator,
# starts the emulator on loopback with its example script and a freshly generated secret (passed
# through the environment, never printed or put on a command line), runs
# `outdial demo --provider twilio|telnyx` against it (REST over libcurl, signed webhooks back into
# outdial's HTTP server and durable inbox) and stops the emulator at the end.
#   scripts/demo-emulator.sh [twilio|telnyx] [extra `outdial demo` flags]
# Environment: BUILD_DIR (default build), EMULATOR_SPEED (default 10), DEMO_DB (default
# outdial-demo-<provider>.db), EMULATOR_LOG (default <DEMO_DB>.emulator.log).
set -euo pipefail
cd "$(dirname "$0")/.."

PROVIDER=${1:-twilio}
if [ $# -gt 0 ]; then shift; fi
case "$PROVIDER" in
  twilio | telnyx) ;;
  *)
    echo "usage: $0 [twilio|telnyx] [outdial demo flags]" >&2
    exit 2
    ;;
esac
BUILD_DIR=${BUILD_DIR:-build}
SPEED=${EMULATOR_SPEED:-10}
DB=${DEMO_DB:-outdial-demo-$PROVIDER.db}
EMU_LOG=${EMULATOR_LOG:-$DB.emulator.log}
# Ten calls at once and ten starts a second on both sides: the account limits the dialer paces to
# (OUTDIAL_PACE_*) match what the emulator enforces, and ~170 calls finish in about a minute.
LINES=10

command -v cmake >/dev/null || ./scripts/setup.sh
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD_DIR" --target outdial "$PROVIDER-emulator" -j"$(nproc)"

secret() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
EMU_OUT=$(mktemp)
EMU_PID=
cleanup() {
  if [ -n "$EMU_PID" ] && kill -0 "$EMU_PID" 2>/dev/null; then
    kill "$EMU_PID" 2>/dev/null || true
    wait "$EMU_PID" 2>/dev/null || true
  fi
  rm -f "$EMU_OUT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Starts the emulator in the background (port 0: the kernel picks one) and waits for its
# "listening on" line.
wait_listening() {
  for _ in $(seq 1 100); do
    if grep -q "listening on" "$EMU_OUT"; then return 0; fi
    if ! kill -0 "$EMU_PID" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "$PROVIDER-emulator did not start; its log: $EMU_LOG" >&2
  cat "$EMU_OUT" >&2
  exit 1
}

if [ "$PROVIDER" = twilio ]; then
  export TWILIO_EMULATOR_AUTH_TOKEN
  TWILIO_EMULATOR_AUTH_TOKEN=$(secret)
  SID=AC00000000000000000000000000000000
  "$BUILD_DIR/tools/twilio_emulator/twilio-emulator" --port 0 --account-sid "$SID" \
    --script tools/twilio_emulator/example_script.json --speed "$SPEED" --cps "$LINES" \
    --max-concurrency "$LINES" --quiet >"$EMU_OUT" 2>"$EMU_LOG" &
  EMU_PID=$!
  wait_listening
  BASE=$(sed -n 's|.*listening on \(http://[^ ]*\).*|\1|p' "$EMU_OUT" | head -1)
  echo "twilio-emulator at $BASE (speed ${SPEED}x, example script; log $EMU_LOG)"
  export OUTDIAL_TWILIO_API_BASE=$BASE OUTDIAL_TWILIO_ACCOUNT_SID=$SID
  export OUTDIAL_TWILIO_AUTH_TOKEN=$TWILIO_EMULATOR_AUTH_TOKEN
  export OUTDIAL_PACE_CPS=$LINES
else
  export TELNYX_EMULATOR_API_KEY
  TELNYX_EMULATOR_API_KEY=$(secret)
  CONN=demo-connection
  "$BUILD_DIR/tools/telnyx_emulator/telnyx-emulator" --port 0 --connection-id "$CONN" \
    --script tools/telnyx_emulator/example_script.json --speed "$SPEED" --concurrency "$LINES" \
    >"$EMU_OUT" 2>"$EMU_LOG" &
  EMU_PID=$!
  wait_listening
  BASE=$(sed -n 's|.*listening on \(http://[^ ]*\) public_key=.*|\1|p' "$EMU_OUT" | head -1)
  PUBLIC_KEY=$(sed -n 's|.*public_key=\([^ ]*\).*|\1|p' "$EMU_OUT" | head -1)
  echo "telnyx-emulator at $BASE (speed ${SPEED}x, example script; log $EMU_LOG)"
  export OUTDIAL_TELNYX_API_BASE=$BASE OUTDIAL_TELNYX_CONNECTION_ID=$CONN OUTDIAL_TELNYX_PUBLIC_KEY=$PUBLIC_KEY
  export OUTDIAL_TELNYX_API_KEY=$TELNYX_EMULATOR_API_KEY
  export OUTDIAL_PACE_WINDOW_SECONDS=5 OUTDIAL_PACE_WINDOW_MAX=$((LINES * 5))
fi
export OUTDIAL_PACE_MAX_CONCURRENCY=$LINES
# outdial's own webhook URL is derived from its bind address and a free port (OUTDIAL_PUBLIC_URL
# unset; OUTDIAL_PORT=0 lets the kernel pick, `--port N` asks for one).
unset OUTDIAL_PUBLIC_URL OUTDIAL_PROVIDER
export OUTDIAL_PORT=${OUTDIAL_PORT:-0}

rc=0
"$BUILD_DIR/outdial" --db "$DB" --log-level "${OUTDIAL_LOG_LEVEL:-warn}" demo --provider "$PROVIDER" "$@" || rc=$?
echo "$PROVIDER-emulator: stopping (its log of every call and webhook: $EMU_LOG)"
exit "$rc"
