-- Delivery, issue 5: store hours and preparation time, reassignment after a decline or a missed pickup,
-- scheduled pickups, and the history of every partner an order was offered to.

ALTER TABLE stores ADD COLUMN opens_at time NOT NULL DEFAULT '00:00';
-- closes_at = opens_at means open around the clock
ALTER TABLE stores ADD COLUMN closes_at time NOT NULL DEFAULT '00:00';
ALTER TABLE stores ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC';
ALTER TABLE stores ADD COLUMN preparation_minutes integer NOT NULL DEFAULT 15 CHECK (preparation_minutes >= 0);

ALTER TABLE deliveries DROP CONSTRAINT deliveries_status_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_status_check
    CHECK (status IN ('ASSIGNED', 'PICKED_UP', 'DELIVERED', 'CANCELLED', 'RELEASED'));
-- when the partner is expected at the store: the customer's slot, or ready time for an ASAP order
ALTER TABLE deliveries ADD COLUMN expected_pickup_at timestamptz;

-- Every partner an order was offered to and how it ended; a partner who declined or missed the pickup
-- is not offered the order again.
CREATE TABLE delivery_attempts (
    order_id    uuid NOT NULL,
    partner_id  text NOT NULL,
    outcome     text NOT NULL CHECK (outcome IN ('DECLINED', 'MISSED_PICKUP')),
    at          timestamptz NOT NULL,
    PRIMARY KEY (order_id, partner_id)
);

-- late and waiting orders are found by the sweeper
CREATE INDEX orders_waiting_on_partner ON orders (updated_at)
    WHERE status IN ('DELIVERY_PARTNER_ASSIGNED', 'PICKED_UP');

-- Great-circle distance in kilometres (haversine), used to find the nearest partner.
CREATE FUNCTION great_circle_km(lat1 double precision, lon1 double precision,
                                lat2 double precision, lon2 double precision)
RETURNS double precision IMMUTABLE STRICT LANGUAGE sql AS $$
    SELECT 2 * 6371 * asin(sqrt(power(sin(radians(lat2 - lat1) / 2), 2)
           + cos(radians(lat1)) * cos(radians(lat2)) * power(sin(radians(lon2 - lon1) / 2), 2)))
$$;
