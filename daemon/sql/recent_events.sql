-- The tenant's change events of the last 24 hours that rules may act on, for `plan`.
SELECT event_id, resource, object_id, op, changed_paths, before::text AS before,
       after::text AS after
  FROM mirror.change_events
 WHERE tenant = $1 AND NOT baseline AND observed_at > now() - interval '24 hours'
 ORDER BY event_id
