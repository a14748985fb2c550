-- One table per mirrored resource (DESIGN §2, §4), matching schema/*.yaml column for column.
-- Every table: tenant, the key, typed columns, raw (the whole API object), content_hash,
-- first_seen, last_seen, last_changed and deleted_at (null while present).

CREATE TABLE isc.identities (
  tenant        text NOT NULL,
  id            text NOT NULL,
  name          text,
  alias         text,
  email_address text,
  identity_status text,
  lifecycle_state text,
  cloud_lifecycle_state text,
  manager_id    text,
  department    text,
  location      text,
  is_manager    boolean,
  created       timestamptz,
  modified      timestamptz,
  raw           jsonb NOT NULL,
  content_hash  text NOT NULL,
  first_seen    timestamptz NOT NULL DEFAULT now(),
  last_seen     timestamptz NOT NULL DEFAULT now(),
  last_changed  timestamptz NOT NULL DEFAULT now(),
  deleted_at    timestamptz,
  PRIMARY KEY (tenant, id)
);
COMMENT ON TABLE isc.identities IS 'GET /v2024/identities (DESIGN §2). Identities cannot be sorted by id; the default order is stable.';

CREATE TABLE isc.accounts (
  tenant        text NOT NULL,
  id            text NOT NULL,
  name          text,
  native_identity text,
  source_id     text,
  source_name   text,
  identity_id   text,
  cloud_lifecycle_state text,
  disabled      boolean,
  locked        boolean,
  uncorrelated  boolean,
  authoritative boolean,
  created       timestamptz,
  modified      timestamptz,
  raw           jsonb NOT NULL,
  content_hash  text NOT NULL,
  first_seen    timestamptz NOT NULL DEFAULT now(),
  last_seen     timestamptz NOT NULL DEFAULT now(),
  last_changed  timestamptz NOT NULL DEFAULT now(),
  deleted_at    timestamptz,
  PRIMARY KEY (tenant, id)
);
COMMENT ON TABLE isc.accounts IS 'GET /v2024/accounts (DESIGN §2): incremental by modified, with a periodic full reconciliation.';

CREATE TABLE isc.task_statuses (
  tenant        text NOT NULL,
  id            text NOT NULL,
  type          text,
  unique_name   text,
  description   text,
  launcher      text,
  target_id     text,
  target_name   text,
  completion_status text,
  percent_complete integer,
  created       timestamptz,
  launched      timestamptz,
  completed     timestamptz,
  modified      timestamptz,
  raw           jsonb NOT NULL,
  content_hash  text NOT NULL,
  first_seen    timestamptz NOT NULL DEFAULT now(),
  last_seen     timestamptz NOT NULL DEFAULT now(),
  last_changed  timestamptz NOT NULL DEFAULT now(),
  deleted_at    timestamptz,
  PRIMARY KEY (tenant, id)
);
COMMENT ON TABLE isc.task_statuses IS 'GET /beta/task-status (DESIGN §2). ISC keeps 90 days: older ones disappear as expiries.';

CREATE TABLE isc.certifications (
  tenant        text NOT NULL,
  id            text NOT NULL,
  name          text,
  campaign_id   text,
  campaign_name text,
  phase         text,
  completed     boolean,
  reviewer_id   text,
  decisions_made integer,
  decisions_total integer,
  due           timestamptz,
  signed        timestamptz,
  created       timestamptz,
  modified      timestamptz,
  raw           jsonb NOT NULL,
  content_hash  text NOT NULL,
  first_seen    timestamptz NOT NULL DEFAULT now(),
  last_seen     timestamptz NOT NULL DEFAULT now(),
  last_changed  timestamptz NOT NULL DEFAULT now(),
  deleted_at    timestamptz,
  PRIMARY KEY (tenant, id)
);
COMMENT ON TABLE isc.certifications IS 'GET /v3/certifications (DESIGN §2). Certifications cannot be sorted by id.';

CREATE TABLE isc.certification_reviewers (
  tenant        text NOT NULL,
  certification_id text NOT NULL,
  id            text NOT NULL,
  type          text,
  name          text,
  email         text,
  raw           jsonb NOT NULL,
  content_hash  text NOT NULL,
  first_seen    timestamptz NOT NULL DEFAULT now(),
  last_seen     timestamptz NOT NULL DEFAULT now(),
  last_changed  timestamptz NOT NULL DEFAULT now(),
  deleted_at    timestamptz,
  PRIMARY KEY (tenant, certification_id, id)
);
COMMENT ON TABLE isc.certification_reviewers IS 'GET /v3/certifications/{id}/reviewers for every open certification (DESIGN §2).';

CREATE TABLE isc.access_review_items (
  tenant        text NOT NULL,
  certification_id text NOT NULL,
  id            text NOT NULL,
  identity_id   text,
  identity_summary_id text,
  access_type   text,
  access_id     text,
  access_name   text,
  completed     boolean,
  decision      text,
  raw           jsonb NOT NULL,
  content_hash  text NOT NULL,
  first_seen    timestamptz NOT NULL DEFAULT now(),
  last_seen     timestamptz NOT NULL DEFAULT now(),
  last_changed  timestamptz NOT NULL DEFAULT now(),
  deleted_at    timestamptz,
  PRIMARY KEY (tenant, certification_id, id)
);
COMMENT ON TABLE isc.access_review_items IS 'GET /v3/certifications/{id}/access-review-items for every open certification (DESIGN §2).';

CREATE TABLE isc.certification_tasks (
  tenant        text NOT NULL,
  id            text NOT NULL,
  type          text,
  target_type   text,
  target_id     text,
  status        text,
  created       timestamptz,
  raw           jsonb NOT NULL,
  content_hash  text NOT NULL,
  first_seen    timestamptz NOT NULL DEFAULT now(),
  last_seen     timestamptz NOT NULL DEFAULT now(),
  last_changed  timestamptz NOT NULL DEFAULT now(),
  deleted_at    timestamptz,
  PRIMARY KEY (tenant, id)
);
COMMENT ON TABLE isc.certification_tasks IS 'GET /v3/certification-tasks (DESIGN §2).';

CREATE TABLE isc.das_applications (
  tenant        text NOT NULL,
  id            bigint NOT NULL,
  name          text,
  type          text,
  test_connection_status text,
  raw           jsonb NOT NULL,
  content_hash  text NOT NULL,
  first_seen    timestamptz NOT NULL DEFAULT now(),
  last_seen     timestamptz NOT NULL DEFAULT now(),
  last_changed  timestamptz NOT NULL DEFAULT now(),
  deleted_at    timestamptz,
  PRIMARY KEY (tenant, id)
);
COMMENT ON TABLE isc.das_applications IS 'GET /das/v1/applications (DESIGN §2): one unpaged list.';

CREATE TABLE isc.das_tasks (
  tenant        text NOT NULL,
  task_id       bigint NOT NULL,
  task_type_name text,
  task_name     text,
  status        text,
  progress      integer,
  start_time    timestamptz,
  end_time      timestamptz,
  schedule_task_id bigint,
  raw           jsonb NOT NULL,
  content_hash  text NOT NULL,
  first_seen    timestamptz NOT NULL DEFAULT now(),
  last_seen     timestamptz NOT NULL DEFAULT now(),
  last_changed  timestamptz NOT NULL DEFAULT now(),
  deleted_at    timestamptz,
  PRIMARY KEY (tenant, task_id)
);
COMMENT ON TABLE isc.das_tasks IS 'GET /das/v1/tasks (DESIGN §2): one unpaged list; times are epoch seconds.';

CREATE TABLE isc.das_schedules (
  tenant        text NOT NULL,
  schedule_task_id bigint NOT NULL,
  schedule_task_name text,
  task_type_name text,
  schedule_type text,
  active        boolean,
  application_id bigint,
  next_run      timestamptz,
  last_run      timestamptz,
  raw           jsonb NOT NULL,
  content_hash  text NOT NULL,
  first_seen    timestamptz NOT NULL DEFAULT now(),
  last_seen     timestamptz NOT NULL DEFAULT now(),
  last_changed  timestamptz NOT NULL DEFAULT now(),
  deleted_at    timestamptz,
  PRIMARY KEY (tenant, schedule_task_id)
);
COMMENT ON TABLE isc.das_schedules IS 'GET /das/v1/tasks/schedules (DESIGN §2): one unpaged list; times are epoch seconds.';

CREATE TABLE isc.das_identity_collectors (
  tenant        text NOT NULL,
  id            text NOT NULL,
  name          text,
  type          text,
  source_id     text,
  raw           jsonb NOT NULL,
  content_hash  text NOT NULL,
  first_seen    timestamptz NOT NULL DEFAULT now(),
  last_seen     timestamptz NOT NULL DEFAULT now(),
  last_changed  timestamptz NOT NULL DEFAULT now(),
  deleted_at    timestamptz,
  PRIMARY KEY (tenant, id)
);
COMMENT ON TABLE isc.das_identity_collectors IS 'GET /das/identity-collectors/v1 (DESIGN §2): one unpaged list.';

CREATE TABLE isc.das_resource_owners (
  tenant        text NOT NULL,
  application_id bigint NOT NULL,
  resource_id   bigint NOT NULL,
  identity_id   text NOT NULL,
  full_path     text,
  raw           jsonb NOT NULL,
  content_hash  text NOT NULL,
  first_seen    timestamptz NOT NULL DEFAULT now(),
  last_seen     timestamptz NOT NULL DEFAULT now(),
  last_changed  timestamptz NOT NULL DEFAULT now(),
  deleted_at    timestamptz,
  PRIMARY KEY (tenant, application_id, resource_id, identity_id)
);
COMMENT ON TABLE isc.das_resource_owners IS 'GET /das/v1/owners/applications/{appId} for every DAS application (DESIGN §2). DAS names';
