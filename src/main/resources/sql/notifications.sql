-- Statements of the notification domain: relaying the outbox, and sending with retries.

-- name: claim-outbox
-- Takes a batch of undispatched outbox events. Runs in one transaction with the inserts of their
-- notifications, so an event is either still in the outbox or has its notifications, never neither.
WITH batch AS (
    SELECT event_id FROM outbox
     WHERE dispatched_at IS NULL
     ORDER BY created_at
     LIMIT $1
       FOR UPDATE SKIP LOCKED
)
UPDATE outbox o SET dispatched_at = $2
  FROM batch WHERE o.event_id = batch.event_id
RETURNING o.event_id, o.order_id, o.event_type, o.payload

-- name: insert-notification
INSERT INTO notifications (id, event_id, order_id, event_type, channel, recipient, status, attempts,
                           next_attempt_at, created_at)
VALUES ($1, $2, $3, $4, $5, $6, 'PENDING', 0, $7, $7)
ON CONFLICT (event_id, channel) DO NOTHING

-- name: claim-due
-- Leases due notifications to this sender: their next attempt moves to the lease end, so no other
-- instance sends them meanwhile; a sender that dies simply lets the lease run out.
-- $1 now, $2 batch, $3 lease end, $4 channel: each channel is relayed on its own, so a slow provider
-- only holds back its own notifications.
WITH due AS (
    SELECT id FROM notifications
     WHERE status = 'PENDING' AND next_attempt_at <= $1 AND channel = $4
     ORDER BY next_attempt_at
     LIMIT $2
       FOR UPDATE SKIP LOCKED
)
UPDATE notifications n SET attempts = n.attempts + 1, next_attempt_at = $3
  FROM due WHERE n.id = due.id
RETURNING n.id, n.event_id, n.order_id, n.event_type, n.channel, n.recipient, n.attempts,
          (SELECT payload FROM outbox WHERE outbox.event_id = n.event_id) AS payload

-- name: mark-sent
-- Everything one pass sent, in one statement: a crash before it only means those are sent again, with
-- the same deduplication key.
UPDATE notifications SET status = 'SENT', sent_at = $2, last_error = NULL WHERE id = ANY ($1)

-- name: schedule-retry
UPDATE notifications SET next_attempt_at = $2, last_error = $3 WHERE id = $1

-- name: mark-dead
UPDATE notifications SET status = 'DEAD', last_error = $2 WHERE id = $1

-- name: revive
-- An admin retries a dead notification: it is sent again from scratch, with the same deduplication key.
UPDATE notifications SET status = 'PENDING', attempts = 0, next_attempt_at = $2, last_error = NULL
 WHERE id = $1 AND status = 'DEAD'
RETURNING id, order_id, event_type, channel, recipient, status, attempts, last_error, created_at, sent_at

-- name: find-notification
SELECT id, order_id, event_type, channel, recipient, status, attempts, last_error, created_at, sent_at
  FROM notifications WHERE id = $1

-- name: list-for-order
SELECT id, event_type, channel, recipient, status, attempts, last_error, created_at, sent_at
  FROM notifications WHERE order_id = $1 ORDER BY created_at, channel
