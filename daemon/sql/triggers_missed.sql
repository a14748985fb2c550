-- For a tenant that takes deliveries ($1): seconds since its last delivery (null: none in the
-- table), and the identity changes its polls found since then (within a day). A working
-- subscription brings those changes first, and the poll then finds nothing new.
WITH last AS (SELECT max(received_at) AS at FROM mirror.trigger_deliveries WHERE tenant = $1)
SELECT extract(epoch FROM now() - last.at) AS last_seconds,
       (SELECT count(*) FROM mirror.events e
         WHERE e.tenant = $1 AND e.resource = 'identities' AND e.sync_run_id IS NOT NULL
           AND e.observed_at > greatest(last.at, now() - interval '24 hours')) AS missed
  FROM last
