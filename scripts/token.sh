#!/usr/bin/env bash
# Prints a bearer token signed with the configured key (auth.jwtSecret or OMS_JWT_SECRET).
#   scripts/token.sh --sub demo-customer --role customer
#   scripts/token.sh --sub ops --role admin
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
exec java -cp "$OMS_CLASSPATH" com.oms.dev.TokenCli "$@"
