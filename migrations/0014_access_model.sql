-- The rest of the access model for SQL reporting (issue 21): sources, entitlements, access
-- profiles, roles, identity profiles and their lifecycle states, governance groups and their
-- members. One table per schema/<resource>.yaml, column for column, shaped like every isc table
-- (0002, with 0011's valid_from); 0015 makes each a branch of mirror.history. Comments are the
-- first comment paragraph of each schema file.

CREATE TABLE isc.sources (
  tenant                  text NOT NULL,
  id                      text NOT NULL,
  name                    text,
  description             text,
  type                    text,
  connector_name          text,
  owner_id                text,
  management_workgroup_id text,
  authoritative           boolean,
  healthy                 boolean,
  status                  text,
  created                 timestamptz,
  modified                timestamptz,
  raw                     jsonb NOT NULL,
  content_hash            text NOT NULL,
  first_seen              timestamptz NOT NULL DEFAULT now(),
  last_seen               timestamptz NOT NULL DEFAULT now(),
  last_changed            timestamptz NOT NULL DEFAULT now(),
  valid_from              timestamptz NOT NULL DEFAULT now(),
  deleted_at              timestamptz,
  PRIMARY KEY (tenant, id)
);
COMMENT ON TABLE isc.sources IS 'GET /v3/sources: paged and sorted by id; filters take id in (the re-check before a delete). `since` is when ISC last checked the source''s health: it moves on every check, so it is not a change (the definition: "Timestamp that shows when a source health check was last performed").';
COMMENT ON COLUMN isc.sources.valid_from IS 'When this row''s version began: it is the current version in mirror.history, valid until deleted_at.';

CREATE TABLE isc.entitlements (
  tenant         text NOT NULL,
  id             text NOT NULL,
  name           text,
  attribute      text,
  value          text,
  source_id      text,
  source_name    text,
  privileged     boolean,
  requestable    boolean,
  cloud_governed boolean,
  owner_id       text,
  description    text,
  created        timestamptz,
  modified       timestamptz,
  raw            jsonb NOT NULL,
  content_hash   text NOT NULL,
  first_seen     timestamptz NOT NULL DEFAULT now(),
  last_seen      timestamptz NOT NULL DEFAULT now(),
  last_changed   timestamptz NOT NULL DEFAULT now(),
  valid_from     timestamptz NOT NULL DEFAULT now(),
  deleted_at     timestamptz,
  PRIMARY KEY (tenant, id)
);
COMMENT ON TABLE isc.entitlements IS 'GET /v2025/entitlements: incremental by modified (its filters take modified gt, lt, ge and le; its sorters take modified and id), with a periodic full reconciliation for deletes. Neither account-id nor segment parameters are sent: they narrow the list.';
COMMENT ON COLUMN isc.entitlements.valid_from IS 'When this row''s version began: it is the current version in mirror.history, valid until deleted_at.';

CREATE TABLE isc.access_profiles (
  tenant       text NOT NULL,
  id           text NOT NULL,
  name         text,
  description  text,
  source_id    text,
  source_name  text,
  owner_id     text,
  enabled      boolean,
  requestable  boolean,
  created      timestamptz,
  modified     timestamptz,
  raw          jsonb NOT NULL,
  content_hash text NOT NULL,
  first_seen   timestamptz NOT NULL DEFAULT now(),
  last_seen    timestamptz NOT NULL DEFAULT now(),
  last_changed timestamptz NOT NULL DEFAULT now(),
  valid_from   timestamptz NOT NULL DEFAULT now(),
  deleted_at   timestamptz,
  PRIMARY KEY (tenant, id)
);
COMMENT ON TABLE isc.access_profiles IS 'GET /v3/access-profiles: sorters take name, created and modified only (default order, with the re-check by id); a user''s token only (its security lists userAuth alone).';
COMMENT ON COLUMN isc.access_profiles.valid_from IS 'When this row''s version began: it is the current version in mirror.history, valid until deleted_at.';

CREATE TABLE isc.roles (
  tenant       text NOT NULL,
  id           text NOT NULL,
  name         text,
  description  text,
  owner_id     text,
  enabled      boolean,
  requestable  boolean,
  dimensional  boolean,
  created      timestamptz,
  modified     timestamptz,
  raw          jsonb NOT NULL,
  content_hash text NOT NULL,
  first_seen   timestamptz NOT NULL DEFAULT now(),
  last_seen    timestamptz NOT NULL DEFAULT now(),
  last_changed timestamptz NOT NULL DEFAULT now(),
  valid_from   timestamptz NOT NULL DEFAULT now(),
  deleted_at   timestamptz,
  PRIMARY KEY (tenant, id)
);
COMMENT ON TABLE isc.roles IS 'GET /v3/roles: at most 50 a page (the definition: "for this API the maximum value for limit is 50"); sorters take name, created and modified only, so a full scan reads the default order and objects missed by shifting pages are re-checked by id before a delete. The access profiles and entitlements a role grants are in raw.';
COMMENT ON COLUMN isc.roles.valid_from IS 'When this row''s version began: it is the current version in mirror.history, valid until deleted_at.';

CREATE TABLE isc.identity_profiles (
  tenant                    text NOT NULL,
  id                        text NOT NULL,
  name                      text,
  description               text,
  owner_id                  text,
  priority                  integer,
  authoritative_source_id   text,
  authoritative_source_name text,
  identity_count            integer,
  created                   timestamptz,
  modified                  timestamptz,
  raw                       jsonb NOT NULL,
  content_hash              text NOT NULL,
  first_seen                timestamptz NOT NULL DEFAULT now(),
  last_seen                 timestamptz NOT NULL DEFAULT now(),
  last_changed              timestamptz NOT NULL DEFAULT now(),
  valid_from                timestamptz NOT NULL DEFAULT now(),
  deleted_at                timestamptz,
  PRIMARY KEY (tenant, id)
);
COMMENT ON TABLE isc.identity_profiles IS 'GET /v3/identity-profiles: paged and sorted by id; filters take id in.';
COMMENT ON COLUMN isc.identity_profiles.valid_from IS 'When this row''s version began: it is the current version in mirror.history, valid until deleted_at.';

CREATE TABLE isc.lifecycle_states (
  tenant              text NOT NULL,
  identity_profile_id text NOT NULL,
  id                  text NOT NULL,
  name                text,
  technical_name      text,
  enabled             boolean,
  identity_count      integer,
  identity_state      text,
  created             timestamptz,
  modified            timestamptz,
  raw                 jsonb NOT NULL,
  content_hash        text NOT NULL,
  first_seen          timestamptz NOT NULL DEFAULT now(),
  last_seen           timestamptz NOT NULL DEFAULT now(),
  last_changed        timestamptz NOT NULL DEFAULT now(),
  valid_from          timestamptz NOT NULL DEFAULT now(),
  deleted_at          timestamptz,
  PRIMARY KEY (tenant, identity_profile_id, id)
);
COMMENT ON TABLE isc.lifecycle_states IS 'GET /v3/identity-profiles/{identity-profile-id}/lifecycle-states for every identity profile: paged; no filters (so no re-check) and sorters by name, priority, created, modified only.';
COMMENT ON COLUMN isc.lifecycle_states.valid_from IS 'When this row''s version began: it is the current version in mirror.history, valid until deleted_at.';

CREATE TABLE isc.governance_groups (
  tenant       text NOT NULL,
  id           text NOT NULL,
  name         text,
  description  text,
  owner_id     text,
  member_count integer,
  created      timestamptz,
  modified     timestamptz,
  raw          jsonb NOT NULL,
  content_hash text NOT NULL,
  first_seen   timestamptz NOT NULL DEFAULT now(),
  last_seen    timestamptz NOT NULL DEFAULT now(),
  last_changed timestamptz NOT NULL DEFAULT now(),
  valid_from   timestamptz NOT NULL DEFAULT now(),
  deleted_at   timestamptz,
  PRIMARY KEY (tenant, id)
);
COMMENT ON TABLE isc.governance_groups IS 'GET /v2025/workgroups: governance groups, paged and sorted by id; filters take id in.';
COMMENT ON COLUMN isc.governance_groups.valid_from IS 'When this row''s version began: it is the current version in mirror.history, valid until deleted_at.';

CREATE TABLE isc.governance_group_members (
  tenant              text NOT NULL,
  governance_group_id text NOT NULL,
  id                  text NOT NULL,
  name                text,
  email               text,
  raw                 jsonb NOT NULL,
  content_hash        text NOT NULL,
  first_seen          timestamptz NOT NULL DEFAULT now(),
  last_seen           timestamptz NOT NULL DEFAULT now(),
  last_changed        timestamptz NOT NULL DEFAULT now(),
  valid_from          timestamptz NOT NULL DEFAULT now(),
  deleted_at          timestamptz,
  PRIMARY KEY (tenant, governance_group_id, id)
);
COMMENT ON TABLE isc.governance_group_members IS 'GET /v2025/workgroups/{workgroupId}/members for every governance group: at most 50 a page (the definition: "for this API the maximum value for limit is 50"); no filters.';
COMMENT ON COLUMN isc.governance_group_members.valid_from IS 'When this row''s version began: it is the current version in mirror.history, valid until deleted_at.';
-- Readers read these like every isc table (0006's default privileges cover tables the
-- migrating role creates; this says so for any other).
GRANT SELECT ON isc.sources, isc.entitlements, isc.access_profiles, isc.roles,
  isc.identity_profiles, isc.lifecycle_states, isc.governance_groups,
  isc.governance_group_members TO isc_mirror_reader;
