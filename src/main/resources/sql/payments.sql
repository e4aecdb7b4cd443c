-- Statements of the payment domain. One payment row per order whose status only moves forward
-- (PENDING -> AUTHORIZED -> SUCCEEDED | DECLINED | FAILED -> REFUNDED), one refund row per order, and
-- every webhook event recorded once.

-- name: open-payments
-- Opens each order's payment and counts the gateway call about to be made (attempts = 1), many orders in
-- one statement (the arrays run in parallel); an order that has a payment already gets that row back
-- unchanged (opened = false). A payment inserted by a concurrent transaction may be invisible to this
-- statement: then no row comes back for its order and the caller reads it.
WITH input AS (
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::text[])
           AS t (order_id, customer_id, method, amount, currency)
), opened AS (
    INSERT INTO payments (order_id, customer_id, method, amount, currency, status, attempts, created_at, updated_at)
    SELECT order_id, customer_id, method, amount, currency, 'PENDING', 1, $6, $6 FROM input
    ON CONFLICT (order_id) DO NOTHING
    RETURNING *
)
SELECT *, true AS opened FROM opened
UNION ALL
SELECT p.*, false AS opened FROM payments p JOIN input i ON i.order_id = p.order_id
 WHERE NOT EXISTS (SELECT 1 FROM opened o WHERE o.order_id = p.order_id)

-- name: find-payment
SELECT * FROM payments WHERE order_id = $1

-- name: start-attempt
-- Counts the calls made to the gateway; more than one means an earlier call may have reached it.
UPDATE payments SET attempts = attempts + 1, updated_at = $2
 WHERE order_id = $1 AND status IN ('PENDING', 'AUTHORIZED')
RETURNING attempts

-- name: settle-payments
-- Moves payments forward only, many in one statement: to AUTHORIZED from PENDING, to SUCCEEDED, DECLINED
-- or FAILED from PENDING or AUTHORIZED. An answer for a payment that already moved on (a late or replayed
-- webhook, one arriving out of order) changes nothing and answers no row.
UPDATE payments p
   SET status = i.status, reference = COALESCE(i.reference, p.reference), decline_code = i.decline_code,
       updated_at = $5
  FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS i (order_id, status, reference, decline_code)
 WHERE p.order_id = i.order_id
   AND p.status = ANY (CASE WHEN i.status = 'AUTHORIZED' THEN ARRAY['PENDING'] ELSE ARRAY['PENDING', 'AUTHORIZED'] END)
RETURNING p.*

-- name: set-next-action
UPDATE payments SET next_action = $2, reference = COALESCE($3, reference), updated_at = $4
 WHERE order_id = $1 AND status IN ('PENDING', 'AUTHORIZED')
RETURNING *

-- name: void-payment
-- The order ended before its payment did: an answer arriving later is refunded, not accepted.
UPDATE payments SET status = 'FAILED', decline_code = 'voided', next_action = NULL, updated_at = $2
 WHERE order_id = $1 AND status IN ('PENDING', 'AUTHORIZED')
RETURNING order_id

-- name: mark-refunded
UPDATE payments SET status = 'REFUNDED', reference = COALESCE(reference, $2), refund_reference = $3, updated_at = $4
 WHERE order_id = $1 AND status IN ('SUCCEEDED', 'FAILED')

-- name: record-event
INSERT INTO payment_events (provider, event_id, order_id, event_type, payload, received_at)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (provider, event_id) DO NOTHING
RETURNING event_id

-- name: order-events
SELECT provider, event_id, event_type, received_at FROM payment_events WHERE order_id = $1 ORDER BY received_at

-- name: open-refund
INSERT INTO refunds (order_id, amount, currency, status, attempts, created_at, updated_at)
VALUES ($1, $2, $3, 'PENDING', 0, $4, $4)
ON CONFLICT (order_id) DO NOTHING

-- name: find-refund
SELECT * FROM refunds WHERE order_id = $1

-- name: refund-attempt
UPDATE refunds SET attempts = attempts + 1, status = 'PENDING', updated_at = $2
 WHERE order_id = $1 AND status <> 'SUCCEEDED'
RETURNING attempts

-- name: refund-succeeded
UPDATE refunds SET status = 'SUCCEEDED', reference = $2, last_error = NULL, updated_at = $3 WHERE order_id = $1

-- name: refund-failed
UPDATE refunds SET status = 'FAILED', last_error = $2, updated_at = $3 WHERE order_id = $1 AND status <> 'SUCCEEDED'
