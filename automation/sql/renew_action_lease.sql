-- Extends a claim by the lease ($3 seconds) from now, if the claim is still this worker's.
UPDATE mirror.actions
   SET next_attempt_at = now() + make_interval(secs => $3)
 WHERE id = $1 AND status = 'running' AND attempts = $2
