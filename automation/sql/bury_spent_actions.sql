-- Rows whose attempts are spent are not handed out again: their worker died mid-call each time
-- (or max_attempts was lowered), so they are dead, with a hint for the operator.
UPDATE mirror.actions
   SET status = 'dead', updated_at = now(),
       error = coalesce(error || '; ', '') || 'attempts spent (' || attempts
               || ') with no result recorded for the last: its worker stopped mid-call (hint: '
               || 'see the daemon log, then isc-mirror actions retry ' || id || ')'
 WHERE tenant = $1 AND status IN ('pending', 'running') AND next_attempt_at <= now()
   AND attempts >= $2
