-- Change events are small (issue 18): an event keeps its op, changed_paths, a diff of the
-- changed values ({"pointer": [old, new]}) and the valid_from of the versions on each side;
-- the full before and after are in mirror.history, one join away. The view
-- mirror.change_events gives readers the old shape, before and after included.
--
-- Events written before this migration are matched to their versions: a version began in the
-- transaction that wrote its insert or update event, so its valid_from is the event's
-- observed_at, and the version an update or delete ended has that valid_to. The stored
-- before and after are cleared only where the version matched, content included; an event
-- whose version is not found keeps them.

ALTER TABLE mirror.change_events RENAME TO events;
ALTER INDEX mirror.change_events_pkey RENAME TO events_pkey;
ALTER INDEX mirror.change_events_object RENAME TO events_object;
ALTER INDEX mirror.change_events_observed RENAME TO events_observed;
ALTER INDEX mirror.change_events_identities RENAME TO events_identities;
-- The same entries as events_observed since a baseline writes no events.
DROP INDEX mirror.change_events_changes;

ALTER TABLE mirror.events
  ADD COLUMN diff jsonb,
  ADD COLUMN before_from timestamptz,
  ADD COLUMN after_from timestamptz;
COMMENT ON COLUMN mirror.events.diff IS 'For an update: each changed JSON pointer of changed_paths with its value before and after, {"pointer": [old, new]} (null where there was none).';
COMMENT ON COLUMN mirror.events.before_from IS 'valid_from of the version before the change in mirror.history (update, delete, expire).';
COMMENT ON COLUMN mirror.events.after_from IS 'valid_from of the version after the change in mirror.history (insert, update).';
COMMENT ON COLUMN mirror.events.before IS 'Only on events written before migration 0012 whose previous version was not found in history; otherwise null (see before_from).';
COMMENT ON COLUMN mirror.events.after IS 'Only on events written before migration 0012 whose version was not found in history; otherwise null (see after_from).';
COMMENT ON TABLE mirror.events IS 'Every change the daemon saw after a resource''s baseline, small: op, changed paths and values, and references to the versions on each side. mirror.change_events shows them with before and after.';

-- One pass, so that each event is rewritten once.
WITH matched AS (
  SELECT e.event_id,
         (SELECT h.valid_from FROM mirror.history h
          WHERE h.tenant = e.tenant AND h.resource = e.resource AND h.object_id = e.object_id
            AND h.valid_to = e.observed_at AND h.raw = e.before) AS before_from,
         (SELECT h.valid_from FROM mirror.history h
          WHERE h.tenant = e.tenant AND h.resource = e.resource AND h.object_id = e.object_id
            AND h.valid_from = e.observed_at AND h.raw = e.after) AS after_from,
         CASE WHEN e.op = 'update' THEN
           (SELECT jsonb_object_agg(p, jsonb_build_array(e.before #> report.pointer_path(p),
                                                         e.after #> report.pointer_path(p)))
            FROM unnest(e.changed_paths) p)
         END AS diff
  FROM mirror.events e
)
UPDATE mirror.events e
SET diff = m.diff, before_from = m.before_from, after_from = m.after_from,
    before = CASE WHEN m.before_from IS NULL THEN e.before END,
    after = CASE WHEN m.after_from IS NULL THEN e.after END
FROM matched m
WHERE m.event_id = e.event_id;

CREATE VIEW mirror.change_events AS
SELECT e.event_id, e.tenant, e.resource, e.object_id, e.op, e.changed_paths,
       CASE WHEN e.before_from IS NULL THEN e.before
            ELSE (SELECT h.raw FROM mirror.history h
                  WHERE h.tenant = e.tenant AND h.resource = e.resource
                    AND h.object_id = e.object_id AND h.valid_from = e.before_from) END AS before,
       CASE WHEN e.after_from IS NULL THEN e.after
            ELSE (SELECT h.raw FROM mirror.history h
                  WHERE h.tenant = e.tenant AND h.resource = e.resource
                    AND h.object_id = e.object_id AND h.valid_from = e.after_from) END AS after,
       e.baseline, e.sync_run_id, e.observed_at, e.diff, e.before_from, e.after_from
FROM mirror.events e;
COMMENT ON VIEW mirror.change_events IS 'Every change the daemon saw after a resource''s baseline, with the object before and after it (from mirror.history); mirror.events holds them without.';
GRANT SELECT ON mirror.change_events TO isc_mirror_reader;

-- The same view as 0005's, now over the view: the stored row no longer carries before/after.
CREATE OR REPLACE VIEW report.jml_activity AS
SELECT e.tenant, e.event_id, e.observed_at, e.object_id AS identity_id,
       e.after->>'name' AS identity_name,
       e.before #>> '{lifecycleState,stateName}' AS state_before,
       e.after #>> '{lifecycleState,stateName}' AS state_after,
       e.op, e.changed_paths,
       a.id AS action_id, a.rule, a.action, a.status AS action_status,
       a.params->>'summary' AS action_summary, a.error AS action_error, a.updated_at AS action_updated_at
FROM mirror.change_events e
LEFT JOIN mirror.actions a ON a.event_id = e.event_id
WHERE e.resource = 'identities' AND NOT e.baseline;

-- 0006's function, reading the changed values from the event's diff instead of two whole
-- versions.
CREATE OR REPLACE FUNCTION report.identity_changes(p_identity_id text, p_from timestamptz,
                                                   p_to timestamptz DEFAULT 'infinity',
                                                   p_tenant text DEFAULT NULL)
RETURNS TABLE (event_id bigint, observed_at timestamptz, tenant text, resource text,
               object_id text, op text, changes jsonb, baseline boolean)
LANGUAGE sql STABLE AS $$
  WITH objects AS (
    SELECT i.tenant, 'identities'::text AS resource, i.id AS object_id
    FROM isc.identities i
    WHERE i.tenant = ANY (report.tenants(p_tenant)) AND i.id = p_identity_id
    UNION
    SELECT a.tenant, 'accounts', a.id
    FROM isc.accounts a
    WHERE a.tenant = ANY (report.tenants(p_tenant)) AND a.identity_id = p_identity_id
    UNION
    SELECT o.tenant, 'das_resource_owners', concat_ws('/', o.application_id, o.resource_id, o.identity_id)
    FROM isc.das_resource_owners o
    WHERE o.tenant = ANY (report.tenants(p_tenant)) AND o.identity_id = p_identity_id
    UNION
    -- Reviews handed on keep the old reviewer in history only.
    SELECT h.tenant, 'certifications', h.object_id
    FROM mirror.history h
    WHERE h.tenant = ANY (report.tenants(p_tenant)) AND h.resource = 'certifications'
      AND h.raw #>> '{reviewer,id}' = p_identity_id
  )
  SELECT e.event_id, e.observed_at, e.tenant, e.resource, e.object_id, e.op,
         CASE WHEN e.op = 'update' THEN
           (SELECT jsonb_object_agg(p, jsonb_build_object('from', e.diff -> p -> 0,
                                                          'to', e.diff -> p -> 1))
            FROM unnest(e.changed_paths) p)
         END,
         e.baseline
  FROM objects o
  JOIN mirror.events e
    ON e.tenant = o.tenant AND e.resource = o.resource AND e.object_id = o.object_id
  WHERE e.observed_at >= p_from AND e.observed_at < p_to
  ORDER BY e.event_id
$$;
