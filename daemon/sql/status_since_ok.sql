-- Seconds since the last good run (ok, or held for approval) of each tenant and resource ended.
SELECT tenant, resource, extract(epoch FROM now() - max(finished_at)) AS seconds
  FROM mirror.sync_runs
 WHERE status IN ('ok', 'held')
 GROUP BY tenant, resource
