#!/usr/bin/env bash
# Builds if needed and starts OMS on port 8080 (OMS_HTTP_PORT to change it). With no OMS_PG_URL or
# OMS_REDIS_URL it starts embedded Postgres and Redis with their data in .oms-dev/, seeds a demo store
# and partner, and prints ready-to-use tokens. Ctrl-C stops everything, embedded servers included.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
exec java ${OMS_JAVA_OPTS:--Xms256m -Xmx1g} -XX:-DontCompileHugeMethods -cp "$OMS_CLASSPATH" com.oms.Main "$@"
