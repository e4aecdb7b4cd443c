-- One order placement as the service issues it (captured with log_statement = all for one card order of
-- two lines, placed and driven to DELIVERY_PARTNER_ASSIGNED, then brought up to date by hand with
-- src/main/resources/sql when payments and assignment lost statements), all in ONE transaction: the
-- ceiling of one placement per transaction. The relay's per-row writes (outbox dispatched, notifications
-- leased and marked sent) are here as one statement per order; its scans, which serve many orders per
-- query, are left out, as are the expiry and sweeper scans. Each statement is the service's text with
-- the values it sent.
\set sku1 random(0, 49)
\set sku2 random(50, 99)
\set customer random(0, 9999)
BEGIN;
SELECT gen_random_uuid() AS oid, gen_random_uuid() AS e1, gen_random_uuid() AS e2, gen_random_uuid() AS e3,
       gen_random_uuid() AS e4, gen_random_uuid() AS n1, gen_random_uuid() AS n2, gen_random_uuid() AS n3,
       gen_random_uuid() AS n4 \gset
-- the cap on unpaid orders
SELECT count(*) AS unpaid FROM orders WHERE customer_id = 'load-cust-' || :customer AND status IN ('CREATED', 'PAYMENT_PENDING');
-- quote
SELECT s.lat, s.lon, s.opens_at, s.closes_at, s.time_zone, s.preparation_minutes, i.sku, i.price_amount, i.currency
  FROM stores s
  LEFT JOIN stock_items i ON i.store_id = s.store_id AND i.sku = ANY (ARRAY['sku-' || :sku1, 'sku-' || :sku2])
 WHERE s.store_id = 'ceiling-store';
-- CREATED
WITH placed AS (
    INSERT INTO orders (order_id, customer_id, store_id, status, version, currency, total_amount, items,
                        payment, payment_instrument, delivery, contact, idempotency_key, request_hash,
                        created_at, updated_at)
    VALUES (:oid, 'load-cust-' || :customer, 'ceiling-store', 'CREATED', 1, 'INR', 2000,
            '[{"sku": "sku-1", "quantity": 1, "unitAmount": 1000}, {"sku": "sku-2", "quantity": 1, "unitAmount": 1000}]',
            '{"method": "CREDIT_CARD", "status": "PENDING", "reference": null, "nextAction": null}', '{"token": "tok_visa"}',
            '{"address": "1 Load Street", "location": {"lat": 8.01, "lon": 77.6}, "pickupAt": null, "pickupLocation": {"lat": 8.0, "lon": 77.6}, "expectedPickupAt": null}',
            '{"email": "load@example.com"}', NULL, md5(:oid), now(), now())
    RETURNING *
), history AS (
    INSERT INTO order_events (order_id, seq, from_status, to_status, reason, actor, occurred_at)
    SELECT order_id, 1, NULL, 'CREATED', 'placed', 'customer:' || 'load', now() FROM placed
)
SELECT * FROM placed;
-- the hold's durable record
INSERT INTO stock_holds (order_id, store_id, lines, state, expires_at, created_at, updated_at)
SELECT claim.order_id, claim.store_id, claim.lines, 'HELD', claim.expires_at, now(), now()
  FROM unnest(ARRAY[:oid]::uuid[], ARRAY['ceiling-store']::text[],
              ARRAY['[{"sku": "sku-1", "quantity": 1}, {"sku": "sku-2", "quantity": 1}]']::jsonb[],
              ARRAY[now() + interval '15 minutes']::timestamptz[]) AS claim (order_id, store_id, lines, expires_at)
ON CONFLICT (order_id) DO UPDATE
   SET state = CASE WHEN stock_holds.state = 'REJECTED' THEN 'HELD' ELSE stock_holds.state END,
       updated_at = EXCLUDED.updated_at
RETURNING order_id, state;
-- PAYMENT_PENDING
WITH moved AS (
    UPDATE orders SET status = 'PAYMENT_PENDING', version = version + 1, updated_at = now(), compensation_pending = false
     WHERE order_id = :oid AND version = 1 AND status = 'CREATED'
    RETURNING *
), history AS (
    INSERT INTO order_events (order_id, seq, from_status, to_status, reason, actor, occurred_at)
    SELECT order_id, version, 'CREATED', 'PAYMENT_PENDING', 'stock held', 'system:' || 'saga', now() FROM moved
)
SELECT * FROM moved;
-- payment: opened with its first gateway call counted, then settled
WITH opened AS (
    INSERT INTO payments (order_id, customer_id, method, amount, currency, status, attempts, created_at, updated_at)
    VALUES (:oid, 'load-cust-' || :customer, 'CREDIT_CARD', 2000, 'INR', 'PENDING', 1, now(), now())
    ON CONFLICT (order_id) DO NOTHING
    RETURNING *
)
SELECT *, true AS opened FROM opened
UNION ALL
SELECT *, false AS opened FROM payments WHERE order_id = :oid AND NOT EXISTS (SELECT 1 FROM opened);
UPDATE payments SET status = 'SUCCEEDED', reference = COALESCE('ch_' || md5(:oid), reference), decline_code = NULL, updated_at = now()
 WHERE order_id = :oid AND status = ANY ('{PENDING,AUTHORIZED}')
RETURNING *;
-- PAYMENT_SUCCESS, with the confirmation notice in the outbox
WITH moved AS (
    UPDATE orders SET status = 'PAYMENT_SUCCESS', version = version + 1, updated_at = now(),
           payment = '{"method": "CREDIT_CARD", "status": "SUCCEEDED", "reference": "ch_x", "nextAction": null}',
           compensation_pending = false
     WHERE order_id = :oid AND version = 2 AND status = 'PAYMENT_PENDING'
    RETURNING *
), history AS (
    INSERT INTO order_events (order_id, seq, from_status, to_status, reason, actor, occurred_at)
    SELECT order_id, version, 'PAYMENT_PENDING', 'PAYMENT_SUCCESS', 'payment succeeded', 'system:' || 'saga', now() FROM moved
), notice AS (
    INSERT INTO outbox (event_id, order_id, event_type, payload, created_at)
    SELECT :e1, order_id, 'ORDER_CONFIRMED', '{"status": "PAYMENT_SUCCESS", "contact": {"email": "load@example.com"}}', now() FROM moved
)
SELECT * FROM moved;
-- reservation
UPDATE stock_holds SET state = 'RESERVED', updated_at = now() WHERE order_id = ANY (ARRAY[:oid]::uuid[]) AND state = 'HELD';
WITH moved AS (
    UPDATE orders SET status = 'INVENTORY_RESERVED', version = version + 1, updated_at = now(), partner_id = NULL,
           compensation_pending = false
     WHERE order_id = :oid AND version = 3 AND status = 'PAYMENT_SUCCESS'
    RETURNING *
), history AS (
    INSERT INTO order_events (order_id, seq, from_status, to_status, reason, actor, occurred_at)
    SELECT order_id, version, 'PAYMENT_SUCCESS', 'INVENTORY_RESERVED', 'stock reserved', 'system:' || 'saga', now() FROM moved
)
SELECT * FROM moved;
-- assignment
WITH candidate AS (
    SELECT partner_id
      FROM partners
     WHERE available AND active_deliveries < capacity AND lat IS NOT NULL
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
WITH moved AS (
    UPDATE orders SET status = 'DELIVERY_PARTNER_ASSIGNED', version = version + 1, updated_at = now(),
           partner_id = (SELECT partner_id FROM deliveries WHERE order_id = :oid), compensation_pending = false
     WHERE order_id = :oid AND version = 4 AND status = 'INVENTORY_RESERVED'
    RETURNING *
), history AS (
    INSERT INTO order_events (order_id, seq, from_status, to_status, reason, actor, occurred_at)
    SELECT order_id, version, 'INVENTORY_RESERVED', 'DELIVERY_PARTNER_ASSIGNED', 'partner assigned', 'system:' || 'saga', now() FROM moved
), notice AS (
    INSERT INTO outbox (event_id, order_id, event_type, payload, created_at)
    SELECT :e2, order_id, 'PARTNER_ASSIGNED', '{"status": "DELIVERY_PARTNER_ASSIGNED", "contact": {"email": "load@example.com"}}', now() FROM moved
)
SELECT * FROM moved;
-- the two notices, each by email and push: relayed from the outbox, recorded, leased, then marked sent
UPDATE outbox SET dispatched_at = now() WHERE event_id IN (:e1, :e2);
INSERT INTO notifications (id, event_id, order_id, event_type, channel, recipient, status, attempts, next_attempt_at, created_at)
VALUES (:n1, :e1, :oid, 'ORDER_CONFIRMED', 'EMAIL', 'load@example.com', 'PENDING', 0, now(), now()),
       (:n2, :e1, :oid, 'ORDER_CONFIRMED', 'PUSH', 'load', 'PENDING', 0, now(), now()),
       (:n3, :e2, :oid, 'PARTNER_ASSIGNED', 'EMAIL', 'load@example.com', 'PENDING', 0, now(), now()),
       (:n4, :e2, :oid, 'PARTNER_ASSIGNED', 'PUSH', 'load', 'PENDING', 0, now(), now())
ON CONFLICT (event_id, channel) DO NOTHING;
UPDATE notifications SET attempts = attempts + 1, next_attempt_at = now() + interval '60 seconds'
 WHERE id IN (:n1, :n2, :n3, :n4);
UPDATE notifications SET status = 'SENT', sent_at = now(), last_error = NULL WHERE id = ANY (ARRAY[:n1, :n2, :n3, :n4]::uuid[]);
END;
