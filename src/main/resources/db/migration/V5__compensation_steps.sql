-- Failure handling, issue 7: what compensation did for an order that ended early, step by step.
CREATE TABLE compensation_steps (
    order_id   uuid NOT NULL REFERENCES orders (order_id),
    step       text NOT NULL CHECK (step IN ('RELEASE_STOCK', 'REFUND_PAYMENT', 'CANCEL_DELIVERY')),
    outcome    text NOT NULL,
    attempts   integer NOT NULL DEFAULT 1,
    done_at    timestamptz NOT NULL,
    PRIMARY KEY (order_id, step)
);
