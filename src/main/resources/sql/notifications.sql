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

-- name: insert-notifications
-- The notifications of a batch of outbox events, one per event and channel, in one statement (the arrays
-- run in parallel). One sent at once is written leased to its sender ($7 attempts = 1, $8 the lease end);
-- one left to its channel's pass is due now (attempts 0). An event relayed again writes nothing.
INSERT INTO notifications (id, event_id, order_id, event_type, channel, recipient, status, attempts,
                           next_attempt_at, created_at)
SELECT n.id, n.event_id, n.order_id, n.event_type, n.channel, n.recipient, 'PENDING', n.attempts, n.next_attempt_at, $9
  FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::int[], $8::timestamptz[])
       AS n (id, event_id, order_id, event_type, channel, recipient, attempts, next_attempt_at)
ON CONFLICT (event_id, channel) DO NOTHING
RETURNING id

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
