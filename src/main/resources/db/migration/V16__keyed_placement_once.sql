-- A placement with an Idempotency-Key whose first attempt answered 5xx frees its key, so the client may
-- retry. But that attempt may have recorded its order: the commit's answer was lost with the connection,
-- or the hold failed and then so did the write of FAILED. The sweeper carries such an order on (its client
-- may have heard 201), so a retry that placed a second order would have the customer charged twice. The
-- order now keeps its key, and a keyed placement first looks for an order of the same customer, key and
-- request that is still alive; if there is one, the retry carries that order on instead of placing another.
-- An order that ended (FAILED, CANCELLED) is not carried on: the retry places a new one. The look-up waits
-- for the customer's placement lock (migration V10) like the insert, so a first attempt still committing
-- is seen.
CREATE INDEX orders_by_idempotency_key ON orders (customer_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

-- What insert_order (V10, V11) does, in one function rather than two nested ones, with the look-up first:
-- the order and its history row, and the claim of its stock hold, unless the customer has p_max_unpaid
-- orders waiting for payment. p_key_since: orders placed before it used the key before it expired, and
-- are another request. Answers the order's id (the new order's; the earlier one's, already_placed; or
-- null when the cap refused it and nothing was written) and the customer's unpaid orders before this one.
-- insert_order stays for instances not yet upgraded.
CREATE FUNCTION place_order(p_order_id uuid, p_customer_id text, p_store_id text, p_currency text,
                            p_total_amount bigint, p_items jsonb, p_payment jsonb, p_payment_instrument jsonb,
                            p_delivery jsonb, p_contact jsonb, p_idempotency_key text, p_request_hash text,
                            p_at timestamptz, p_actor text, p_max_unpaid integer,
                            p_hold_lines jsonb, p_hold_expires_at timestamptz, p_key_since timestamptz,
                            OUT placed_order_id uuid, OUT unpaid_before bigint, OUT already_placed boolean)
VOLATILE LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('oms.unpaid-cap'), hashtext(p_customer_id));
    already_placed := false;
    IF p_idempotency_key IS NOT NULL THEN
        SELECT o.order_id INTO placed_order_id
          FROM orders o
         WHERE o.customer_id = p_customer_id AND o.idempotency_key = p_idempotency_key
           AND o.request_hash = p_request_hash AND o.created_at >= p_key_since
           AND o.status NOT IN ('FAILED', 'CANCELLED')
         ORDER BY o.created_at DESC
         LIMIT 1;
        IF placed_order_id IS NOT NULL THEN
            already_placed := true;
            RETURN;
        END IF;
    END IF;
    SELECT count(*) INTO unpaid_before FROM orders o
     WHERE o.customer_id = p_customer_id AND o.status IN ('CREATED', 'PAYMENT_PENDING');
    IF unpaid_before >= p_max_unpaid THEN
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
    INSERT INTO stock_holds (order_id, store_id, lines, state, expires_at, created_at, updated_at)
    VALUES (p_order_id, p_store_id, p_hold_lines, 'HELD', p_hold_expires_at, p_at, p_at);
    placed_order_id := p_order_id;
END
$$;
