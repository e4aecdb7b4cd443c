#!/usr/bin/env bash
# The fault suite: the service under order load is killed with SIGKILL and restarted, Redis is restarted
# (empty) and Postgres restarted; then every invariant is checked and the figures printed. Needs only JDK
# 17 and Maven: Postgres, Redis, the gateway and the messaging providers are started by the suite.
#   FAULT_PHASE_SECONDS=20 FAULT_RATE=40 scripts/fault-suite.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
java -Xmx1g -cp "$OMS_CLASSPATH" com.oms.dev.bench.FaultSuite 2>&1 | grep --line-buffered -v ' INFO \| DEBUG '
