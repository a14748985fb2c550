-- An object's current version lives only in its isc table (issue 18): writing every object a
-- second time into mirror.history doubled the first load and every change. History keeps the
-- superseded versions, in mirror.past_versions; the view mirror.history unions them with the
-- tables' rows, so every history question has the answer it had.
--
-- Each isc table gets valid_from: when its row's version began. last_changed cannot serve:
-- a delete moves it, and a deleted object's last version began when its content last changed.
-- A version's valid_to is its row's deleted_at (null while present), as before.

ALTER TABLE mirror.history RENAME TO past_versions;
ALTER INDEX mirror.history_object RENAME TO past_versions_object;
ALTER INDEX mirror.history_certification_reviewer RENAME TO past_versions_certification_reviewer;
DROP INDEX mirror.history_current;

-- The latest version of each object moves to its row.
CREATE TEMP TABLE latest ON COMMIT DROP AS
SELECT DISTINCT ON (tenant, resource, object_id) id, tenant, resource, object_id, valid_from
FROM mirror.past_versions
ORDER BY tenant, resource, object_id, valid_from DESC, id DESC;
CREATE INDEX ON latest (tenant, resource, object_id);
CREATE TEMP TABLE moved (id bigint) ON COMMIT DROP;

DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT * FROM (VALUES
      ('identities', 'isc.identities', 'id'),
      ('accounts', 'isc.accounts', 'id'),
      ('task_statuses', 'isc.task_statuses', 'id'),
      ('certifications', 'isc.certifications', 'id'),
      ('certification_reviewers', 'isc.certification_reviewers', 'concat_ws(''/'', t.certification_id::text, t.id::text)'),
      ('access_review_items', 'isc.access_review_items', 'concat_ws(''/'', t.certification_id::text, t.id::text)'),
      ('certification_tasks', 'isc.certification_tasks', 'id'),
      ('das_applications', 'isc.das_applications', 'id::text'),
      ('das_tasks', 'isc.das_tasks', 'task_id::text'),
      ('das_schedules', 'isc.das_schedules', 'schedule_task_id::text'),
      ('das_identity_collectors', 'isc.das_identity_collectors', 'id'),
      ('das_resource_owners', 'isc.das_resource_owners', 'concat_ws(''/'', t.application_id::text, t.resource_id::text, t.identity_id::text)')
    ) AS v(resource, tbl, key) LOOP
    EXECUTE format('ALTER TABLE %s ADD COLUMN valid_from timestamptz', r.tbl);
    EXECUTE format(
      'WITH m AS (UPDATE %s t SET valid_from = l.valid_from FROM latest l '
      'WHERE l.tenant = t.tenant AND l.resource = %L AND l.object_id = %s RETURNING l.id) '
      'INSERT INTO moved SELECT id FROM m',
      r.tbl, r.resource, CASE WHEN r.key LIKE 'concat_ws%' THEN r.key ELSE 't.' || r.key END);
    -- A row without any version (none should be): its version began when it last changed.
    EXECUTE format('UPDATE %s SET valid_from = last_changed WHERE valid_from IS NULL', r.tbl);
    EXECUTE format('ALTER TABLE %s ALTER COLUMN valid_from SET DEFAULT now(), '
                   'ALTER COLUMN valid_from SET NOT NULL', r.tbl);
    EXECUTE format('COMMENT ON COLUMN %s.valid_from IS %L', r.tbl,
                   'When this row''s version began: it is the current version in mirror.history, '
                   'valid until deleted_at.');
  END LOOP;
END
$$;

DELETE FROM mirror.past_versions p USING moved m WHERE p.id = m.id;
-- Versions of objects whose row is gone (none should be) stay, closed when they were last seen
-- closed; a version still open here has no row to continue it.
UPDATE mirror.past_versions SET valid_to = valid_from WHERE valid_to IS NULL;

ALTER TABLE mirror.past_versions DROP COLUMN id, ALTER COLUMN valid_to SET NOT NULL;
COMMENT ON TABLE mirror.past_versions IS 'Superseded versions of mirrored objects: each was valid from valid_from until valid_to. Current versions are the isc tables'' rows; mirror.history shows both.';

-- One branch per resource (a test checks every schema file has one). object_id is the key as
-- the writer names it: the key values as text, joined by '/'.
CREATE VIEW mirror.history AS
SELECT tenant, resource, object_id, valid_from, valid_to, raw FROM mirror.past_versions
UNION ALL SELECT tenant, 'identities', id, valid_from, deleted_at, raw FROM isc.identities
UNION ALL SELECT tenant, 'accounts', id, valid_from, deleted_at, raw FROM isc.accounts
UNION ALL SELECT tenant, 'task_statuses', id, valid_from, deleted_at, raw FROM isc.task_statuses
UNION ALL SELECT tenant, 'certifications', id, valid_from, deleted_at, raw FROM isc.certifications
UNION ALL SELECT tenant, 'certification_reviewers', concat_ws('/', certification_id::text, id::text),
                 valid_from, deleted_at, raw FROM isc.certification_reviewers
UNION ALL SELECT tenant, 'access_review_items', concat_ws('/', certification_id::text, id::text),
                 valid_from, deleted_at, raw FROM isc.access_review_items
UNION ALL SELECT tenant, 'certification_tasks', id, valid_from, deleted_at, raw FROM isc.certification_tasks
UNION ALL SELECT tenant, 'das_applications', id::text, valid_from, deleted_at, raw FROM isc.das_applications
UNION ALL SELECT tenant, 'das_tasks', task_id::text, valid_from, deleted_at, raw FROM isc.das_tasks
UNION ALL SELECT tenant, 'das_schedules', schedule_task_id::text, valid_from, deleted_at, raw FROM isc.das_schedules
UNION ALL SELECT tenant, 'das_identity_collectors', id, valid_from, deleted_at, raw FROM isc.das_identity_collectors
UNION ALL SELECT tenant, 'das_resource_owners',
                 concat_ws('/', application_id::text, resource_id::text, identity_id::text),
                 valid_from, deleted_at, raw FROM isc.das_resource_owners;
COMMENT ON VIEW mirror.history IS 'Every version of every mirrored object: the superseded ones (mirror.past_versions) and the current ones (the isc tables'' rows); valid_to is null for a present object''s current version, and its deleted_at for a deleted one''s.';
GRANT SELECT ON mirror.history TO isc_mirror_reader;

-- Versions are the mirror's record: a change to the view fails with a reason instead of
-- PostgreSQL's "not automatically updatable", and a reader without the privilege is refused
-- as for any table.
CREATE FUNCTION mirror.refuse_history_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'mirror.history cannot be changed: it shows the versions isc-mirror keeps'
    USING HINT = 'the current versions are the isc tables'' rows, the superseded ones are in mirror.past_versions';
END
$$;
CREATE TRIGGER history_read_only INSTEAD OF INSERT OR UPDATE OR DELETE ON mirror.history
  FOR EACH ROW EXECUTE FUNCTION mirror.refuse_history_change();
