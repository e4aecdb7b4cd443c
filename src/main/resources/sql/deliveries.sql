-- Statements of the delivery domain: partners and their assignments.

-- name: register-partner
INSERT INTO partners (partner_id, name, phone, available, capacity, created_at, updated_at)
VALUES ($1, $2, $3, false, $4, $5, $5)
ON CONFLICT (partner_id) DO NOTHING
RETURNING *

-- name: find-partner
SELECT * FROM partners WHERE partner_id = $1

-- name: set-availability
UPDATE partners
   SET available = $2, lat = COALESCE($3, lat), lon = COALESCE($4, lon), updated_at = $5
 WHERE partner_id = $1
RETURNING *

-- name: find-delivery
SELECT * FROM deliveries WHERE order_id = $1

-- name: lock-delivery
-- Serialises assignments of one order that has a delivery row (a first assignment has none to lock:
-- the primary key serialises those).
SELECT * FROM deliveries WHERE order_id = $1 FOR UPDATE

-- name: assign
-- The nearest free partner to the store (great-circle distance, within the service radius), the one
-- idle longest on a tie, never one who already declined or missed this order. The row lock with SKIP LOCKED keeps concurrent
-- assignments off each other's partner, and the capacity CHECK on partners is the final guarantee.
-- An order that has a delivery already gets no row (the caller then decides under the delivery's lock);
-- two first assignments of one order at once: the second fails on the deliveries key, rolling back its
-- partner's count. Only partners inside the radius' bounding box (in degrees) have their distance computed.
-- $1 order, $2 store lat, $3 store lon, $4 now, $5 store, $6 drop-off, $7 expected pickup, $8 max km
WITH candidate AS (
    SELECT partner_id
      FROM partners
     WHERE available AND active_deliveries < capacity AND lat IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM deliveries WHERE order_id = $1)
       AND lat BETWEEN $2::float8 - $8::float8 / 111.0 AND $2::float8 + $8::float8 / 111.0
       AND (abs($3::float8) + $8::float8 / (111.0 * greatest(cos(radians($2::float8)), 0.01)) >= 180
            OR lon BETWEEN $3::float8 - $8::float8 / (111.0 * greatest(cos(radians($2::float8)), 0.01))
                       AND $3::float8 + $8::float8 / (111.0 * greatest(cos(radians($2::float8)), 0.01)))
       AND partner_id NOT IN (SELECT partner_id FROM delivery_attempts WHERE order_id = $1)
       AND great_circle_km($2, $3, lat, lon) <= $8
     ORDER BY great_circle_km($2, $3, lat, lon),
              last_assigned_at NULLS FIRST,
              partner_id
     LIMIT 1
       FOR UPDATE SKIP LOCKED
), taken AS (
    UPDATE partners p
       SET active_deliveries = p.active_deliveries + 1, last_assigned_at = $4, updated_at = $4
      FROM candidate c
     WHERE p.partner_id = c.partner_id
    RETURNING p.partner_id
)
INSERT INTO deliveries (order_id, partner_id, store_id, status, pickup_lat, pickup_lon, dropoff, assigned_at,
                        expected_pickup_at, updated_at)
SELECT $1, partner_id, $5, 'ASSIGNED', $2, $3, $6, $4, $7, $4 FROM taken
RETURNING partner_id

-- name: assign-again
-- The same choice for an order whose partner was released; runs under the delivery's row lock.
-- $1 order, $2 store lat, $3 store lon, $4 now, $5 expected pickup, $6 max km
WITH candidate AS (
    SELECT partner_id
      FROM partners
     WHERE available AND active_deliveries < capacity AND lat IS NOT NULL
       AND lat BETWEEN $2::float8 - $6::float8 / 111.0 AND $2::float8 + $6::float8 / 111.0
       AND (abs($3::float8) + $6::float8 / (111.0 * greatest(cos(radians($2::float8)), 0.01)) >= 180
            OR lon BETWEEN $3::float8 - $6::float8 / (111.0 * greatest(cos(radians($2::float8)), 0.01))
                       AND $3::float8 + $6::float8 / (111.0 * greatest(cos(radians($2::float8)), 0.01)))
       AND partner_id NOT IN (SELECT partner_id FROM delivery_attempts WHERE order_id = $1)
       AND great_circle_km($2, $3, lat, lon) <= $6
     ORDER BY great_circle_km($2, $3, lat, lon),
              last_assigned_at NULLS FIRST,
              partner_id
     LIMIT 1
       FOR UPDATE SKIP LOCKED
), taken AS (
    UPDATE partners p
       SET active_deliveries = p.active_deliveries + 1, last_assigned_at = $4, updated_at = $4
      FROM candidate c
     WHERE p.partner_id = c.partner_id
    RETURNING p.partner_id
)
UPDATE deliveries d
   SET partner_id = taken.partner_id, status = 'ASSIGNED', assigned_at = $4, expected_pickup_at = $5,
       picked_up_at = NULL, delivered_at = NULL, updated_at = $4
  FROM taken
 WHERE d.order_id = $1 AND d.status = 'RELEASED'
RETURNING d.partner_id

-- name: release
-- Takes the order from its partner once: only the statement that moves the delivery from ASSIGNED to
-- RELEASED frees the partner and (for a decline or a missed pickup) keeps them from being offered it again.
-- $1 order, $2 partner, $3 now, $4 outcome (DECLINED, MISSED_PICKUP or RESCHEDULED)
WITH released AS (
    UPDATE deliveries SET status = 'RELEASED', updated_at = $3
     WHERE order_id = $1 AND partner_id = $2 AND status = 'ASSIGNED'
    RETURNING partner_id
), freed AS (
    UPDATE partners p SET active_deliveries = p.active_deliveries - 1, updated_at = $3
      FROM released r WHERE p.partner_id = r.partner_id
), attempt AS (
    INSERT INTO delivery_attempts (order_id, partner_id, outcome, at)
    SELECT $1, partner_id, $4, $3 FROM released WHERE $4 IN ('DECLINED', 'MISSED_PICKUP')
    ON CONFLICT DO NOTHING
)
SELECT partner_id FROM released

-- name: active-orders-of-partner
SELECT order_id FROM deliveries WHERE partner_id = $1 AND status IN ('ASSIGNED', 'PICKED_UP')

-- name: sync-partner-location
UPDATE partners SET lat = $2, lon = $3, updated_at = $4 WHERE partner_id = $1

-- name: cancel-delivery
-- Frees the partner once: only the statement that moves the delivery to CANCELLED decrements.
WITH cancelled AS (
    UPDATE deliveries SET status = 'CANCELLED', updated_at = $2
     WHERE order_id = $1 AND status IN ('ASSIGNED', 'PICKED_UP')
    RETURNING partner_id
)
UPDATE partners p SET active_deliveries = p.active_deliveries - 1, updated_at = $2
  FROM cancelled c WHERE p.partner_id = c.partner_id

-- name: mark-picked-up
UPDATE deliveries SET status = 'PICKED_UP', picked_up_at = $3, updated_at = $3
 WHERE order_id = $1 AND partner_id = $2 AND status = 'ASSIGNED'

-- name: mark-delivered
WITH delivered AS (
    UPDATE deliveries SET status = 'DELIVERED', delivered_at = $3, updated_at = $3
     WHERE order_id = $1 AND partner_id = $2 AND status IN ('ASSIGNED', 'PICKED_UP')
    RETURNING partner_id
)
UPDATE partners p SET active_deliveries = p.active_deliveries - 1, updated_at = $3
  FROM delivered d WHERE p.partner_id = d.partner_id

-- name: partner-deliveries
-- Every delivery the partner still has to carry, then its most recent finished ones: an order assigned
-- long ago is never pushed off the list by newer history.
SELECT * FROM (
    (SELECT * FROM deliveries WHERE partner_id = $1 AND status IN ('ASSIGNED', 'PICKED_UP'))
    UNION ALL
    (SELECT * FROM deliveries WHERE partner_id = $1 AND status NOT IN ('ASSIGNED', 'PICKED_UP')
      ORDER BY assigned_at DESC LIMIT $2)
) listed
ORDER BY status IN ('ASSIGNED', 'PICKED_UP') DESC, assigned_at DESC
