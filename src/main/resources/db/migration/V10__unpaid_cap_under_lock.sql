-- The cap on a customer's unpaid orders, checked and applied as one step. The insert used to count the
-- customer's unpaid orders in the same statement, so two placements in concurrent transactions (two
-- members, or two groups of the group commit) each counted from a snapshot without the other and could
-- both pass the cap. Here the customer's placements queue on a transaction-scoped advisory lock, and the
-- count, a statement of its own inside the function, takes its snapshot after the lock is granted: it
-- sees every order placed by a transaction that held the lock before. The two-key form keeps these locks
-- apart from any taken with one bigint key.
CREATE FUNCTION insert_order(p_order_id uuid, p_customer_id text, p_store_id text, p_currency text,
                             p_total_amount bigint, p_items jsonb, p_payment jsonb, p_payment_instrument jsonb,
                             p_delivery jsonb, p_contact jsonb, p_idempotency_key text, p_request_hash text,
                             p_at timestamptz, p_actor text, p_max_unpaid integer)
RETURNS TABLE (placed_order_id uuid, unpaid_before bigint)
VOLATILE LANGUAGE plpgsql AS $$
DECLARE
    unpaid bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('oms.unpaid-cap'), hashtext(p_customer_id));
    SELECT count(*) INTO unpaid FROM orders o
     WHERE o.customer_id = p_customer_id AND o.status IN ('CREATED', 'PAYMENT_PENDING');
    IF unpaid >= p_max_unpaid THEN
        RETURN QUERY SELECT NULL::uuid, unpaid;
        RETURN;
    END IF;
    INSERT INTO orders (order_id, customer_id, store_id, status, version, currency, total_amount, items,
                        payment, payment_instrument, delivery, contact, idempotency_key, request_hash,
                        created_at, updated_at)
    VALUES (p_order_id, p_customer_id, p_store_id, 'CREATED', 1, p_currency, p_total_amount, p_items,
            p_payment, p_payment_instrument, p_delivery, p_contact, p_idempotency_key, p_request_hash,
            p_at, p_at);
    INSERT INTO order_events (order_id, seq, from_status, to_status, reason, actor, occurred_at)
    VALUES (p_order_id, 1, NULL, 'CREATED', 'placed', p_actor, p_at);
    RETURN QUERY SELECT p_order_id, unpaid;
END
$$;
