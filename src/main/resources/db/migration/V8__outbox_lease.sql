-- The relay leases a batch of outbox events while it sends their first attempts, then records each
-- notification once, with the outcome of that attempt. Most are SENT at once: they are written in their
-- final state and never enter the due index, instead of being inserted as leased and updated to SENT
-- (two versions of the row and index entries for both; measured at 250 orders/s, marking notifications
-- sent was the costliest statement per row in the database). lease_until is in no index, so taking a
-- lease is a HOT update.
ALTER TABLE outbox ADD COLUMN lease_until timestamptz;
