#!/usr/bin/env bash
# How many live tracking feeds one service process holds, their memory, and location report-to-feed latency.
#   TRACK_CONNECTIONS=1000,10000 TRACK_ORDERS=1000 TRACK_SECONDS=20 TRACK_REPORTS_PER_SECOND=1 scripts/bench-tracking.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# Both ends of every feed are on this machine: one descriptor per feed in each process.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
java -Xmx2g -cp "$OMS_CLASSPATH" com.oms.dev.bench.TrackingBenchmark 2>&1 | grep --line-buffered -v ' INFO \| WARN \|DEBUG'
