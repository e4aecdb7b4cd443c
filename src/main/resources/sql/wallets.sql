-- Statements of customer wallets. Every movement is one statement that changes the balance and writes
-- its transaction row; the row's unique (customer, kind, reference) makes each movement happen once, and
-- a repeat fails as a whole, balance change included.

-- name: find-wallet
SELECT customer_id, currency, balance, updated_at FROM wallets WHERE customer_id = $1

-- name: open-wallet
INSERT INTO wallets (customer_id, currency, balance, updated_at) VALUES ($1, $2, 0, $3)
ON CONFLICT (customer_id) DO NOTHING

-- name: top-up
WITH credited AS (
    UPDATE wallets SET balance = balance + $2, updated_at = $4
     WHERE customer_id = $1 AND currency = $3
    RETURNING customer_id, balance
)
INSERT INTO wallet_transactions (customer_id, kind, amount, balance_after, reference, created_at)
SELECT customer_id, 'TOPUP', $2, balance, $5, $4 FROM credited
RETURNING balance_after

-- name: debit
-- Spends only what is there: the guard on balance and the CHECK on the table refuse an overdraft,
-- and concurrent spends of one wallet queue on its row.
WITH spent AS (
    UPDATE wallets SET balance = balance - $2, updated_at = $4
     WHERE customer_id = $1 AND currency = $3 AND balance >= $2
    RETURNING customer_id, balance
)
INSERT INTO wallet_transactions (customer_id, kind, amount, balance_after, reference, created_at)
SELECT customer_id, 'DEBIT', $2, balance, $5, $4 FROM spent
RETURNING id

-- name: credit
WITH credited AS (
    UPDATE wallets SET balance = balance + $2, updated_at = $3 WHERE customer_id = $1
    RETURNING customer_id, balance
)
INSERT INTO wallet_transactions (customer_id, kind, amount, balance_after, reference, created_at)
SELECT customer_id, 'CREDIT', $2, balance, $4, $3 FROM credited
RETURNING id

-- name: find-transaction
SELECT id, amount FROM wallet_transactions WHERE customer_id = $1 AND kind = $2 AND reference = $3

-- name: recent-transactions
SELECT kind, amount, balance_after, reference, created_at FROM wallet_transactions
 WHERE customer_id = $1 ORDER BY id DESC LIMIT $2
