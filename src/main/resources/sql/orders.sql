-- Statements of the order domain. Each transition is one statement: the guarded update, its history
-- row and, when the transition tells the customer something, its outbox row commit together.

-- name: insert-order
-- Records a new order unless its customer already has $15 orders waiting for payment (the cap on unpaid
-- orders, checked under a lock per customer: migration V10), and with it the claim of its stock hold in
-- inventory's ledger ($16 the lines, $17 when the hold lapses: migration V11). With an idempotency key
-- ($11), an order of the same customer, key and request ($12) placed since $18 and still alive is answered
-- instead, and nothing is written (migration V16). Always answers one row: the customer's unpaid orders
-- before this one, and the order's id, or null when the cap refused it (and nothing was written);
-- already_placed when the id is the earlier order's. The caller has the rest of a new order's row.
SELECT placed_order_id AS order_id, unpaid_before AS unpaid, already_placed
  FROM place_order($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)

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
-- Orders a partner holds: candidates for a late notice or a missed pickup, a page at a time in the order
-- they last moved, after ($2 updated_at, $3 order_id) where the previous page ended. Always from the
-- oldest, the same first page came back at every sweep while those orders stayed on the road (in transit,
-- or a pickup still ahead), and a missed pickup behind them was never looked at.
SELECT * FROM orders
 WHERE status IN ('DELIVERY_PARTNER_ASSIGNED', 'PICKED_UP') AND updated_at < $1
   AND updated_at >= $2 AND (updated_at > $2 OR order_id > $3)
 ORDER BY updated_at, order_id
 LIMIT $4

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
-- Orders whose next step is the service's to take and that have not moved for a while. The literal list
-- is the partial index's own predicate, so a plan made once for any $1 (generic plans) can use it.
SELECT order_id FROM orders
 WHERE status = ANY ($1) AND updated_at < $2
   AND status IN ('CREATED', 'PAYMENT_PENDING', 'PAYMENT_SUCCESS', 'INVENTORY_RESERVED')
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
-- $1 statuses that may be cancelled, $2 cut-off, $3 batch size, $4 now, $5 reason, $6 actor. The
-- literal NOT IN is the in-flight index's predicate, for plans made once for any $1 (generic plans).
WITH due AS (
    SELECT order_id, status AS previous
      FROM orders
     WHERE status = ANY ($1) AND created_at < $2 AND status NOT IN ('DELIVERED', 'CANCELLED', 'FAILED')
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
-- Orders in flight by status, for the status gauge: read through the in-flight index, so the cost follows
-- the orders in flight, not every order ever placed (finished ones are counted by the transition counters).
SELECT status, count(*) AS orders FROM orders
 WHERE status NOT IN ('DELIVERED', 'CANCELLED', 'FAILED')
 GROUP BY status

-- name: transition-batch
-- Moves orders to their next status, many in one statement and one commit (application-level group
-- commit): each is updated only if still at the version and status it was read at, and gets its
-- order_events row (seq = new version) and, when the customer is to be told, its outbox row in the same
-- statement. One array element per order: $1 order, $2 expected version, $3 from, $4 to,
-- $5 partner, $6 failure reason, $7 payment summary, $8 compensation pending, $9 reason, $10 actor,
-- $11 outbox event id, $12 outbox event type, $13 outbox payload; $14 the time; $15 a status the move
-- passes through first (or null), $16 its reason: such a move takes two versions and two history rows.
-- An order whose version or status moved meanwhile is not updated and not returned. At most one element
-- per order. Answers the columns that can have changed since the caller read the order (the others never
-- change after placement).
WITH raw AS (
    SELECT *
      FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[],
                  $8::boolean[], $9::text[], $10::text[], $11::uuid[], $12::text[], $13::jsonb[], $15::text[],
                  $16::text[])
           AS t (order_id, expected_version, from_status, to_status, new_partner_id, new_failure_reason,
                 new_payment, new_compensation_pending, reason, actor, event_id, event_type, payload, via_status,
                 via_reason)
), input AS (
    -- the client sends a missing element of a jsonb array as JSON null: make it SQL NULL again
    SELECT order_id, expected_version, from_status, to_status, new_partner_id, new_failure_reason,
           NULLIF(new_payment, 'null'::jsonb) AS new_payment, new_compensation_pending, reason, actor, event_id,
           event_type, NULLIF(payload, 'null'::jsonb) AS payload, via_status, via_reason
      FROM raw
), moved AS (
    UPDATE orders o
       SET status = i.to_status, version = o.version + CASE WHEN i.via_status IS NULL THEN 1 ELSE 2 END,
           updated_at = $14,
           partner_id = CASE WHEN i.to_status = 'INVENTORY_RESERVED' THEN NULL
                             ELSE COALESCE(i.new_partner_id, o.partner_id) END,
           failure_reason = COALESCE(i.new_failure_reason, o.failure_reason),
           payment = COALESCE(i.new_payment, o.payment),
           compensation_pending = i.new_compensation_pending
      FROM input i
     WHERE o.order_id = i.order_id AND o.version = i.expected_version AND o.status = i.from_status
    RETURNING o.order_id, o.status, o.version, o.payment, o.delivery, o.partner_id, o.failure_reason,
              o.compensation_pending, o.updated_at, i.from_status AS moved_from, i.reason AS moved_reason,
              i.actor AS moved_actor, i.event_id AS moved_event_id, i.event_type AS moved_event_type,
              i.payload AS moved_payload, i.via_status AS moved_via, i.via_reason AS moved_via_reason
), history AS (
    INSERT INTO order_events (order_id, seq, from_status, to_status, reason, actor, occurred_at)
    SELECT order_id, version, COALESCE(moved_via, moved_from), status, moved_reason, moved_actor, $14 FROM moved
    UNION ALL
    SELECT order_id, version - 1, moved_from, moved_via, moved_via_reason, moved_actor, $14
      FROM moved WHERE moved_via IS NOT NULL
), notice AS (
    INSERT INTO outbox (event_id, order_id, event_type, payload, created_at)
    SELECT moved_event_id, order_id, moved_event_type, moved_payload, $14 FROM moved WHERE moved_event_type IS NOT NULL
)
SELECT order_id, status, version, payment, delivery, partner_id, failure_reason, compensation_pending, updated_at
  FROM moved
