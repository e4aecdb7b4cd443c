#!/usr/bin/env bash
# Benchmark of the hold path: holds per second and latency for 1, 2 and 5 lines per order, beside
# redis-benchmark's EVALSHA rate of the same script on the same Redis (the ceiling). Prints figures.
# Uses embedded Postgres and Redis unless OMS_PG_URL / OMS_REDIS_URL name servers.
#   BENCH_SECONDS=10 BENCH_CONCURRENCY=64 scripts/bench-holds.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
java -Xms512m -Xmx2g -cp "$OMS_CLASSPATH" com.oms.dev.bench.HoldBenchmark 2>&1 | grep --line-buffered -v ' INFO \| WARN '
