-- Statements of the notification domain: relaying the outbox, and sending with retries.

-- name: claim-outbox
-- Leases a batch of undispatched outbox events to this relay ($3 the lease end) while it sends their first
-- attempts; a relay that dies before recording them lets the lease run out, and the events are relayed
-- again (same deduplication keys). recorded: the channels an event relayed again has notifications for
-- already, which are not sent again.
WITH batch AS (
    SELECT event_id FROM outbox
     WHERE dispatched_at IS NULL AND (lease_until IS NULL OR lease_until <= $2)
     ORDER BY created_at
     LIMIT $1
       FOR UPDATE SKIP LOCKED
)
UPDATE outbox o SET lease_until = $3
  FROM batch WHERE o.event_id = batch.event_id
RETURNING o.event_id, o.order_id, o.event_type, o.payload,
          ARRAY(SELECT n.channel FROM notifications n WHERE n.event_id = o.event_id) AS recorded

-- name: record-dispatched
-- The notifications of a batch of leased outbox events, each as its first attempt left it: SENT, PENDING
-- with its next attempt (failed, or left to its channel's own pass with no attempt made), or DEAD; and the
-- events marked dispatched. One statement, so an event is either still in the outbox or has its
-- notifications, never neither. A notification recorded before (an event relayed again) stays as it is.
-- $12 when the batch was claimed, $13 now, $14 every event of the batch.
WITH recorded AS (
    INSERT INTO notifications (id, event_id, order_id, event_type, channel, recipient, status, attempts,
                               next_attempt_at, last_error, sent_at, created_at)
    SELECT n.id, n.event_id, n.order_id, n.event_type, n.channel, n.recipient, n.status, n.attempts,
           n.next_attempt_at, n.last_error, n.sent_at, $12
      FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[],
                  $9::timestamptz[], $10::text[], $11::timestamptz[])
           AS n (id, event_id, order_id, event_type, channel, recipient, status, attempts, next_attempt_at,
                 last_error, sent_at)
    ON CONFLICT (event_id, channel) DO NOTHING
)
UPDATE outbox SET dispatched_at = $13, lease_until = NULL WHERE event_id = ANY ($14)

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
