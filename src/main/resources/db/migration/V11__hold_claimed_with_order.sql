-- A placement used to wait for three group commits in a row before its client heard 201: the order
-- (CREATED), the claim of its stock hold in the ledger (which must be durable before Redis is asked), and
-- PAYMENT_PENDING. This overload also writes the claim, in the same statement as the order: both or
-- neither, so a claim never outlives a refused or lost order, and Redis is asked as soon as the order is
-- recorded. The claim row is the one inventory's claim-holds writes for a new order. The fifteen-argument
-- form stays for instances not yet upgraded.
CREATE FUNCTION insert_order(p_order_id uuid, p_customer_id text, p_store_id text, p_currency text,
                             p_total_amount bigint, p_items jsonb, p_payment jsonb, p_payment_instrument jsonb,
                             p_delivery jsonb, p_contact jsonb, p_idempotency_key text, p_request_hash text,
                             p_at timestamptz, p_actor text, p_max_unpaid integer,
                             p_hold_lines jsonb, p_hold_expires_at timestamptz)
RETURNS TABLE (placed_order_id uuid, unpaid_before bigint)
VOLATILE LANGUAGE plpgsql AS $$
DECLARE
    placed record;
BEGIN
    SELECT * INTO placed
      FROM insert_order(p_order_id, p_customer_id, p_store_id, p_currency, p_total_amount, p_items, p_payment,
                        p_payment_instrument, p_delivery, p_contact, p_idempotency_key, p_request_hash, p_at,
                        p_actor, p_max_unpaid);
    IF placed.placed_order_id IS NOT NULL THEN
        INSERT INTO stock_holds (order_id, store_id, lines, state, expires_at, created_at, updated_at)
        VALUES (p_order_id, p_store_id, p_hold_lines, 'HELD', p_hold_expires_at, p_at, p_at);
    END IF;
    RETURN QUERY SELECT placed.placed_order_id, placed.unpaid_before;
END
$$;
