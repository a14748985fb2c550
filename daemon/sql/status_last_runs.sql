-- The last run of each tenant and resource.
SELECT DISTINCT ON (tenant, resource)
       tenant, resource, id, mode, to_char(started_at, 'YYYY-MM-DD HH24:MI:SS') AS started_at,
       status, seen, inserted, updated, deleted, error
  FROM mirror.sync_runs
 ORDER BY tenant, resource, started_at DESC
