#!/usr/bin/env bash
# Open-loop load test: requests leave on a fixed schedule and latency counts from the intended send time.
# With no LOAD_URL it builds its own world (embedded Postgres and Redis, the service as its own process in
# simulation mode), seeds it, runs, waits for the service to settle and checks the invariants.
#   LOAD_RATE=200 LOAD_SECONDS=30 LOAD_MIX=place=6,lifecycle=2,read=3,cancel=1 scripts/loadtest.sh
#   LOAD_RAMP=100:100:1000 LOAD_STEP_SECONDS=10 LOAD_P99_MS=50 scripts/loadtest.sh   # find the highest rate
# All settings: README, "Load testing".
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
java -Xmx1g -cp "$OMS_CLASSPATH" com.oms.dev.bench.LoadTest 2>&1 | grep --line-buffered -v ' INFO \| WARN \|DEBUG'
exit "${PIPESTATUS[0]}"
