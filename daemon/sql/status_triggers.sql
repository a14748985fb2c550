-- Per tenant and trigger: deliveries recorded in the last 24 hours, their copies, those waiting
-- or given up, seconds since the last one; refusals (all time) and seconds since the last.
WITH d AS (
  SELECT tenant, trigger_id,
         count(*) FILTER (WHERE received_at > now() - interval '24 hours') AS recorded,
         coalesce(sum(duplicates), 0) AS duplicates,
         count(*) FILTER (WHERE status IN ('pending', 'running')) AS waiting,
         count(*) FILTER (WHERE status = 'failed') AS failed,
         extract(epoch FROM now() - max(received_at)) AS last_seconds
    FROM mirror.trigger_deliveries
   GROUP BY tenant, trigger_id
), r AS (
  SELECT tenant, trigger_id, sum(refused) AS refused,
         extract(epoch FROM now() - max(last_at)) AS refused_seconds
    FROM mirror.trigger_refusals
   GROUP BY tenant, trigger_id
)
SELECT tenant, trigger_id, coalesce(recorded, 0) AS recorded,
       coalesce(duplicates, 0) AS duplicates, coalesce(waiting, 0) AS waiting,
       coalesce(failed, 0) AS failed, last_seconds, coalesce(refused, 0) AS refused,
       refused_seconds
  FROM d FULL JOIN r USING (tenant, trigger_id)
 ORDER BY tenant, trigger_id
