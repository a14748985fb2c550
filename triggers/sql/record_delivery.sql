-- A delivery, recorded once: a copy of one received within the last $5 seconds counts as a
-- duplicate and returns no row; an older one is due again (ISC saw the same change again).
WITH copy AS (
  UPDATE mirror.trigger_deliveries
     SET duplicates = duplicates + 1
   WHERE tenant = $1 AND digest = $3 AND received_at > now() - make_interval(secs => $5)
  RETURNING id
)
INSERT INTO mirror.trigger_deliveries AS d (tenant, trigger_id, digest, body)
SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM copy)
    ON CONFLICT (tenant, digest) DO UPDATE
   SET body = EXCLUDED.body, received_at = now(), duplicates = 0, status = 'pending',
       attempts = 0, next_attempt_at = now(), processed_at = NULL, error = NULL
RETURNING id
