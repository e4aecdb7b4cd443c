-- The world of the pgbench ceiling: one store with the load test's SKUs and partners near it, in its own
-- database (migrated by the service's own Flyway migrations), so its rows never touch the service's.
INSERT INTO stores (store_id, name, lat, lon, updated_at) VALUES ('ceiling-store', 'Ceiling store', 8.0, 77.6, now())
ON CONFLICT DO NOTHING;
INSERT INTO stock_items (store_id, sku, on_hand, price_amount, currency, updated_at)
SELECT 'ceiling-store', 'sku-' || k, 1000000000, 1000, 'INR', now() FROM generate_series(0, 99) k
ON CONFLICT DO NOTHING;
INSERT INTO partners (partner_id, name, phone, available, lat, lon, capacity, created_at, updated_at)
SELECT 'ceiling-rider-' || j, 'Rider', '+919800000000', true, 8.0 + 0.001 * j, 77.6, 1000000000, now(), now()
  FROM generate_series(1, 10) j
ON CONFLICT DO NOTHING;
