-- Foundation schema. One section per domain; a domain's verticle is the only writer of its tables,
-- except the outbox, which every transition writes in its own transaction.

-- catalog and stock (inventory domain) ------------------------------------------------------------

CREATE TABLE stores (
    store_id    text PRIMARY KEY,
    name        text NOT NULL,
    lat         double precision NOT NULL,
    lon         double precision NOT NULL,
    updated_at  timestamptz NOT NULL
);

CREATE TABLE stock_items (
    store_id      text NOT NULL REFERENCES stores (store_id),
    sku           text NOT NULL,
    on_hand       integer NOT NULL CHECK (on_hand >= 0),
    price_amount  bigint NOT NULL CHECK (price_amount >= 0),
    currency      char(3) NOT NULL,
    updated_at    timestamptz NOT NULL,
    PRIMARY KEY (store_id, sku)
);

-- One row per order that ever held stock: the durable record behind the Redis counters.
-- held + reserved per SKU can always be recomputed from the rows in state HELD or RESERVED.
CREATE TABLE stock_holds (
    order_id    uuid PRIMARY KEY,
    store_id    text NOT NULL,
    lines       jsonb NOT NULL,
    state       text NOT NULL CHECK (state IN ('HELD', 'RESERVED', 'RELEASED', 'DEDUCTED')),
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX stock_holds_open ON stock_holds (store_id) WHERE state IN ('HELD', 'RESERVED');

-- orders (order domain) -----------------------------------------------------------------------------

CREATE TABLE orders (
    order_id             uuid PRIMARY KEY,
    customer_id          text NOT NULL,
    store_id             text NOT NULL,
    status               text NOT NULL,
    version              integer NOT NULL,
    currency             char(3) NOT NULL,
    total_amount         bigint NOT NULL,
    items                jsonb NOT NULL,
    payment              jsonb NOT NULL,
    -- what the gateway needs to charge (a gateway token, never a card number); never returned by the API
    payment_instrument   jsonb NOT NULL,
    delivery             jsonb NOT NULL,
    contact              jsonb NOT NULL,
    partner_id           text,
    failure_reason       text,
    compensation_pending boolean NOT NULL DEFAULT false,
    idempotency_key      text,
    request_hash         text,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    UNIQUE (customer_id, idempotency_key)
);
CREATE INDEX orders_by_customer ON orders (customer_id, created_at DESC, order_id DESC);
CREATE INDEX orders_by_created ON orders (created_at DESC, order_id DESC);
-- the expiry scanner and the saga sweeper only ever look at orders still in flight
CREATE INDEX orders_in_flight ON orders (created_at)
    WHERE status NOT IN ('DELIVERED', 'CANCELLED', 'FAILED');
CREATE INDEX orders_compensation_pending ON orders (updated_at) WHERE compensation_pending;

-- Every transition, in order. seq equals the order's version after the transition.
CREATE TABLE order_events (
    order_id     uuid NOT NULL REFERENCES orders (order_id),
    seq          integer NOT NULL,
    from_status  text,
    to_status    text NOT NULL,
    reason       text,
    actor        text NOT NULL,
    occurred_at  timestamptz NOT NULL,
    PRIMARY KEY (order_id, seq)
);

-- Transactional outbox: written in the same transaction as the transition that causes it,
-- relayed afterwards by the notification verticle.
CREATE TABLE outbox (
    event_id      uuid PRIMARY KEY,
    order_id      uuid NOT NULL,
    event_type    text NOT NULL,
    payload       jsonb NOT NULL,
    created_at    timestamptz NOT NULL,
    dispatched_at timestamptz
);
CREATE INDEX outbox_pending ON outbox (created_at) WHERE dispatched_at IS NULL;

-- payments (payment domain) -------------------------------------------------------------------------

CREATE TABLE payments (
    order_id      uuid PRIMARY KEY,
    method        text NOT NULL,
    amount        bigint NOT NULL,
    currency      char(3) NOT NULL,
    status        text NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED', 'DECLINED', 'FAILED', 'REFUNDED')),
    reference     text,
    decline_code  text,
    refund_reference text,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);

-- delivery (delivery domain) ------------------------------------------------------------------------

CREATE TABLE partners (
    partner_id         text PRIMARY KEY,
    name               text NOT NULL,
    phone              text NOT NULL,
    available          boolean NOT NULL DEFAULT false,
    lat                double precision,
    lon                double precision,
    capacity           integer NOT NULL CHECK (capacity > 0),
    -- the database, not a lock in memory, guarantees a partner never exceeds capacity
    active_deliveries  integer NOT NULL DEFAULT 0,
    last_assigned_at   timestamptz,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    CHECK (active_deliveries >= 0 AND active_deliveries <= capacity)
);

CREATE TABLE deliveries (
    order_id       uuid PRIMARY KEY,
    partner_id     text NOT NULL REFERENCES partners (partner_id),
    store_id       text NOT NULL,
    status         text NOT NULL CHECK (status IN ('ASSIGNED', 'PICKED_UP', 'DELIVERED', 'CANCELLED')),
    pickup_lat     double precision NOT NULL,
    pickup_lon     double precision NOT NULL,
    dropoff        jsonb NOT NULL,
    assigned_at    timestamptz NOT NULL,
    picked_up_at   timestamptz,
    delivered_at   timestamptz,
    updated_at     timestamptz NOT NULL
);
CREATE INDEX deliveries_by_partner ON deliveries (partner_id, assigned_at DESC);

-- notifications (notification domain) ---------------------------------------------------------------

CREATE TABLE notifications (
    id            uuid PRIMARY KEY,
    event_id      uuid NOT NULL,
    order_id      uuid NOT NULL,
    event_type    text NOT NULL,
    channel       text NOT NULL,
    recipient     text NOT NULL,
    status        text NOT NULL CHECK (status IN ('PENDING', 'SENT', 'DEAD')),
    attempts      integer NOT NULL DEFAULT 0,
    last_error    text,
    next_attempt_at timestamptz NOT NULL,
    created_at    timestamptz NOT NULL,
    sent_at       timestamptz,
    -- one notification per event and channel, whatever the retries
    UNIQUE (event_id, channel)
);
CREATE INDEX notifications_by_order ON notifications (order_id, created_at);
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'PENDING';

-- the saga sweeper's view: orders whose next step is the service's own
CREATE INDEX orders_stalled ON orders (updated_at)
    WHERE status IN ('CREATED', 'PAYMENT_PENDING', 'PAYMENT_SUCCESS', 'INVENTORY_RESERVED');
