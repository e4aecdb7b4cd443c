-- The cap on unpaid orders counts a customer's orders in CREATED or PAYMENT_PENDING at every placement.
-- Through orders_by_customer that count fetched every order the customer ever placed (and every dead
-- version of them: each transition of an order adds one) to test its status, so placements of a regular
-- customer cost more every week. This index holds only the unpaid ones, a handful at most; an order
-- enters it when placed and leaves it when paid or ended.
CREATE INDEX orders_unpaid ON orders (customer_id) WHERE status IN ('CREATED', 'PAYMENT_PENDING');
