-- Deliveries whose refresh did not happen: due again in $2 seconds, or failed once they have
-- had $3 attempts ($5: the attempt does not count, a poll held the resource).
UPDATE mirror.trigger_deliveries
   SET attempts = attempts - CASE WHEN $5 THEN 1 ELSE 0 END,
       status = CASE WHEN attempts - CASE WHEN $5 THEN 1 ELSE 0 END >= $3 THEN 'failed'
                     ELSE 'pending' END,
       processed_at = CASE WHEN attempts - CASE WHEN $5 THEN 1 ELSE 0 END >= $3 THEN now() END,
       next_attempt_at = now() + make_interval(secs => $2), error = $4
 WHERE id = ANY($1::bigint[])
