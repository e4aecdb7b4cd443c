-- One order placement as the service issues it, all in ONE transaction: the ceiling of one placement
-- per transaction. Each statement is the text of src/main/resources/sql with one order's values: the
-- batch statements (transitions, hold claims, reservations, notifications) with arrays of one element,
-- as the service sends them when an order is alone in its batch. A card order of two lines, placed and
-- driven to DELIVERY_PARTNER_ASSIGNED (reservation and assignment in one transition, as the service
-- writes them when a partner is free), and the relay's writes for its two notices, the confirmation by
-- email and push, the assignment by push only (notification.eventChannels): leased from the outbox, then
-- recorded once sent. The relay's scans, which serve many
-- orders per query, are left out, as are the expiry and sweeper scans. Run with the service's session
-- settings (generic plans): scripts/bench.sh does.
\set customer random(0, 9999)
BEGIN;
SELECT gen_random_uuid() AS oid, gen_random_uuid() AS e1, gen_random_uuid() AS e2, gen_random_uuid() AS n1,
       gen_random_uuid() AS n2, gen_random_uuid() AS n3 \gset
-- CREATED with its hold's claim, unless the customer has too many unpaid orders (the quote is the
-- service's, from memory)
SELECT placed_order_id AS order_id, unpaid_before AS unpaid, already_placed
  FROM place_order(:oid, 'load-cust-' || :customer, 'ceiling-store', 'INR', 2000,
       '[{"sku": "sku-1", "quantity": 1, "unitAmount": 1000}, {"sku": "sku-2", "quantity": 1, "unitAmount": 1000}]',
       '{"method": "CREDIT_CARD", "status": "PENDING", "reference": null, "nextAction": null}', '{"token": "tok_visa"}',
       '{"address": "1 Load Street", "location": {"lat": 8.01, "lon": 77.6}, "pickupAt": null, "pickupLocation": {"lat": 8.0, "lon": 77.6}, "expectedPickupAt": null}',
       '{"email": "load@example.com"}', NULL, md5(:oid), now(), 'customer:' || 'load', 5,
       '[{"sku": "sku-1", "quantity": 1}, {"sku": "sku-2", "quantity": 1}]', now() + interval '15 minutes',
       now() - interval '24 hours');
-- PAYMENT_PENDING
WITH raw AS (
    SELECT *
      FROM unnest(ARRAY[:oid]::uuid[], ARRAY[1]::int[], ARRAY['CREATED']::text[], ARRAY['PAYMENT_PENDING']::text[],
                  ARRAY[NULL]::text[], ARRAY[NULL]::text[], ARRAY['null']::jsonb[], ARRAY[false]::boolean[],
                  ARRAY['stock held']::text[], ARRAY['system:' || 'saga']::text[], ARRAY[gen_random_uuid()]::uuid[],
                  ARRAY[NULL]::text[], ARRAY['null']::jsonb[], ARRAY[NULL]::text[], ARRAY[NULL]::text[])
           AS t (order_id, expected_version, from_status, to_status, new_partner_id, new_failure_reason,
                 new_payment, new_compensation_pending, reason, actor, event_id, event_type, payload, via_status,
                 via_reason)
), input AS (
    SELECT order_id, expected_version, from_status, to_status, new_partner_id, new_failure_reason,
           NULLIF(new_payment, 'null'::jsonb) AS new_payment, new_compensation_pending, reason, actor, event_id,
           event_type, NULLIF(payload, 'null'::jsonb) AS payload, via_status, via_reason
      FROM raw
), moved AS (
    UPDATE orders o
       SET status = i.to_status, version = o.version + CASE WHEN i.via_status IS NULL THEN 1 ELSE 2 END,
           updated_at = now(),
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
    SELECT order_id, version, COALESCE(moved_via, moved_from), status, moved_reason, moved_actor, now() FROM moved
    UNION ALL
    SELECT order_id, version - 1, moved_from, moved_via, moved_via_reason, moved_actor, now()
      FROM moved WHERE moved_via IS NOT NULL
), notice AS (
    INSERT INTO outbox (event_id, order_id, event_type, payload, created_at)
    SELECT moved_event_id, order_id, moved_event_type, moved_payload, now() FROM moved WHERE moved_event_type IS NOT NULL
)
SELECT order_id, status, version, payment, delivery, partner_id, failure_reason, compensation_pending, updated_at
  FROM moved;
-- payment: opened with its first gateway call counted, then settled
WITH input AS (
    SELECT * FROM unnest(ARRAY[:oid]::uuid[], ARRAY['load-cust-' || :customer]::text[], ARRAY['CREDIT_CARD']::text[],
                         ARRAY[2000]::bigint[], ARRAY['INR']::text[])
           AS t (order_id, customer_id, method, amount, currency)
), opened AS (
    INSERT INTO payments (order_id, customer_id, method, amount, currency, status, attempts, created_at, updated_at)
    SELECT order_id, customer_id, method, amount, currency, 'PENDING', 1, now(), now() FROM input
    ON CONFLICT (order_id) DO NOTHING
    RETURNING *
)
SELECT *, true AS opened FROM opened
UNION ALL
SELECT p.*, false AS opened FROM payments p JOIN input i ON i.order_id = p.order_id
 WHERE NOT EXISTS (SELECT 1 FROM opened o WHERE o.order_id = p.order_id);
UPDATE payments p
   SET status = i.status, reference = COALESCE(i.reference, p.reference), decline_code = i.decline_code,
       updated_at = now()
  FROM unnest(ARRAY[:oid]::uuid[], ARRAY['SUCCEEDED']::text[], ARRAY['ch_' || md5(:oid)]::text[], ARRAY[NULL]::text[])
       AS i (order_id, status, reference, decline_code)
 WHERE p.order_id = i.order_id
   AND p.status = ANY (CASE WHEN i.status = 'AUTHORIZED' THEN ARRAY['PENDING'] ELSE ARRAY['PENDING', 'AUTHORIZED'] END)
RETURNING p.*;
-- PAYMENT_SUCCESS, with the confirmation notice in the outbox
WITH raw AS (
    SELECT *
      FROM unnest(ARRAY[:oid]::uuid[], ARRAY[2]::int[], ARRAY['PAYMENT_PENDING']::text[], ARRAY['PAYMENT_SUCCESS']::text[],
                  ARRAY[NULL]::text[], ARRAY[NULL]::text[],
                  ARRAY['{"method": "CREDIT_CARD", "status": "SUCCEEDED", "reference": "ch_x", "nextAction": null}']::jsonb[],
                  ARRAY[false]::boolean[], ARRAY['payment succeeded']::text[], ARRAY['system:' || 'saga']::text[],
                  ARRAY[:e1]::uuid[], ARRAY['ORDER_CONFIRMED']::text[],
                  ARRAY['{"status": "PAYMENT_SUCCESS", "contact": {"email": "load@example.com"}}']::jsonb[],
                  ARRAY[NULL]::text[], ARRAY[NULL]::text[])
           AS t (order_id, expected_version, from_status, to_status, new_partner_id, new_failure_reason,
                 new_payment, new_compensation_pending, reason, actor, event_id, event_type, payload, via_status,
                 via_reason)
), input AS (
    SELECT order_id, expected_version, from_status, to_status, new_partner_id, new_failure_reason,
           NULLIF(new_payment, 'null'::jsonb) AS new_payment, new_compensation_pending, reason, actor, event_id,
           event_type, NULLIF(payload, 'null'::jsonb) AS payload, via_status, via_reason
      FROM raw
), moved AS (
    UPDATE orders o
       SET status = i.to_status, version = o.version + CASE WHEN i.via_status IS NULL THEN 1 ELSE 2 END,
           updated_at = now(),
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
    SELECT order_id, version, COALESCE(moved_via, moved_from), status, moved_reason, moved_actor, now() FROM moved
    UNION ALL
    SELECT order_id, version - 1, moved_from, moved_via, moved_via_reason, moved_actor, now()
      FROM moved WHERE moved_via IS NOT NULL
), notice AS (
    INSERT INTO outbox (event_id, order_id, event_type, payload, created_at)
    SELECT moved_event_id, order_id, moved_event_type, moved_payload, now() FROM moved WHERE moved_event_type IS NOT NULL
)
SELECT order_id, status, version, payment, delivery, partner_id, failure_reason, compensation_pending, updated_at
  FROM moved;
-- reservation
UPDATE stock_holds SET state = 'RESERVED', updated_at = now() WHERE order_id = ANY (ARRAY[:oid]::uuid[]) AND state = 'HELD';
-- assignment
WITH candidate AS (
    SELECT partner_id
      FROM partners
     WHERE available AND active_deliveries < capacity AND lat IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM deliveries WHERE order_id = :oid)
       AND lat BETWEEN 8.0::float8 - 15::float8 / 111.0 AND 8.0::float8 + 15::float8 / 111.0
       AND (abs(77.6::float8) + 15::float8 / (111.0 * greatest(cos(radians(8.0::float8)), 0.01)) >= 180
            OR lon BETWEEN 77.6::float8 - 15::float8 / (111.0 * greatest(cos(radians(8.0::float8)), 0.01))
                       AND 77.6::float8 + 15::float8 / (111.0 * greatest(cos(radians(8.0::float8)), 0.01)))
       AND partner_id NOT IN (SELECT partner_id FROM delivery_attempts WHERE order_id = :oid)
       AND great_circle_km(8.0, 77.6, lat, lon) <= 15
     ORDER BY great_circle_km(8.0, 77.6, lat, lon), last_assigned_at NULLS FIRST, partner_id
     LIMIT 1
       FOR UPDATE SKIP LOCKED
), taken AS (
    UPDATE partners p
       SET active_deliveries = p.active_deliveries + 1, last_assigned_at = now(), updated_at = now()
      FROM candidate c
     WHERE p.partner_id = c.partner_id
    RETURNING p.partner_id
)
INSERT INTO deliveries (order_id, partner_id, store_id, status, pickup_lat, pickup_lon, dropoff, assigned_at,
                        expected_pickup_at, updated_at)
SELECT :oid, partner_id, 'ceiling-store', 'ASSIGNED', 8.0, 77.6, '{"address": "1 Load Street"}', now(), now() + interval '15 minutes', now()
  FROM taken
RETURNING partner_id;
-- INVENTORY_RESERVED, then DELIVERY_PARTNER_ASSIGNED, with the assignment notice in the outbox
WITH raw AS (
    SELECT *
      FROM unnest(ARRAY[:oid]::uuid[], ARRAY[3]::int[], ARRAY['PAYMENT_SUCCESS']::text[],
                  ARRAY['DELIVERY_PARTNER_ASSIGNED']::text[],
                  ARRAY[(SELECT partner_id FROM deliveries WHERE order_id = :oid)]::text[], ARRAY[NULL]::text[],
                  ARRAY['null']::jsonb[], ARRAY[false]::boolean[], ARRAY['partner assigned']::text[],
                  ARRAY['system:' || 'saga']::text[], ARRAY[:e2]::uuid[], ARRAY['PARTNER_ASSIGNED']::text[],
                  ARRAY['{"status": "DELIVERY_PARTNER_ASSIGNED", "contact": {"email": "load@example.com"}}']::jsonb[],
                  ARRAY['INVENTORY_RESERVED']::text[], ARRAY['stock reserved']::text[])
           AS t (order_id, expected_version, from_status, to_status, new_partner_id, new_failure_reason,
                 new_payment, new_compensation_pending, reason, actor, event_id, event_type, payload, via_status,
                 via_reason)
), input AS (
    SELECT order_id, expected_version, from_status, to_status, new_partner_id, new_failure_reason,
           NULLIF(new_payment, 'null'::jsonb) AS new_payment, new_compensation_pending, reason, actor, event_id,
           event_type, NULLIF(payload, 'null'::jsonb) AS payload, via_status, via_reason
      FROM raw
), moved AS (
    UPDATE orders o
       SET status = i.to_status, version = o.version + CASE WHEN i.via_status IS NULL THEN 1 ELSE 2 END,
           updated_at = now(),
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
    SELECT order_id, version, COALESCE(moved_via, moved_from), status, moved_reason, moved_actor, now() FROM moved
    UNION ALL
    SELECT order_id, version - 1, moved_from, moved_via, moved_via_reason, moved_actor, now()
      FROM moved WHERE moved_via IS NOT NULL
), notice AS (
    INSERT INTO outbox (event_id, order_id, event_type, payload, created_at)
    SELECT moved_event_id, order_id, moved_event_type, moved_payload, now() FROM moved WHERE moved_event_type IS NOT NULL
)
SELECT order_id, status, version, payment, delivery, partner_id, failure_reason, compensation_pending, updated_at
  FROM moved;
-- the two notices, by three channels in all: leased from the outbox, sent, then recorded in the state their
-- first attempt left them (SENT) with the events marked dispatched, in one statement
UPDATE outbox o SET lease_until = now() + interval '60 seconds'
 WHERE o.event_id IN (:e1, :e2)
RETURNING o.event_id, o.order_id, o.event_type, o.payload,
          ARRAY(SELECT n.channel FROM notifications n WHERE n.event_id = o.event_id) AS recorded;
WITH recorded AS (
    INSERT INTO notifications (id, event_id, order_id, event_type, channel, recipient, status, attempts,
                               next_attempt_at, last_error, sent_at, created_at)
    SELECT n.id, n.event_id, n.order_id, n.event_type, n.channel, n.recipient, n.status, n.attempts,
           n.next_attempt_at, n.last_error, n.sent_at, now()
      FROM unnest(ARRAY[:n1, :n2, :n3]::uuid[], ARRAY[:e1, :e1, :e2]::uuid[],
                  ARRAY[:oid, :oid, :oid]::uuid[],
                  ARRAY['ORDER_CONFIRMED', 'ORDER_CONFIRMED', 'PARTNER_ASSIGNED']::text[],
                  ARRAY['EMAIL', 'PUSH', 'PUSH']::text[],
                  ARRAY['load@example.com', 'load', 'load']::text[],
                  ARRAY['SENT', 'SENT', 'SENT']::text[], ARRAY[1, 1, 1]::int[],
                  ARRAY[now(), now(), now()]::timestamptz[], ARRAY[NULL, NULL, NULL]::text[],
                  ARRAY[now(), now(), now()]::timestamptz[])
           AS n (id, event_id, order_id, event_type, channel, recipient, status, attempts, next_attempt_at,
                 last_error, sent_at)
    ON CONFLICT (event_id, channel) DO NOTHING
)
UPDATE outbox SET dispatched_at = now(), lease_until = NULL WHERE event_id = ANY (ARRAY[:e1, :e2]::uuid[]);
END;
