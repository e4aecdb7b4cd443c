-- Statements of the order domain. Each transition is one statement: the guarded update, its history
-- row and, when the transition tells the customer something, its outbox row commit together.

-- name: insert-order
WITH placed AS (
    INSERT INTO orders (order_id, customer_id, store_id, status, version, currency, total_amount, items,
                        payment, payment_instrument, delivery, contact, idempotency_key, request_hash,
                        created_at, updated_at)
    VALUES ($1, $2, $3, 'CREATED', 1, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
    RETURNING *
), history AS (
    INSERT INTO order_events (order_id, seq, from_status, to_status, reason, actor, occurred_at)
    SELECT order_id, 1, NULL, 'CREATED', 'placed', $14, $13 FROM placed
)
SELECT * FROM placed

-- name: transition
-- $1 order, $2 expected version, $3 from, $4 to, $5 time, $6 partner (or null), $7 failure reason
-- (or null), $8 payment summary (or null), $9 compensation pending, $10 reason, $11 actor,
-- $12 outbox event id, $13 outbox event type (or null: nothing to tell), $14 outbox payload
WITH moved AS (
    UPDATE orders
       SET status = $4, version = version + 1, updated_at = $5,
           -- back to waiting for a partner: the order has none
           partner_id = CASE WHEN $4 = 'INVENTORY_RESERVED' THEN NULL ELSE COALESCE($6, partner_id) END,
           failure_reason = COALESCE($7, failure_reason),
           payment = COALESCE($8, payment),
           compensation_pending = $9
     WHERE order_id = $1 AND version = $2 AND status = $3
    RETURNING *
), history AS (
    INSERT INTO order_events (order_id, seq, from_status, to_status, reason, actor, occurred_at)
    SELECT order_id, version, $3, $4, $10, $11, $5 FROM moved
), notice AS (
    INSERT INTO outbox (event_id, order_id, event_type, payload, created_at)
    SELECT $12, order_id, $13, $14, $5 FROM moved WHERE $13::text IS NOT NULL
)
SELECT * FROM moved

-- name: find-order
SELECT * FROM orders WHERE order_id = $1

-- name: update-delivery
-- Not a transition: a rescheduled pickup. Only while the order has not been picked up.
UPDATE orders SET delivery = $3 WHERE order_id = $1 AND version = $2
RETURNING *

-- name: insert-notice
-- A notice that is not a transition (a delay): its event id is derived from what it says, so the same
-- notice is written once however often the sweeper finds it due.
INSERT INTO outbox (event_id, order_id, event_type, payload, created_at)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (event_id) DO NOTHING
RETURNING event_id

-- name: on-the-road
-- Orders a partner holds: candidates for a late notice or a missed pickup.
SELECT order_id FROM orders
 WHERE status IN ('DELIVERY_PARTNER_ASSIGNED', 'PICKED_UP') AND updated_at < $1
 ORDER BY updated_at
 LIMIT $2

-- name: update-payment
-- Not a transition: the payment's next action for the customer, shown while the order waits.
UPDATE orders SET payment = $3 WHERE order_id = $1 AND status = $2

-- name: list-events
SELECT seq, from_status, to_status, reason, actor, occurred_at
  FROM order_events WHERE order_id = $1 ORDER BY seq

-- name: list-by-customer
-- keyset pagination, newest first; ($2, $3) is the last row of the previous page
SELECT * FROM orders
 WHERE customer_id = $1 AND (created_at, order_id) < ($2, $3) AND ($4::text IS NULL OR status = $4)
 ORDER BY created_at DESC, order_id DESC
 LIMIT $5

-- name: list-all
SELECT * FROM orders
 WHERE (created_at, order_id) < ($1, $2) AND ($3::text IS NULL OR status = $3)
 ORDER BY created_at DESC, order_id DESC
 LIMIT $4

-- name: stalled
-- Orders whose next step is the service's to take and that have not moved for a while.
SELECT order_id FROM orders
 WHERE status = ANY ($1) AND updated_at < $2
 ORDER BY updated_at
 LIMIT $3

-- name: compensation-pending
SELECT order_id FROM orders
 WHERE compensation_pending AND updated_at < $1
 ORDER BY updated_at
 LIMIT $2

-- name: compensation-done
-- $3: the payment summary after a refund, or null when the payment did not change
UPDATE orders SET compensation_pending = false, payment = COALESCE($3, payment)
 WHERE order_id = $1 AND version = $2

-- name: expire-due
-- Cancels a batch of orders older than the cut-off in one statement. SKIP LOCKED lets several
-- instances scan at once without waiting on each other; compensation happens afterwards, outside.
-- $1 statuses that may be cancelled, $2 cut-off, $3 batch size, $4 now, $5 reason, $6 actor
WITH due AS (
    SELECT order_id, status AS previous
      FROM orders
     WHERE status = ANY ($1) AND created_at < $2
     ORDER BY created_at
     LIMIT $3
       FOR UPDATE SKIP LOCKED
), cancelled AS (
    UPDATE orders o
       SET status = 'CANCELLED', version = o.version + 1, updated_at = $4,
           failure_reason = $5, compensation_pending = true
      FROM due
     WHERE o.order_id = due.order_id
    RETURNING o.order_id, o.customer_id, o.version, o.contact, o.total_amount, o.currency, due.previous
), history AS (
    INSERT INTO order_events (order_id, seq, from_status, to_status, reason, actor, occurred_at)
    SELECT order_id, version, previous, 'CANCELLED', $5, $6, $4 FROM cancelled
), notice AS (
    INSERT INTO outbox (event_id, order_id, event_type, payload, created_at)
    SELECT gen_random_uuid(), order_id, 'ORDER_CANCELLED',
           jsonb_build_object('orderId', order_id, 'customerId', customer_id, 'status', 'CANCELLED',
                              'reason', $5, 'contact', contact,
                              'total', jsonb_build_object('amount', total_amount, 'currency', currency)),
           $4
      FROM cancelled
)
SELECT order_id, customer_id, version, previous FROM cancelled

-- name: record-step
INSERT INTO compensation_steps (order_id, step, outcome, attempts, done_at)
VALUES ($1, $2, $3, 1, $4)
ON CONFLICT (order_id, step) DO UPDATE
   SET outcome = EXCLUDED.outcome, attempts = compensation_steps.attempts + 1, done_at = EXCLUDED.done_at

-- name: list-steps
SELECT step, outcome, attempts, done_at FROM compensation_steps WHERE order_id = $1 ORDER BY done_at, step

-- name: count-by-status
SELECT status, count(*) AS orders FROM orders GROUP BY status
