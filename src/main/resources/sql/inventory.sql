-- Statements of the inventory domain: stores, stock and the durable ledger of holds.
-- Postgres is the truth: per SKU, on-hand is stock_items.on_hand, held and reserved are the sums of the
-- ledger lines in state HELD and RESERVED. Redis is a projection of exactly these figures.

-- name: upsert-store
INSERT INTO stores (store_id, name, lat, lon, opens_at, closes_at, time_zone, preparation_minutes, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (store_id) DO UPDATE
   SET name = EXCLUDED.name, lat = EXCLUDED.lat, lon = EXCLUDED.lon, opens_at = EXCLUDED.opens_at,
       closes_at = EXCLUDED.closes_at, time_zone = EXCLUDED.time_zone,
       preparation_minutes = EXCLUDED.preparation_minutes, updated_at = EXCLUDED.updated_at
RETURNING *

-- name: store-exists
SELECT 1 FROM stores WHERE store_id = $1

-- name: all-stores
SELECT store_id FROM stores ORDER BY store_id

-- name: lock-stock
-- The row lock serialises on-hand changes of one SKU across instances while Redis applies them.
SELECT on_hand, price_amount, currency FROM stock_items WHERE store_id = $1 AND sku = $2 FOR UPDATE

-- name: upsert-stock
INSERT INTO stock_items (store_id, sku, on_hand, price_amount, currency, updated_at)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (store_id, sku) DO UPDATE
   SET on_hand = EXCLUDED.on_hand, price_amount = EXCLUDED.price_amount, currency = EXCLUDED.currency,
       updated_at = EXCLUDED.updated_at

-- name: set-on-hand
UPDATE stock_items SET on_hand = $3, updated_at = $4 WHERE store_id = $1 AND sku = $2

-- name: find-adjustment
SELECT sku, delta, on_hand_after FROM stock_adjustments WHERE store_id = $1 AND idempotency_key = $2

-- name: insert-adjustment
INSERT INTO stock_adjustments (store_id, idempotency_key, sku, delta, reason, on_hand_after, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)

-- name: find-stock
SELECT on_hand, price_amount, currency FROM stock_items WHERE store_id = $1 AND sku = $2

-- name: list-stock
SELECT sku, on_hand, price_amount, currency FROM stock_items
 WHERE store_id = $1 AND sku > $2
 ORDER BY sku
 LIMIT $3

-- name: quote
-- One row per known SKU; a store without any of them still answers one row with a null sku.
SELECT s.lat, s.lon, s.opens_at, s.closes_at, s.time_zone, s.preparation_minutes, i.sku, i.price_amount, i.currency
  FROM stores s
  LEFT JOIN stock_items i ON i.store_id = s.store_id AND i.sku = ANY ($2)
 WHERE s.store_id = $1

-- name: claim-holds
-- Claims a batch of holds before Redis is asked (one row per order; the arrays run in parallel). A repeat
-- of a refused hold (REJECTED) may try again; any other state is answered as it is, and a RELEASED or
-- DEDUCTED order is never held again.
INSERT INTO stock_holds (order_id, store_id, lines, state, expires_at, created_at, updated_at)
SELECT claim.order_id, claim.store_id, claim.lines, 'HELD', claim.expires_at, $5, $5
  FROM unnest($1::uuid[], $2::text[], $3::jsonb[], $4::timestamptz[]) AS claim (order_id, store_id, lines, expires_at)
ON CONFLICT (order_id) DO UPDATE
   SET state = CASE WHEN stock_holds.state = 'REJECTED' THEN 'HELD' ELSE stock_holds.state END,
       updated_at = EXCLUDED.updated_at
RETURNING order_id, state

-- name: reject-hold
UPDATE stock_holds SET state = 'REJECTED', updated_at = $2 WHERE order_id = $1 AND state = 'HELD'

-- name: record-commits
-- Holds that became reservations, many orders in one statement.
UPDATE stock_holds SET state = 'RESERVED', updated_at = $2 WHERE order_id = ANY ($1) AND state = 'HELD'

-- name: record-release
-- Also records a release of an order that never held anything: a late hold then finds RELEASED.
-- Answers the row's state afterwards: RELEASED, or DEDUCTED when the order was picked up before. A closed
-- row is written unchanged rather than skipped, so the answer is always the row this statement locked, as
-- the last writer committed it: a separate read would use the statement's snapshot, which still shows a
-- row that a concurrent release has just closed as RESERVED (and Redis's record would be set back to it).
INSERT INTO stock_holds (order_id, store_id, lines, state, created_at, updated_at)
VALUES ($1, $2, $3, 'RELEASED', $4, $4)
ON CONFLICT (order_id) DO UPDATE
   SET state = CASE WHEN stock_holds.state IN ('HELD', 'RESERVED', 'REJECTED') THEN 'RELEASED'
                    ELSE stock_holds.state END,
       updated_at = CASE WHEN stock_holds.state IN ('HELD', 'RESERVED', 'REJECTED') THEN EXCLUDED.updated_at
                         ELSE stock_holds.updated_at END
RETURNING state

-- name: record-deduct
-- On-hand stock drops exactly once per order: only the statement that moves the ledger row from
-- RESERVED to DEDUCTED also subtracts its lines. The stock rows are locked in SKU order first, so two
-- deductions of overlapping SKUs queue instead of deadlocking.
WITH deducted AS (
    UPDATE stock_holds SET state = 'DEDUCTED', updated_at = $2
     WHERE order_id = $1 AND state = 'RESERVED'
    RETURNING store_id, lines
), line AS (
    SELECT d.store_id, l.sku, l.quantity
      FROM deducted d, jsonb_to_recordset(d.lines) AS l (sku text, quantity integer)
), locked AS (
    SELECT s.store_id, s.sku
      FROM stock_items s JOIN line ON s.store_id = line.store_id AND s.sku = line.sku
     ORDER BY s.sku
       FOR UPDATE OF s
)
UPDATE stock_items s
   SET on_hand = s.on_hand - line.quantity, updated_at = $2
  FROM line JOIN locked ON locked.store_id = line.store_id AND locked.sku = line.sku
 WHERE s.store_id = line.store_id AND s.sku = line.sku

-- name: hold-state
SELECT state FROM stock_holds WHERE order_id = $1

-- name: committed-of-sku
-- What open holds take of one SKU, by state, as the ledger says.
SELECT coalesce(sum(CASE WHEN h.state = 'HELD' THEN l.quantity END), 0) AS held,
       coalesce(sum(CASE WHEN h.state = 'RESERVED' THEN l.quantity END), 0) AS reserved
  FROM stock_holds h, jsonb_to_recordset(h.lines) AS l (sku text, quantity integer)
 WHERE h.store_id = $1 AND h.state IN ('HELD', 'RESERVED') AND l.sku = $2

-- name: snapshot
-- Everything needed to load a store into Redis, in one statement so stock and holds come from one
-- instant (a deduction, which changes both, is seen entirely or not at all).
SELECT 'stock' AS kind, sku, on_hand, NULL::uuid AS order_id, NULL::text AS state, NULL::jsonb AS lines
  FROM stock_items WHERE store_id = $1
UNION ALL
SELECT 'hold', NULL, NULL, order_id, state, lines
  FROM stock_holds WHERE store_id = $1 AND state IN ('HELD', 'RESERVED')

-- name: snapshot-of-skus
-- The snapshot narrowed to some SKUs: their stock and the open holds with a line of any of them.
SELECT 'stock' AS kind, sku, on_hand, NULL::uuid AS order_id, NULL::text AS state, NULL::jsonb AS lines
  FROM stock_items WHERE store_id = $1 AND sku = ANY ($2)
UNION ALL
SELECT 'hold', NULL, NULL, order_id, state, lines
  FROM stock_holds h
 WHERE store_id = $1 AND state IN ('HELD', 'RESERVED')
   AND EXISTS (SELECT 1 FROM jsonb_array_elements(h.lines) l WHERE l ->> 'sku' = ANY ($2))

-- name: figures
-- Per SKU of a store, the three figures Redis should show: what the periodic check compares.
SELECT i.sku, i.on_hand,
       coalesce(sum(l.quantity) FILTER (WHERE h.state = 'HELD'), 0) AS held,
       coalesce(sum(l.quantity) FILTER (WHERE h.state = 'RESERVED'), 0) AS reserved
  FROM stock_items i
  LEFT JOIN (stock_holds h CROSS JOIN LATERAL jsonb_to_recordset(h.lines) AS l (sku text, quantity integer))
         ON h.store_id = i.store_id AND h.state IN ('HELD', 'RESERVED') AND l.sku = i.sku
 WHERE i.store_id = $1
 GROUP BY i.sku, i.on_hand
 ORDER BY i.sku
