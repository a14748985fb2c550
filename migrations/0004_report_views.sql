-- Reporting views, first set (issue 7): the daemon's settings they need, identities, lingering
-- access of leavers, uncorrelated accounts, DAS ownership, open certifications, mirror health.

-- Settings the daemon writes from its config at start, so that SQL agrees with the rules.
CREATE TABLE mirror.settings (
  key        text PRIMARY KEY,
  value      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE mirror.settings IS 'Config values the reports need (lifecycle.leaver_states), written by the daemon at start.';

CREATE FUNCTION report.leaver_states() RETURNS text[] LANGUAGE sql STABLE AS $$
  SELECT coalesce(
    (SELECT array_agg(s) FROM mirror.settings, jsonb_array_elements_text(value) s
      WHERE key = 'lifecycle.leaver_states'),
    '{terminated,inactive}'::text[])
$$;
COMMENT ON FUNCTION report.leaver_states() IS 'lifecycle.leaver_states of the config (default terminated, inactive).';

CREATE VIEW report.identities AS
SELECT i.tenant, i.id, i.name, i.email_address, i.lifecycle_state,
       i.lifecycle_state = ANY (report.leaver_states()) AS is_leaver,
       i.department, i.location, i.manager_id, m.name AS manager_name,
       (SELECT count(*) FROM isc.accounts a
         WHERE a.tenant = i.tenant AND a.identity_id = i.id AND a.deleted_at IS NULL) AS accounts,
       (SELECT count(*) FROM isc.das_resource_owners o
         WHERE o.tenant = i.tenant AND o.identity_id = i.id AND o.deleted_at IS NULL) AS owned_das_resources
FROM isc.identities i
LEFT JOIN isc.identities m ON m.tenant = i.tenant AND m.id = i.manager_id
WHERE i.deleted_at IS NULL;
COMMENT ON VIEW report.identities IS 'Present identities with lifecycle state, leaver flag, manager, department, and how many accounts and DAS resources they have.';

CREATE VIEW report.lingering_access AS
SELECT a.tenant, i.id AS identity_id, i.name AS identity_name, i.lifecycle_state,
       a.id AS account_id, a.name AS account_name, a.source_name, a.last_changed AS account_last_changed
FROM isc.identities i
JOIN isc.accounts a ON a.tenant = i.tenant AND a.identity_id = i.id
WHERE i.deleted_at IS NULL AND a.deleted_at IS NULL
  AND i.lifecycle_state = ANY (report.leaver_states())
  AND NOT coalesce(a.disabled, false);
COMMENT ON VIEW report.lingering_access IS 'Enabled accounts of leavers: access that should have gone.';

CREATE VIEW report.uncorrelated_accounts AS
SELECT tenant, source_id, source_name, count(*) AS accounts
FROM isc.accounts
WHERE deleted_at IS NULL AND uncorrelated
GROUP BY tenant, source_id, source_name;
COMMENT ON VIEW report.uncorrelated_accounts IS 'Uncorrelated accounts (no identity) by source.';

CREATE VIEW report.das_ownership AS
SELECT o.tenant, o.application_id, app.name AS application_name, o.resource_id, o.full_path,
       o.identity_id AS owner_id, i.name AS owner_name, i.lifecycle_state AS owner_lifecycle_state,
       CASE WHEN i.id IS NULL OR i.deleted_at IS NOT NULL THEN 'unknown'
            WHEN i.lifecycle_state = ANY (report.leaver_states()) THEN 'leaver'
            ELSE 'ok' END AS owner_status
FROM isc.das_resource_owners o
LEFT JOIN isc.das_applications app ON app.tenant = o.tenant AND app.id = o.application_id
LEFT JOIN isc.identities i ON i.tenant = o.tenant AND i.id = o.identity_id
WHERE o.deleted_at IS NULL;
COMMENT ON VIEW report.das_ownership IS 'DAS resources by owner; owner_status is leaver or unknown where ownership needs a new owner.';

CREATE VIEW report.open_certifications AS
SELECT c.tenant, c.id, c.name, c.campaign_name, c.reviewer_id, r.name AS reviewer_name,
       r.lifecycle_state = ANY (report.leaver_states()) AS reviewer_is_leaver,
       c.decisions_made, c.decisions_total,
       round(100.0 * c.decisions_made / nullif(c.decisions_total, 0), 1) AS percent_done,
       c.due, c.due < now() AS overdue
FROM isc.certifications c
LEFT JOIN isc.identities r ON r.tenant = c.tenant AND r.id = c.reviewer_id
WHERE c.deleted_at IS NULL AND NOT coalesce(c.completed, false);
COMMENT ON VIEW report.open_certifications IS 'Open certifications with reviewer, progress, due date and whether the reviewer is a leaver.';

CREATE VIEW report.mirror_health AS
SELECT s.tenant, s.resource, s.baseline_done, s.last_full_scan_at,
       ok.finished_at AS last_success, now() - ok.finished_at AS lag,
       last.status AS last_status, last.error AS last_error
FROM mirror.stream_state s
LEFT JOIN LATERAL (SELECT finished_at FROM mirror.sync_runs r
                   WHERE r.tenant = s.tenant AND r.resource = s.resource AND r.status IN ('ok', 'held')
                   ORDER BY started_at DESC LIMIT 1) ok ON true
LEFT JOIN LATERAL (SELECT status, error FROM mirror.sync_runs r
                   WHERE r.tenant = s.tenant AND r.resource = s.resource
                   ORDER BY started_at DESC LIMIT 1) last ON true;
COMMENT ON VIEW report.mirror_health IS 'Per tenant and resource: last successful sync, lag, and the last run''s result.';

-- The joins above go through these.
CREATE INDEX accounts_identity ON isc.accounts (tenant, identity_id) WHERE deleted_at IS NULL;
CREATE INDEX das_resource_owners_identity ON isc.das_resource_owners (tenant, identity_id)
  WHERE deleted_at IS NULL;
CREATE INDEX certifications_reviewer ON isc.certifications (tenant, reviewer_id)
  WHERE deleted_at IS NULL;
