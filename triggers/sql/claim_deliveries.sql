-- The tenant's due deliveries (at most $3), claimed for $2 seconds. Running rows past their
-- claim belong to a daemon that stopped mid-refresh: they are due again.
UPDATE mirror.trigger_deliveries
   SET status = 'running', attempts = attempts + 1,
       next_attempt_at = now() + make_interval(secs => $2)
 WHERE id IN (SELECT id FROM mirror.trigger_deliveries
               WHERE tenant = $1 AND status IN ('pending', 'running') AND next_attempt_at <= now()
               ORDER BY next_attempt_at, id
               LIMIT $3
                 FOR UPDATE SKIP LOCKED)
RETURNING id, trigger_id, body
