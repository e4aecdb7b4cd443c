#!/usr/bin/env bash
# Seeds a running service (LOAD_URL, default http://localhost:8080) at load-test scale through the admin
# API: LOAD_STORES stores of each kind, LOAD_SKUS SKUs each with LOAD_STOCK units, LOAD_PARTNERS_PER_STORE
# partners, and wallets for LOAD_CUSTOMERS customers. Idempotent: run it again to top stock back up.
# The tokens are signed with the configured key (conf/application.yaml or OMS_JWT_SECRET).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
java -cp "$OMS_CLASSPATH" com.oms.dev.bench.LoadWorld 2>&1 | grep --line-buffered -v ' INFO \| WARN \|DEBUG'
exit "${PIPESTATUS[0]}"
