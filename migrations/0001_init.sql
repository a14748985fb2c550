-- The three schemas and the daemon's own bookkeeping tables (DESIGN §4).
-- isc:    mirrored objects, one table per resource (later migrations)
-- mirror: the daemon's bookkeeping
-- report: reporting views
CREATE SCHEMA IF NOT EXISTS isc;
CREATE SCHEMA IF NOT EXISTS mirror;
CREATE SCHEMA IF NOT EXISTS report;

COMMENT ON SCHEMA isc IS 'Objects mirrored from SailPoint Identity Security Cloud, one table per resource.';
COMMENT ON SCHEMA mirror IS 'isc-mirror bookkeeping: sync runs, checkpoints, history, change events, actions.';
COMMENT ON SCHEMA report IS 'Reporting views over the mirror.';

CREATE TABLE mirror.sync_runs (
  id            bigserial PRIMARY KEY,
  tenant        text NOT NULL,
  resource      text NOT NULL,
  mode          text NOT NULL CHECK (mode IN ('full', 'incremental')),
  started_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz,
  status        text NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'ok', 'failed', 'held')),
  pages         integer NOT NULL DEFAULT 0,
  seen          bigint NOT NULL DEFAULT 0,
  inserted      bigint NOT NULL DEFAULT 0,
  updated       bigint NOT NULL DEFAULT 0,
  deleted       bigint NOT NULL DEFAULT 0,
  unchanged     bigint NOT NULL DEFAULT 0,
  http_requests integer NOT NULL DEFAULT 0,
  http_retries  integer NOT NULL DEFAULT 0,
  rate_limited  integer NOT NULL DEFAULT 0,
  error         text
);
CREATE INDEX sync_runs_latest ON mirror.sync_runs (tenant, resource, started_at DESC);
COMMENT ON TABLE mirror.sync_runs IS 'One row per sync run of a resource of a tenant, with its counts and outcome.';

CREATE TABLE mirror.stream_state (
  tenant            text NOT NULL,
  resource          text NOT NULL,
  watermark         timestamptz,
  last_full_scan_at timestamptz,
  baseline_done     boolean NOT NULL DEFAULT false,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, resource)
);
COMMENT ON TABLE mirror.stream_state IS 'Per tenant and resource: incremental watermark, last complete full scan, baseline flag.';

CREATE TABLE mirror.history (
  id          bigserial PRIMARY KEY,
  tenant      text NOT NULL,
  resource    text NOT NULL,
  object_id   text NOT NULL,
  valid_from  timestamptz NOT NULL,
  valid_to    timestamptz,
  raw         jsonb NOT NULL
);
CREATE INDEX history_object ON mirror.history (tenant, resource, object_id, valid_from);
CREATE UNIQUE INDEX history_current ON mirror.history (tenant, resource, object_id)
  WHERE valid_to IS NULL;
COMMENT ON TABLE mirror.history IS 'Every version of every mirrored object; valid_to is null for the current one.';

CREATE TABLE mirror.change_events (
  event_id      bigserial PRIMARY KEY,
  tenant        text NOT NULL,
  resource      text NOT NULL,
  object_id     text NOT NULL,
  op            text NOT NULL CHECK (op IN ('insert', 'update', 'delete', 'expire')),
  changed_paths text[] NOT NULL DEFAULT '{}',
  before        jsonb,
  after         jsonb,
  baseline      boolean NOT NULL DEFAULT false,
  sync_run_id   bigint REFERENCES mirror.sync_runs (id),
  observed_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX change_events_object ON mirror.change_events (tenant, resource, object_id, event_id);
CREATE INDEX change_events_observed ON mirror.change_events (observed_at);
COMMENT ON TABLE mirror.change_events IS 'Every change the daemon saw; baseline events come from the first complete scan and fire no rules.';

CREATE TABLE mirror.actions (
  id               bigserial PRIMARY KEY,
  tenant           text NOT NULL,
  rule             text NOT NULL,
  action           text NOT NULL,
  params           jsonb NOT NULL DEFAULT '{}',
  idempotency_key  text NOT NULL UNIQUE,
  event_id         bigint REFERENCES mirror.change_events (event_id),
  status           text NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'dead',
                                     'dry_run', 'held', 'cancelled')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  request          text,
  response_status  integer,
  response_body    text,
  error            text
);
CREATE INDEX actions_due ON mirror.actions (next_attempt_at) WHERE status IN ('pending', 'running');
CREATE INDEX actions_event ON mirror.actions (event_id);
COMMENT ON TABLE mirror.actions IS 'The outbox: actions that rules decided on, with their attempts and outcome.';
