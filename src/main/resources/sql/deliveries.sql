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

-- name: assign
-- The nearest free partner to the store (great-circle distance), the one idle longest on a tie. The row
-- lock with SKIP LOCKED keeps concurrent assignments off each other's partner, the capacity CHECK on
-- partners is the final guarantee, and a second assignment of one order fails on the deliveries key,
-- rolling back its partner's count with it.
-- $1 order, $2 store lat, $3 store lon, $4 now, $5 store, $6 drop-off
WITH candidate AS (
    SELECT partner_id
      FROM partners
     WHERE available AND active_deliveries < capacity AND lat IS NOT NULL
     ORDER BY 2 * 6371 * asin(sqrt(power(sin(radians(lat - $2) / 2), 2)
                 + cos(radians($2)) * cos(radians(lat)) * power(sin(radians(lon - $3) / 2), 2))),
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
INSERT INTO deliveries (order_id, partner_id, store_id, status, pickup_lat, pickup_lon, dropoff, assigned_at, updated_at)
SELECT $1, partner_id, $5, 'ASSIGNED', $2, $3, $6, $4, $4 FROM taken
RETURNING partner_id

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
SELECT * FROM deliveries WHERE partner_id = $1 ORDER BY assigned_at DESC LIMIT $2
