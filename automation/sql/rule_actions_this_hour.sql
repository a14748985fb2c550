-- Actions a rule inserted in the last hour, for its max_per_hour; dry runs and cancelled ones
-- call nothing and do not count.
SELECT count(*)
  FROM mirror.actions
 WHERE tenant = $1 AND rule = $2 AND created_at > now() - interval '1 hour'
   AND status NOT IN ('dry_run', 'cancelled')
