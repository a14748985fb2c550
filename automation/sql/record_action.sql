-- A worker's result for the action it claimed: fenced by the claim (status running, the same
-- attempt), so that a worker whose lease ran out records nothing over the one that claimed
-- the action after it. $3 is the delay before a retry in seconds, or NULL.
UPDATE mirror.actions
   SET status = $2, updated_at = now(),
       next_attempt_at = CASE WHEN $3::float8 IS NULL THEN next_attempt_at
                              ELSE now() + make_interval(secs => $3::float8) END,
       request = NULLIF($4, ''), response_status = NULLIF($5, 0),
       response_body = NULLIF($6, ''), error = NULLIF($7, '')
 WHERE id = $1 AND status = 'running' AND attempts = $8
