-- A batch's change events, in batch order: $1 tenant, $2 resource, $3 run, then one text array
-- per column, '' for none ($4 object_id, $5 op, $6 changed_paths as array literals, $7 diff,
-- $8 before_from) and $9 the ids when rules need them in this transaction; otherwise the
-- sequence numbers them after the sort, so that events keep batch order either way. The
-- version an insert or update made began in this transaction, at now().
INSERT INTO mirror.events (event_id, tenant, resource, object_id, op, changed_paths, diff,
                           before_from, after_from, sync_run_id)
SELECT coalesce(c.event_id, nextval(pg_get_serial_sequence('mirror.events', 'event_id'))),
       $1, $2, c.object_id, c.op, c.paths::text[], NULLIF(c.diff, '')::jsonb,
       NULLIF(c.before_from, '')::timestamptz,
       CASE WHEN c.op IN ('insert', 'update') THEN now() END, $3::bigint
  FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[])
       WITH ORDINALITY AS c(object_id, op, paths, diff, before_from, event_id, n)
 ORDER BY c.n
