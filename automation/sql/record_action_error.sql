-- An error inside isc-mirror that stopped an action or its record: the action failed.
UPDATE mirror.actions
   SET status = 'failed', updated_at = now(), error = $2
 WHERE id = $1 AND status = 'running' AND attempts = $3
