-- The next due action of the tenant, claimed for a lease of $2 seconds. Running rows past
-- their lease belong to a worker that died mid-call: they run again.
UPDATE mirror.actions
   SET status = 'running', attempts = attempts + 1, updated_at = now(),
       next_attempt_at = now() + make_interval(secs => $2)
 WHERE id = (SELECT id FROM mirror.actions
              WHERE tenant = $1 AND status IN ('pending', 'running') AND next_attempt_at <= now()
                AND attempts < $3
              ORDER BY next_attempt_at, id
              LIMIT 1
                FOR UPDATE SKIP LOCKED)
RETURNING id, rule, action, idempotency_key, params::text AS params, attempts
