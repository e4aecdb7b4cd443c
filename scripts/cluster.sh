#!/usr/bin/env bash
# Three OMS members on loopback, one clustered event bus (Hazelcast on 5701-5703), API on 8081-8083.
# Member 1 starts the embedded Postgres, Redis and SMTP servers (dev mode); members 2 and 3 use its
# Postgres and Redis. With OMS_PG_URL / OMS_REDIS_URL set, all three use those. Ctrl-C stops all three.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
mkdir -p target/cluster
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait' EXIT INT TERM
member() {
  local n=$1; shift
  env OMS_CLUSTER_ENABLED=true OMS_CLUSTER_PORT=$((5700 + n)) OMS_HTTP_PORT=$((8080 + n)) "$@" \
    java ${OMS_JAVA_OPTS:--Xmx512m} -XX:-DontCompileHugeMethods -cp "$OMS_CLASSPATH" com.oms.Main > "target/cluster/member-$n.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 120); do
    if curl -sf "http://127.0.0.1:$((8080 + n))/health/ready" > /dev/null; then
      echo "member $n: http://127.0.0.1:$((8080 + n))  (log: target/cluster/member-$n.log)"
      return
    fi
    sleep 1
  done
  echo "member $n did not become ready; see target/cluster/member-$n.log" >&2
  exit 1
}
member 1
PG=${OMS_PG_URL:-postgresql://postgres:postgres@localhost:15432/oms}
REDIS=${OMS_REDIS_URL:-redis://127.0.0.1:16379}
member 2 OMS_PG_URL="$PG" OMS_REDIS_URL="$REDIS"
member 3 OMS_PG_URL="$PG" OMS_REDIS_URL="$REDIS"
echo "cluster up; tokens: scripts/token.sh --sub demo-customer --role customer. Ctrl-C stops it."
wait
