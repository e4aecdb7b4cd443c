-- Statements of the payment domain. One row per order; its status only ever moves forward.

-- name: open-payment
INSERT INTO payments (order_id, method, amount, currency, status, created_at, updated_at)
VALUES ($1, $2, $3, $4, 'PENDING', $5, $5)
ON CONFLICT (order_id) DO NOTHING

-- name: find-payment
SELECT * FROM payments WHERE order_id = $1

-- name: settle-payment
-- Only a PENDING payment settles; an answer that arrives after the payment was voided changes nothing
-- here (and the caller refunds it).
UPDATE payments SET status = $2, reference = $3, decline_code = $4, updated_at = $5
 WHERE order_id = $1 AND status = 'PENDING'
RETURNING order_id

-- name: void-payment
UPDATE payments SET status = 'FAILED', decline_code = 'voided', updated_at = $2
 WHERE order_id = $1 AND status = 'PENDING'
RETURNING order_id

-- name: mark-refunded
UPDATE payments SET status = 'REFUNDED', reference = COALESCE(reference, $2), refund_reference = $3, updated_at = $4
 WHERE order_id = $1 AND status IN ('SUCCEEDED', 'FAILED')
