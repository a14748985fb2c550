-- What each identity holds (isc.identity_access, from POST /v3/search), and the reports on the
-- access model (issue 21): accounts by source, who holds privileged entitlements and through
-- what, leavers still holding entitlements, roles without an owner who can act, governance
-- groups reviewing with leaving members, identities per profile and lifecycle state.

CREATE TABLE isc.identity_access (
  tenant       text NOT NULL,
  identity_id  text NOT NULL,
  id           text NOT NULL,
  type         text,
  name         text,
  source_id    text,
  account_id   text,
  privileged   boolean,
  standalone   boolean,
  raw          jsonb NOT NULL,
  content_hash text NOT NULL,
  first_seen   timestamptz NOT NULL DEFAULT now(),
  last_seen    timestamptz NOT NULL DEFAULT now(),
  last_changed timestamptz NOT NULL DEFAULT now(),
  valid_from   timestamptz NOT NULL DEFAULT now(),
  deleted_at   timestamptz,
  PRIMARY KEY (tenant, identity_id, id)
);
COMMENT ON TABLE isc.identity_access IS 'POST /v3/search over the identities index: what each identity holds, one row per access item (a role, an access profile or an entitlement), an entitlement with the accounts that hold it. One search answers a thousand identities a page, so 100,000 identities cost 100 requests; a list per account (GET /v2024/accounts/{id}/entitlements) would cost a request per account, 1,000,000 of them. Search pages by searchAfter on id (offsets end at 10,000). Search reads ISC''s search index, which follows the tenant by seconds to minutes.';
COMMENT ON COLUMN isc.identity_access.valid_from IS 'When this row''s version began: it is the current version in mirror.history, valid until deleted_at.';
COMMENT ON COLUMN isc.identity_access.account_id IS 'For an entitlement: the account that holds it (raw -> ''accounts'' lists every one, when several do).';
COMMENT ON COLUMN isc.identity_access.standalone IS 'For an entitlement: held apart from any access profile the identity holds (a direct grant).';
-- What an identity holds, and who holds an access item: both answered from the index alone
-- (a row's raw makes the table ten times the size of these).
CREATE INDEX identity_access_held ON isc.identity_access (tenant, identity_id, id)
  INCLUDE (type, account_id, standalone) WHERE deleted_at IS NULL;
CREATE INDEX identity_access_item ON isc.identity_access (tenant, id, identity_id)
  INCLUDE (type, account_id, standalone) WHERE deleted_at IS NULL;
-- Accounts counted per source from the index alone.
CREATE INDEX accounts_source ON isc.accounts (tenant, source_id) INCLUDE (disabled, uncorrelated)
  WHERE deleted_at IS NULL;
GRANT SELECT ON isc.identity_access TO isc_mirror_reader;

CREATE OR REPLACE VIEW mirror.history AS
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
                 valid_from, deleted_at, raw FROM isc.das_resource_owners
UNION ALL SELECT tenant, 'sources', id, valid_from, deleted_at, raw FROM isc.sources
UNION ALL SELECT tenant, 'entitlements', id, valid_from, deleted_at, raw FROM isc.entitlements
UNION ALL SELECT tenant, 'access_profiles', id, valid_from, deleted_at, raw FROM isc.access_profiles
UNION ALL SELECT tenant, 'roles', id, valid_from, deleted_at, raw FROM isc.roles
UNION ALL SELECT tenant, 'identity_profiles', id, valid_from, deleted_at, raw FROM isc.identity_profiles
UNION ALL SELECT tenant, 'lifecycle_states', concat_ws('/', identity_profile_id::text, id::text),
                 valid_from, deleted_at, raw FROM isc.lifecycle_states
UNION ALL SELECT tenant, 'governance_groups', id, valid_from, deleted_at, raw FROM isc.governance_groups
UNION ALL SELECT tenant, 'governance_group_members', concat_ws('/', governance_group_id::text, id::text),
                 valid_from, deleted_at, raw FROM isc.governance_group_members
UNION ALL SELECT tenant, 'identity_access', identity_id || '/' || id,
                 valid_from, deleted_at, raw FROM isc.identity_access;
-- A version of the table's million rows is found by its object id through this index (the key
-- columns are never null, so || joins them as concat_ws does for the other branches): without
-- it every lookup in mirror.history is planned as a scan of the table, and the plans of views
-- that read history grow costly enough to be compiled (JIT) for seconds.
CREATE INDEX identity_access_object ON isc.identity_access (tenant, (identity_id || '/' || id));

-- Accounts by the name of their source.
CREATE VIEW report.accounts_by_source AS
SELECT c.tenant, c.source_id,
       coalesce(s.name, (SELECT a.source_name FROM isc.accounts a
                          WHERE a.tenant = c.tenant AND a.source_id = c.source_id LIMIT 1)) AS source_name,
       s.type AS source_type, s.authoritative, s.deleted_at IS NOT NULL AS source_deleted,
       c.accounts, c.disabled, c.uncorrelated
FROM (SELECT tenant, source_id, count(*) AS accounts,
             count(*) FILTER (WHERE coalesce(disabled, false)) AS disabled,
             count(*) FILTER (WHERE coalesce(uncorrelated, false)) AS uncorrelated
      FROM isc.accounts WHERE deleted_at IS NULL
      GROUP BY tenant, source_id) c
LEFT JOIN isc.sources s ON s.tenant = c.tenant AND s.id = c.source_id;
COMMENT ON VIEW report.accounts_by_source IS 'Present accounts per source, by the source''s name: how many, how many disabled and uncorrelated, and whether ISC still has the source.';

-- The ids of a list of references ([{"id": ...}, ...]). In plpgsql, so the planner takes its
-- estimate of a few rows instead of the hundred it assumes for jsonb_array_elements: with
-- that, the reports below cost enough to be compiled (JIT) and join in the wrong order.
CREATE FUNCTION report.ids_of(refs jsonb) RETURNS SETOF text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE ROWS 4 AS $$
BEGIN
  RETURN QUERY SELECT r ->> 'id' FROM jsonb_array_elements(coalesce(refs, '[]')) r;
END
$$;
COMMENT ON FUNCTION report.ids_of(jsonb) IS 'The ids of a JSON list of references, e.g. a role''s raw -> ''entitlements''.';

-- Which roles and access profiles grant which entitlement: an access profile its entitlements,
-- a role its own and its access profiles'.
CREATE VIEW report.access_grants AS
WITH profile_grants AS NOT MATERIALIZED (
  SELECT p.tenant, p.id AS profile_id, p.name AS profile_name, e AS entitlement_id
  FROM isc.access_profiles p, report.ids_of(p.raw -> 'entitlements') e
  WHERE p.deleted_at IS NULL)
SELECT tenant, 'ACCESS_PROFILE' AS through_type, profile_id AS through_id,
       profile_name AS through_name, entitlement_id
FROM profile_grants
UNION
SELECT r.tenant, 'ROLE', r.id, r.name, e
FROM isc.roles r, report.ids_of(r.raw -> 'entitlements') e
WHERE r.deleted_at IS NULL
UNION
SELECT r.tenant, 'ROLE', r.id, r.name, g.entitlement_id
FROM isc.roles r, report.ids_of(r.raw -> 'accessProfiles') p
JOIN profile_grants g ON g.profile_id = p
WHERE r.deleted_at IS NULL AND g.tenant = r.tenant;
COMMENT ON VIEW report.access_grants IS 'Which role or access profile grants which entitlement (a role through its access profiles too).';

-- Who holds a privileged entitlement, and through what: each role or access profile the
-- identity holds that grants it, and 'DIRECT' where ISC marks the grant standalone. Privileged
-- is what isc.entitlements says (the entitlements resource).
CREATE VIEW report.privileged_access AS
WITH held AS NOT MATERIALIZED (
  SELECT h.tenant, h.identity_id, e.id AS entitlement_id, e.name AS entitlement_name,
         e.source_name, h.account_id, h.standalone
  FROM isc.entitlements e
  JOIN isc.identity_access h ON h.tenant = e.tenant AND h.id = e.id AND h.deleted_at IS NULL
  WHERE e.deleted_at IS NULL AND e.privileged)
SELECT held.tenant, held.identity_id, i.name AS identity_name, i.lifecycle_state,
       i.lifecycle_state = ANY (report.leaver_states()) AS is_leaver,
       held.entitlement_id, held.entitlement_name, held.source_name, held.account_id,
       g.through_type AS through, g.through_id, g.through_name
FROM held
JOIN report.access_grants g ON g.tenant = held.tenant AND g.entitlement_id = held.entitlement_id
JOIN isc.identity_access via ON via.tenant = held.tenant AND via.identity_id = held.identity_id
                            AND via.id = g.through_id AND via.deleted_at IS NULL
LEFT JOIN isc.identities i ON i.tenant = held.tenant AND i.id = held.identity_id
UNION ALL
SELECT held.tenant, held.identity_id, i.name, i.lifecycle_state,
       i.lifecycle_state = ANY (report.leaver_states()),
       held.entitlement_id, held.entitlement_name, held.source_name, held.account_id,
       'DIRECT', NULL, NULL
FROM held
LEFT JOIN isc.identities i ON i.tenant = held.tenant AND i.id = held.identity_id
WHERE held.standalone;
COMMENT ON VIEW report.privileged_access IS 'Privileged entitlements held, one row per way each is held: through a role or access profile the identity holds (through, through_id, through_name), or DIRECT.';

-- Leavers who still hold entitlements.
CREATE VIEW report.leaver_entitlements AS
SELECT h.tenant, i.id AS identity_id, i.name AS identity_name, i.lifecycle_state,
       h.id AS entitlement_id, e.name AS entitlement_name, e.source_name,
       e.privileged, h.standalone,
       h.account_id, a.name AS account_name, a.disabled AS account_disabled
FROM isc.identities i
JOIN isc.identity_access h ON h.tenant = i.tenant AND h.identity_id = i.id
                          AND h.deleted_at IS NULL AND h.type = 'ENTITLEMENT'
LEFT JOIN isc.entitlements e ON e.tenant = h.tenant AND e.id = h.id AND e.deleted_at IS NULL
LEFT JOIN isc.accounts a ON a.tenant = h.tenant AND a.id = h.account_id
WHERE i.deleted_at IS NULL AND i.lifecycle_state = ANY (report.leaver_states());
COMMENT ON VIEW report.leaver_entitlements IS 'Entitlements still held by leavers, with the account that holds each and whether it is disabled.';

-- Roles nobody who can act owns.
CREATE VIEW report.roles_without_owner AS
SELECT r.tenant, r.id, r.name, r.enabled, r.owner_id, o.name AS owner_name,
       CASE WHEN r.owner_id IS NULL THEN 'none'
            WHEN o.id IS NULL OR o.deleted_at IS NOT NULL THEN 'unknown'
            ELSE 'leaver' END AS owner_status,
       (SELECT count(*) FROM isc.identity_access h
         WHERE h.tenant = r.tenant AND h.id = r.id AND h.deleted_at IS NULL) AS holders
FROM isc.roles r
LEFT JOIN isc.identities o ON o.tenant = r.tenant AND o.id = r.owner_id
WHERE r.deleted_at IS NULL
  AND (r.owner_id IS NULL OR o.id IS NULL OR o.deleted_at IS NOT NULL
       OR o.lifecycle_state = ANY (report.leaver_states()));
COMMENT ON VIEW report.roles_without_owner IS 'Roles without an owner who can act: none, one the mirror does not know (unknown), or a leaver; holders counts the identities that hold each.';

-- Open certifications reviewed by a governance group, and the group's members who are leavers.
CREATE VIEW report.group_reviewers_leaving AS
SELECT c.tenant, c.id AS certification_id, c.name AS certification_name, c.due,
       g.id AS group_id, g.name AS group_name,
       m.id AS member_id, i.name AS member_name, i.lifecycle_state,
       count(*) OVER (PARTITION BY c.tenant, c.id) AS leaving_members,
       (SELECT count(*) FROM isc.governance_group_members all_m
         WHERE all_m.tenant = g.tenant AND all_m.governance_group_id = g.id
           AND all_m.deleted_at IS NULL) AS members
FROM isc.certifications c
JOIN isc.governance_groups g ON g.tenant = c.tenant AND g.id = c.reviewer_id AND g.deleted_at IS NULL
JOIN isc.governance_group_members m ON m.tenant = g.tenant AND m.governance_group_id = g.id
                                   AND m.deleted_at IS NULL
JOIN isc.identities i ON i.tenant = m.tenant AND i.id = m.id
WHERE c.deleted_at IS NULL AND NOT coalesce(c.completed, false)
  AND c.reviewer_type = 'GOVERNANCE_GROUP'
  AND i.lifecycle_state = ANY (report.leaver_states());
COMMENT ON VIEW report.group_reviewers_leaving IS 'Open certifications reviewed by a governance group, one row per member of the group who is a leaver; leaving_members and members tell whether anyone is left to review.';

-- ISC's count of identities per identity profile and lifecycle state.
CREATE VIEW report.identities_by_profile_state AS
SELECT p.tenant, p.id AS profile_id, p.name AS profile_name, p.identity_count AS profile_identities,
       s.technical_name AS lifecycle_state, s.name AS state_name, s.enabled,
       s.technical_name = ANY (report.leaver_states()) AS is_leaver_state,
       s.identity_count AS identities,
       round(100.0 * s.identity_count / nullif(p.identity_count, 0), 1) AS percent_of_profile
FROM isc.identity_profiles p
JOIN isc.lifecycle_states s ON s.tenant = p.tenant AND s.identity_profile_id = p.id
                           AND s.deleted_at IS NULL
WHERE p.deleted_at IS NULL;
COMMENT ON VIEW report.identities_by_profile_state IS 'Identities per identity profile and lifecycle state, as ISC counts them (identityCount), with whether the state makes a leaver.';

-- Who holds which entitlement, per account.
CREATE VIEW report.account_entitlements AS
SELECT h.tenant, h.account_id, a.name AS account_name, a.source_name, h.identity_id,
       h.id AS entitlement_id, e.name AS entitlement_name, e.privileged, h.standalone
FROM isc.identity_access h
LEFT JOIN isc.accounts a ON a.tenant = h.tenant AND a.id = h.account_id
LEFT JOIN isc.entitlements e ON e.tenant = h.tenant AND e.id = h.id AND e.deleted_at IS NULL
WHERE h.deleted_at IS NULL AND h.type = 'ENTITLEMENT';
COMMENT ON VIEW report.account_entitlements IS 'Entitlements held, one row per entitlement and the account that holds it.';

GRANT EXECUTE ON FUNCTION report.ids_of(jsonb) TO isc_mirror_reader;
GRANT SELECT ON report.accounts_by_source, report.access_grants, report.privileged_access,
  report.leaver_entitlements, report.roles_without_owner, report.group_reviewers_leaving,
  report.identities_by_profile_state, report.account_entitlements TO isc_mirror_reader;
