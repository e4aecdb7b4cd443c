-- Measured under load (one-second windows against pg_stat_activity): every ten seconds autovacuum ran
-- VACUUM ANALYZE on orders for 1.5-3 s, and those were the seconds whose p99 doubled. ANALYZE samples
-- 30,000 rows and sorts the sample of every column, the wide jsonb ones included, although no query
-- filters or joins on them: they get no statistics now. Statistics of the other columns change slowly
-- and every ANALYZE makes all connections plan their statements again, so orders is analyzed after 20%
-- of its rows changed instead of 2%; vacuuming it still starts after 2%.
ALTER TABLE orders
    ALTER COLUMN items SET STATISTICS 0,
    ALTER COLUMN payment SET STATISTICS 0,
    ALTER COLUMN payment_instrument SET STATISTICS 0,
    ALTER COLUMN delivery SET STATISTICS 0,
    ALTER COLUMN contact SET STATISTICS 0;
ALTER TABLE orders SET (autovacuum_analyze_scale_factor = 0.2);
ALTER TABLE outbox ALTER COLUMN payload SET STATISTICS 0;
ALTER TABLE stock_holds ALTER COLUMN lines SET STATISTICS 0;
ALTER TABLE deliveries ALTER COLUMN dropoff SET STATISTICS 0;
ALTER TABLE payment_events ALTER COLUMN payload SET STATISTICS 0;
