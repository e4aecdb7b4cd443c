#!/usr/bin/env bash
# How long the expiry scanner takes to cancel and compensate a backlog of expired orders.
#   BENCH_ORDERS=100000 scripts/bench-expiry.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
java -Xmx2g -cp "$OMS_CLASSPATH" com.oms.dev.bench.ExpiryBacklogBenchmark 2>&1 | grep --line-buffered -v ' INFO \| WARN \|DEBUG'
