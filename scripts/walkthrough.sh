#!/usr/bin/env bash
# The README's walk through the API with curl: one order from placement to DELIVERED against a
# running dev-mode service (scripts/run.sh in another terminal). Needs curl and jq-free bash only.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BASE=${OMS_BASE_URL:-http://localhost:8080}
CUSTOMER=$(scripts/token.sh --sub demo-customer --role customer)
PARTNER=$(scripts/token.sh --sub demo-partner --role partner)
field() { sed -n "s/^{\"$1\":\"\([^\"]*\)\".*/\1/p"; }
order_status() { sed -n 's/.*"status":"\([A-Z_]*\)","version".*/\1/p'; }

echo "1. place an order (card token tok_visa, as a browser payment SDK would obtain it)"
ORDER=$(curl -sf -X POST "$BASE/v1/orders" \
  -H "Authorization: Bearer $CUSTOMER" -H 'Content-Type: application/json' \
  -H "Idempotency-Key: walk-$(date +%s%N)" \
  -d '{"storeId":"demo-store",
       "items":[{"sku":"masala-dosa","quantity":2},{"sku":"filter-coffee","quantity":1}],
       "payment":{"method":"CREDIT_CARD","card":{"token":"tok_visa"}},
       "delivery":{"address":"12 MG Road, Bengaluru","location":{"lat":12.975,"lon":77.605}},
       "contact":{"email":"me@example.com"}}')
ORDER_ID=$(echo "$ORDER" | field orderId)
echo "   order $ORDER_ID is $(echo "$ORDER" | order_status)"

echo "2. the saga pays, reserves and assigns the partner on its own; follow it with GET"
for _ in $(seq 1 50); do
  STATUS=$(curl -sf "$BASE/v1/orders/$ORDER_ID" -H "Authorization: Bearer $CUSTOMER" | order_status)
  [ "$STATUS" = "DELIVERY_PARTNER_ASSIGNED" ] && break
  sleep 0.2
done
echo "   status: $STATUS"

echo "3. the partner picks the order up, then delivers it"
curl -sf -X POST "$BASE/v1/deliveries/$ORDER_ID/status" -H "Authorization: Bearer $PARTNER" \
  -H 'Content-Type: application/json' -d '{"status":"PICKED_UP"}' >/dev/null
curl -sf -X POST "$BASE/v1/deliveries/$ORDER_ID/status" -H "Authorization: Bearer $PARTNER" \
  -H 'Content-Type: application/json' -d '{"status":"DELIVERED"}' >/dev/null

echo "4. the history"
curl -sf "$BASE/v1/orders/$ORDER_ID/events" -H "Authorization: Bearer $CUSTOMER" | tr '{' '\n' | sed -n 's/.*"to":"\([A-Z_]*\)".*/   -> \1/p'
echo
