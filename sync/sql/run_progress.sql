-- A long run's counts so far, for `status` while it runs.
UPDATE mirror.sync_runs
   SET pages = $2, seen = $3, inserted = $4, updated = $5, unchanged = $6, http_requests = $7
 WHERE id = $1
