UPDATE mirror.sync_runs
   SET finished_at = now(), status = $2, pages = $3, seen = $4, inserted = $5, updated = $6,
       unchanged = $7, deleted = $8, expired = $9, http_requests = $10, http_retries = $11,
       rate_limited = $12, error = NULLIF($13, '')
 WHERE id = $1
