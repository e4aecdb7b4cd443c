-- Statements of the inventory domain: stores, stock and the durable ledger of holds.

-- name: upsert-store
INSERT INTO stores (store_id, name, lat, lon, updated_at)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (store_id) DO UPDATE
   SET name = EXCLUDED.name, lat = EXCLUDED.lat, lon = EXCLUDED.lon, updated_at = EXCLUDED.updated_at
RETURNING store_id, name, lat, lon, updated_at

-- name: store-exists
SELECT 1 FROM stores WHERE store_id = $1

-- name: upsert-stock
INSERT INTO stock_items (store_id, sku, on_hand, price_amount, currency, updated_at)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (store_id, sku) DO UPDATE
   SET on_hand = EXCLUDED.on_hand, price_amount = EXCLUDED.price_amount, currency = EXCLUDED.currency,
       updated_at = EXCLUDED.updated_at

-- name: find-stock
SELECT on_hand, price_amount, currency FROM stock_items WHERE store_id = $1 AND sku = $2

-- name: quote
-- One row per known SKU; a store without any of them still answers one row with a null sku.
SELECT s.lat, s.lon, i.sku, i.price_amount, i.currency
  FROM stores s
  LEFT JOIN stock_items i ON i.store_id = s.store_id AND i.sku = ANY ($2)
 WHERE s.store_id = $1

-- name: record-hold
INSERT INTO stock_holds (order_id, store_id, lines, state, created_at, updated_at)
VALUES ($1, $2, $3, 'HELD', $4, $4)
ON CONFLICT (order_id) DO NOTHING

-- name: record-commit
UPDATE stock_holds SET state = 'RESERVED', updated_at = $2 WHERE order_id = $1 AND state = 'HELD'

-- name: record-release
-- Also records a release of an order that never held anything, mirroring the Redis tombstone.
INSERT INTO stock_holds (order_id, store_id, lines, state, created_at, updated_at)
VALUES ($1, $2, $3, 'RELEASED', $4, $4)
ON CONFLICT (order_id) DO UPDATE
   SET state = 'RELEASED', updated_at = EXCLUDED.updated_at
 WHERE stock_holds.state IN ('HELD', 'RESERVED')

-- name: record-deduct
-- On-hand stock drops exactly once per order: only the statement that moves the ledger row from
-- RESERVED to DEDUCTED also subtracts its lines.
WITH deducted AS (
    UPDATE stock_holds SET state = 'DEDUCTED', updated_at = $2
     WHERE order_id = $1 AND state = 'RESERVED'
    RETURNING store_id, lines
), line AS (
    SELECT d.store_id, l.sku, l.quantity
      FROM deducted d, jsonb_to_recordset(d.lines) AS l (sku text, quantity integer)
)
UPDATE stock_items s
   SET on_hand = s.on_hand - line.quantity, updated_at = $2
  FROM line
 WHERE s.store_id = line.store_id AND s.sku = line.sku
