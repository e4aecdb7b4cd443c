-- Inventory, issue 3: the ledger row of a hold is written before Redis is asked, so Postgres never
-- knows less than Redis holds; a hold Redis refused is marked REJECTED. Holds carry their expiry.

ALTER TABLE stock_holds DROP CONSTRAINT stock_holds_state_check;
ALTER TABLE stock_holds ADD CONSTRAINT stock_holds_state_check
    CHECK (state IN ('HELD', 'RESERVED', 'RELEASED', 'DEDUCTED', 'REJECTED'));
ALTER TABLE stock_holds ADD COLUMN expires_at timestamptz;

-- Restocks and shrinkage, each applied once per Idempotency-Key.
CREATE TABLE stock_adjustments (
    store_id         text NOT NULL,
    idempotency_key  text NOT NULL,
    sku              text NOT NULL,
    delta            integer NOT NULL,
    reason           text,
    on_hand_after    integer NOT NULL,
    created_at       timestamptz NOT NULL,
    PRIMARY KEY (store_id, idempotency_key)
);
