-- An operator moves an action ($1) to status $2 from one of $3 (a text array); a failed or dead
-- action made pending again starts its attempts anew.
UPDATE mirror.actions
   SET status = $2, next_attempt_at = now(), updated_at = now(),
       attempts = CASE WHEN $2 = 'pending' AND status IN ('failed', 'dead') THEN 0
                       ELSE attempts END
 WHERE id = $1 AND status = ANY($3::text[])
RETURNING id
