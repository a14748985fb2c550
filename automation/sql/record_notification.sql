-- A notification sent in this transaction: the row succeeds with it, or neither happens.
UPDATE mirror.actions
   SET status = 'succeeded', updated_at = now(), request = $2
 WHERE id = $1 AND status = 'running' AND attempts = $3
