-- A partner's list of deliveries shows every delivery still to be carried before any finished one
-- (deliveries.sql: partner-deliveries), and the partner's active orders are looked up when it reports its
-- position (active-orders-of-partner). Both read only ASSIGNED and PICKED_UP rows, a handful per partner
-- among all it ever carried.
CREATE INDEX deliveries_active_by_partner ON deliveries (partner_id, assigned_at DESC)
    WHERE status IN ('ASSIGNED', 'PICKED_UP');
