-- Idempotency keys: the first request with a key claims it, its outcome is stored, every retry with the
-- key gets that outcome back.

-- name: claim
INSERT INTO idempotency_keys (scope, key, request_hash, outcome, created_at, expires_at)
VALUES ($1, $2, $3, NULL, $4, $5)
ON CONFLICT (scope, key) DO NOTHING
RETURNING key

-- name: find
SELECT request_hash, outcome, expires_at FROM idempotency_keys WHERE scope = $1 AND key = $2

-- name: drop-expired-key
DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND expires_at < $3

-- name: complete
UPDATE idempotency_keys SET outcome = $3 WHERE scope = $1 AND key = $2

-- name: release
-- a request that failed for a passing reason (a dependency was down) leaves no trace: retry it
DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND outcome IS NULL

-- name: forget-expired
DELETE FROM idempotency_keys WHERE (scope, key) IN (
    SELECT scope, key FROM idempotency_keys WHERE expires_at < $1 LIMIT $2
)
