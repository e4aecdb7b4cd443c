-- Payments, issue 4: four methods, asynchronous completion by signed webhooks, refunds, wallets, and
-- Stripe-style idempotency keys.

ALTER TABLE payments DROP CONSTRAINT payments_status_check;
ALTER TABLE payments ADD CONSTRAINT payments_status_check
    CHECK (status IN ('PENDING', 'AUTHORIZED', 'SUCCEEDED', 'DECLINED', 'FAILED', 'REFUNDED'));
ALTER TABLE payments ADD COLUMN next_action jsonb;
ALTER TABLE payments ADD COLUMN attempts integer NOT NULL DEFAULT 0;
ALTER TABLE payments ADD COLUMN customer_id text;

-- Every webhook event applied, once: a repeat of an event id is acknowledged and ignored.
CREATE TABLE payment_events (
    provider     text NOT NULL,
    event_id     text NOT NULL,
    order_id     uuid,
    event_type   text NOT NULL,
    payload      jsonb NOT NULL,
    received_at  timestamptz NOT NULL,
    PRIMARY KEY (provider, event_id)
);
CREATE INDEX payment_events_by_order ON payment_events (order_id, received_at);

-- At most one refund per payment, whatever is retried or replayed.
CREATE TABLE refunds (
    order_id     uuid PRIMARY KEY,
    amount       bigint NOT NULL,
    currency     char(3) NOT NULL,
    status       text NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED')),
    attempts     integer NOT NULL DEFAULT 0,
    reference    text,
    last_error   text,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);

CREATE TABLE wallets (
    customer_id  text PRIMARY KEY,
    currency     char(3) NOT NULL,
    -- the database refuses any spend that would take a wallet below zero, whatever runs concurrently
    balance      bigint NOT NULL CHECK (balance >= 0),
    updated_at   timestamptz NOT NULL
);

CREATE TABLE wallet_transactions (
    id           bigserial PRIMARY KEY,
    customer_id  text NOT NULL REFERENCES wallets (customer_id),
    kind         text NOT NULL CHECK (kind IN ('TOPUP', 'DEBIT', 'CREDIT')),
    amount       bigint NOT NULL CHECK (amount > 0),
    balance_after bigint NOT NULL,
    -- the order for DEBIT and CREDIT, the admin's Idempotency-Key for TOPUP: each happens once
    reference    text NOT NULL,
    created_at   timestamptz NOT NULL,
    UNIQUE (customer_id, kind, reference)
);

-- The first response to a request carrying an Idempotency-Key, replayed for every retry of it.
CREATE TABLE idempotency_keys (
    scope         text NOT NULL,
    key           text NOT NULL,
    request_hash  text NOT NULL,
    -- null while the first request is still running
    outcome       jsonb,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

-- The key now lives in idempotency_keys, which lets it expire; orders only remember it.
ALTER TABLE orders DROP CONSTRAINT orders_customer_id_idempotency_key_key;
