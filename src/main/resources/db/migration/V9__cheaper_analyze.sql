-- Measured under load (perf with call graphs on every Postgres process, 250 orders/s): automatic ANALYZE
-- took 14% of Postgres' CPU, more than the vacuums it rides with. Each run samples 300 rows per unit of
-- the largest statistics target (30,000 rows at the default 100) and sorts the sample of every column;
-- these tables grow by hundreds of rows a second, so one of them was analyzed every few seconds.
-- Every statement of the service is planned once per connection (generic plans) and is a key lookup, a
-- batch, or a scan of a partial index named in its text, so fine statistics buy it nothing: a target of
-- 10 (a 3,000-row sample) keeps the planner's picture of their sizes and value spread at a tenth of the
-- cost, and they are analyzed after half of their rows changed instead of a tenth (orders: a fifth).
DO $$
DECLARE
    col record;
BEGIN
    FOR col IN
        SELECT a.attrelid::regclass AS tbl, a.attname AS name
          FROM pg_attribute a
         WHERE a.attrelid IN ('orders'::regclass, 'order_events'::regclass, 'outbox'::regclass,
                              'notifications'::regclass, 'stock_holds'::regclass, 'payments'::regclass,
                              'deliveries'::regclass)
           AND a.attnum > 0 AND NOT a.attisdropped
           AND coalesce(a.attstattarget, -1) <> 0 -- the columns without statistics (V7) keep none
    LOOP
        EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET STATISTICS 10', col.tbl, col.name);
    END LOOP;
END
$$;
ALTER TABLE orders SET (autovacuum_analyze_scale_factor = 0.5);
ALTER TABLE order_events SET (autovacuum_analyze_scale_factor = 0.5);
ALTER TABLE outbox SET (autovacuum_analyze_scale_factor = 0.5);
ALTER TABLE notifications SET (autovacuum_analyze_scale_factor = 0.5);
ALTER TABLE stock_holds SET (autovacuum_analyze_scale_factor = 0.5);
ALTER TABLE payments SET (autovacuum_analyze_scale_factor = 0.5);
ALTER TABLE deliveries SET (autovacuum_analyze_scale_factor = 0.5);
