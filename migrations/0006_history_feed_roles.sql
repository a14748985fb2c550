-- Reporting, third part (issue 7): history queries, the change feed, applications without
-- owners, the actions view without their parameters, and the read-only reporting role.

-- Tenants to look in: the one asked for, else every tenant the daemon has mirrored. Spelt as an
-- array so that "tenant = ANY (...)" stays an index condition either way.
CREATE FUNCTION report.tenants(p_tenant text DEFAULT NULL) RETURNS text[]
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN p_tenant IS NOT NULL THEN ARRAY[p_tenant]
              ELSE (SELECT coalesce(array_agg(DISTINCT tenant), '{}') FROM mirror.stream_state) END
$$;
COMMENT ON FUNCTION report.tenants(text) IS 'The tenant given, or every tenant in the mirror when it is null.';

-- A JSON pointer of change_events.changed_paths ("/attributes/department") as a path for #>.
CREATE FUNCTION report.pointer_path(p_pointer text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(replace(replace(part, '~1', '/'), '~0', '~') ORDER BY n), '{}')
  -- regexp_split, not string_to_array: "/" is the key "", which string_to_array would drop.
  FROM regexp_split_to_table(substr(p_pointer, 2), '/') WITH ORDINALITY AS t(part, n)
  WHERE p_pointer <> ''
$$;
COMMENT ON FUNCTION report.pointer_path(text) IS 'A JSON pointer (RFC 6901) as a text[] path for the #> operator.';

-- Every version of one object, oldest first: how it got to where it is. object_id is the
-- resource's key; for keys of several columns it is their values joined by "/"
-- (das_resource_owners: application/resource/identity).
CREATE FUNCTION report.object_versions(p_resource text, p_object_id text, p_tenant text DEFAULT NULL)
RETURNS TABLE (tenant text, resource text, object_id text, valid_from timestamptz,
               valid_to timestamptz, raw jsonb)
LANGUAGE sql STABLE AS $$
  SELECT h.tenant, h.resource, h.object_id, h.valid_from, h.valid_to, h.raw
  FROM mirror.history h
  WHERE h.tenant = ANY (report.tenants(p_tenant)) AND h.resource = p_resource
    AND h.object_id = p_object_id
  ORDER BY h.valid_from
$$;
COMMENT ON FUNCTION report.object_versions(text, text, text) IS 'Every version of one object (resource, key) the mirror has seen, oldest first.';

-- An object as it was at a point in time.
CREATE FUNCTION report.object_at(p_resource text, p_object_id text, p_at timestamptz,
                                 p_tenant text DEFAULT NULL)
RETURNS TABLE (tenant text, resource text, object_id text, valid_from timestamptz,
               valid_to timestamptz, raw jsonb)
LANGUAGE sql STABLE AS $$
  SELECT * FROM report.object_versions(p_resource, p_object_id, p_tenant) v
  WHERE v.valid_from <= p_at AND (v.valid_to IS NULL OR v.valid_to > p_at)
$$;
COMMENT ON FUNCTION report.object_at(text, text, timestamptz, text) IS 'The version of one object (resource, key) that was current at a point in time; no row if it did not exist then. Versions start when the mirror first saw them.';

-- An identity's changes over a period: its own, its accounts', its DAS ownerships' and those of
-- the certifications it reviews or reviewed. Accounts count by their present (or last) owner.
CREATE FUNCTION report.identity_changes(p_identity_id text, p_from timestamptz,
                                        p_to timestamptz DEFAULT 'infinity', p_tenant text DEFAULT NULL)
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
           (SELECT jsonb_object_agg(p, jsonb_build_object('from', e.before #> report.pointer_path(p),
                                                          'to', e.after #> report.pointer_path(p)))
            FROM unnest(e.changed_paths) p)
         END,
         e.baseline
  FROM objects o
  JOIN mirror.change_events e
    ON e.tenant = o.tenant AND e.resource = o.resource AND e.object_id = o.object_id
  WHERE e.observed_at >= p_from AND e.observed_at < p_to
  ORDER BY e.event_id
$$;
COMMENT ON FUNCTION report.identity_changes(text, timestamptz, timestamptz, text) IS 'Change events of an identity between two times: the identity, its accounts, its DAS ownerships and the certifications it reviews or reviewed. changes maps each changed JSON pointer to {from, to} for updates.';

-- Identity changes find deleted accounts and ownerships too, which the partial indexes of 0004
-- left out; deleted_at rides along so that counting present ones reads the index alone.
DROP INDEX isc.accounts_identity;
CREATE INDEX accounts_identity ON isc.accounts (tenant, identity_id) INCLUDE (deleted_at);
DROP INDEX isc.das_resource_owners_identity;
CREATE INDEX das_resource_owners_identity ON isc.das_resource_owners (tenant, identity_id)
  INCLUDE (deleted_at);
-- Uncorrelated accounts are a few percent: 3 ms instead of a 0.5 s scan of every account.
CREATE INDEX accounts_uncorrelated ON isc.accounts (tenant, source_id, source_name)
  WHERE uncorrelated AND deleted_at IS NULL;
-- JML activity reads identity events after the baseline: 2 ms instead of a 1.8 s scan of the
-- million baseline events.
CREATE INDEX change_events_identities ON mirror.change_events (event_id)
  WHERE resource = 'identities' AND NOT baseline;
-- "What changed lately" skips the baseline, which may be a million events of the same week.
CREATE INDEX change_events_changes ON mirror.change_events (observed_at) WHERE NOT baseline;
-- The certifications an identity reviewed, found in their history: once a review is handed on,
-- isc.certifications no longer names the old reviewer.
CREATE INDEX history_certification_reviewer ON mirror.history (tenant, (raw #>> '{reviewer,id}'))
  WHERE resource = 'certifications';

-- The change feed: each committed change event after a resource's baseline is announced on
-- isc_mirror_changes, so other programs can LISTEN instead of polling. NOTIFY is transactional:
-- a batch that rolls back announces nothing. Baseline events are the initial load, not changes:
-- announcing a million of them would fill the notification queue of every idle listener; a
-- consumer starts from the tables and the highest event_id instead. A row trigger whose WHEN
-- skips them costs the baseline nothing, where a statement trigger's transition table would
-- copy every event (4 us each); an announced event costs about 10 us.
CREATE FUNCTION mirror.announce_change_event() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- Concatenated rather than json_build_object: half the cost, same JSON.
  PERFORM pg_notify('isc_mirror_changes',
                    '{"event_id":' || NEW.event_id || ',"tenant":' || to_json(NEW.tenant) ||
                    ',"resource":' || to_json(NEW.resource) || ',"op":' || to_json(NEW.op) ||
                    ',"object_id":' || to_json(NEW.object_id) || '}');
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION mirror.announce_change_event() IS 'Announces a change event after the baseline on channel isc_mirror_changes: {"event_id", "tenant", "resource", "op", "object_id"}.';
CREATE TRIGGER change_events_announce
  AFTER INSERT ON mirror.change_events
  FOR EACH ROW WHEN (NOT NEW.baseline) EXECUTE FUNCTION mirror.announce_change_event();

-- Actions as readers may see them: params and response bodies can carry personal data or values
-- a webhook was given, so they stay in mirror.actions.
CREATE VIEW report.actions AS
SELECT id, tenant, rule, action, params->>'summary' AS summary, event_id, status, attempts,
       next_attempt_at, created_at, updated_at, request, response_status, error
FROM mirror.actions;
COMMENT ON VIEW report.actions IS 'The outbox without parameters and response bodies: what each action is, its state and outcome.';

-- Views of 0004 again, measured on 100,000 identities and 1,000,000 accounts
-- (docs/reporting.md). A bare report.leaver_states() in a filter is read once per row; as a
-- scalar subquery it is read once per query, but the planner can no longer see the states to
-- estimate with, so lingering access (where an index on the state wants the estimate) keeps
-- the bare call and the others take the subquery.

-- Counted by one pass over each index instead of one probe per identity: 0.65 s rather than
-- 5.7 s for all identities; a filter on id still reaches the counts through the join.
CREATE OR REPLACE VIEW report.identities AS
SELECT i.tenant, i.id, i.name, i.email_address, i.lifecycle_state,
       i.lifecycle_state = ANY ((SELECT report.leaver_states())::text[]) AS is_leaver,
       i.department, i.location, i.manager_id, m.name AS manager_name,
       coalesce(a.accounts, 0) AS accounts, coalesce(o.owned, 0) AS owned_das_resources
FROM isc.identities i
LEFT JOIN isc.identities m ON m.tenant = i.tenant AND m.id = i.manager_id
LEFT JOIN (SELECT tenant, identity_id, count(*) AS accounts FROM isc.accounts
           WHERE deleted_at IS NULL GROUP BY tenant, identity_id) a
  ON a.tenant = i.tenant AND a.identity_id = i.id
LEFT JOIN (SELECT tenant, identity_id, count(*) AS owned FROM isc.das_resource_owners
           WHERE deleted_at IS NULL GROUP BY tenant, identity_id) o
  ON o.tenant = i.tenant AND o.identity_id = i.id
WHERE i.deleted_at IS NULL;

CREATE OR REPLACE VIEW report.das_ownership AS
SELECT o.tenant, o.application_id, app.name AS application_name, o.resource_id, o.full_path,
       o.identity_id AS owner_id, i.name AS owner_name, i.lifecycle_state AS owner_lifecycle_state,
       CASE WHEN i.id IS NULL OR i.deleted_at IS NOT NULL THEN 'unknown'
            WHEN i.lifecycle_state = ANY ((SELECT report.leaver_states())::text[]) THEN 'leaver'
            ELSE 'ok' END AS owner_status
FROM isc.das_resource_owners o
LEFT JOIN isc.das_applications app ON app.tenant = o.tenant AND app.id = o.application_id
LEFT JOIN isc.identities i ON i.tenant = o.tenant AND i.id = o.identity_id
WHERE o.deleted_at IS NULL;

CREATE OR REPLACE VIEW report.open_certifications AS
SELECT c.tenant, c.id, c.name, c.campaign_name, c.reviewer_id, r.name AS reviewer_name,
       r.lifecycle_state = ANY ((SELECT report.leaver_states())::text[]) AS reviewer_is_leaver,
       c.decisions_made, c.decisions_total,
       round(100.0 * c.decisions_made / nullif(c.decisions_total, 0), 1) AS percent_done,
       c.due, c.due < now() AS overdue
FROM isc.certifications c
LEFT JOIN isc.identities r ON r.tenant = c.tenant AND r.id = c.reviewer_id
WHERE c.deleted_at IS NULL AND NOT coalesce(c.completed, false);

-- Leavers are few: lingering access starts from them (120 ms instead of 2.8 s).
CREATE INDEX identities_lifecycle ON isc.identities (lifecycle_state) WHERE deleted_at IS NULL;

-- Applications nobody owns a resource of: DAS has no one to ask about their access.
CREATE VIEW report.das_unowned_applications AS
SELECT app.tenant, app.id AS application_id, app.name AS application_name, app.type,
       app.test_connection_status, app.first_seen
FROM isc.das_applications app
WHERE app.deleted_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM isc.das_resource_owners o
                  WHERE o.tenant = app.tenant AND o.application_id = app.id AND o.deleted_at IS NULL);
COMMENT ON VIEW report.das_unowned_applications IS 'DAS applications with no owner for any of their resources.';

-- The reporting role. Roles belong to the cluster: created here when the migrating role may,
-- otherwise a superuser runs sql/roles.sql once beforehand.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'isc_mirror_reader') THEN
    BEGIN
      CREATE ROLE isc_mirror_reader NOLOGIN;
    EXCEPTION
      WHEN duplicate_object OR unique_violation THEN NULL;  -- another database got there first
      WHEN insufficient_privilege THEN
        RAISE EXCEPTION 'role isc_mirror_reader does not exist and role % may not create it',
                        current_user
          USING HINT = 'run sql/roles.sql as a superuser once, then isc-mirror migrate again';
    END;
  END IF;
END
$$;

GRANT USAGE ON SCHEMA isc, report, mirror TO isc_mirror_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA isc, report TO isc_mirror_reader;
GRANT SELECT ON mirror.history, mirror.change_events, mirror.sync_runs, mirror.stream_state,
                mirror.settings, mirror.schema_migrations TO isc_mirror_reader;
-- Tables and views of later migrations are readable without another grant.
ALTER DEFAULT PRIVILEGES IN SCHEMA isc, report GRANT SELECT ON TABLES TO isc_mirror_reader;
