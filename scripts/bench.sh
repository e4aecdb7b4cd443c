#!/usr/bin/env bash
# The standard benchmark on this machine, written as a markdown table to target/bench-report.md: the pgbench
# ceiling (the SQL of one placement per transaction, on the same Postgres), placement at half the ceiling,
# a ramp to the highest rate with p99 under BENCH_P99_MS, saturation at the ceiling rate, full lifecycles.
# Needs pgbench on the PATH for the ceiling (Debian: postgresql-contrib); without it BENCH_CEILING is used.
# The ceiling is pgbench's best over BENCH_PGBENCH_CLIENTS (default: 1, 2 and 4 per core).
#   BENCH_SECONDS=20 BENCH_P99_MS=50 LOAD_SERVICE_HEAP=512m scripts/bench.sh
#   BENCH_CEILING_ONLY=true BENCH_PGBENCH_CLIENTS=2,4,8,16 scripts/bench.sh   # the ceiling alone
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
java -Xmx1g -cp "$OMS_CLASSPATH" com.oms.dev.bench.BenchReport 2>&1 | grep --line-buffered -v ' INFO \| WARN \|DEBUG'
exit "${PIPESTATUS[0]}"
