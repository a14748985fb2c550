-- Runs still marked running were cut off: whoever holds the lock now, nobody runs them.
UPDATE mirror.sync_runs
   SET status = 'failed', finished_at = now(),
       error = 'interrupted: the process stopped before the run finished'
 WHERE tenant = $1 AND resource = $2 AND status = 'running'
