-- Event Trigger deliveries: each recorded here before the receiver answers 2xx, then read by
-- the daemon, which refreshes the objects it names through the normal write path.
CREATE TABLE mirror.trigger_deliveries (
  id              bigserial PRIMARY KEY,
  tenant          text NOT NULL,
  trigger_id      text NOT NULL,
  -- SHA-256 of the tenant, the trigger and the body: ISC's payloads carry no delivery id, so
  -- this is the delivery's identity. A copy within the dedup window only counts as a duplicate.
  digest          text NOT NULL,
  body            text NOT NULL,  -- as received (validated JSON)
  received_at     timestamptz NOT NULL DEFAULT now(),
  duplicates      integer NOT NULL DEFAULT 0,
  status          text NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'running', 'done', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  processed_at    timestamptz,
  error           text,
  UNIQUE (tenant, digest)
);
CREATE INDEX trigger_deliveries_due ON mirror.trigger_deliveries (tenant, next_attempt_at)
  WHERE status IN ('pending', 'running');
CREATE INDEX trigger_deliveries_received ON mirror.trigger_deliveries (tenant, trigger_id, received_at);

COMMENT ON TABLE mirror.trigger_deliveries IS
  'Event Trigger deliveries received: recorded before the 2xx, deduplicated by digest, then '
  'refreshed (status done) or given up after their attempts (failed; the next poll still '
  'catches the change).';

-- Deliveries refused (bad auth, not a payload): never recorded above, counted here so that
-- `isc-mirror status` can show them; the receiver adds its counts every few seconds.
CREATE TABLE mirror.trigger_refusals (
  tenant     text NOT NULL,
  trigger_id text NOT NULL,  -- 'unknown' when the delivery named no trigger the mirror knows
  reason     text NOT NULL CHECK (reason IN ('unauthorized', 'invalid')),
  refused    bigint NOT NULL,
  last_at    timestamptz NOT NULL,
  PRIMARY KEY (tenant, trigger_id, reason)
);
COMMENT ON TABLE mirror.trigger_refusals IS
  'Event Trigger deliveries refused by the receiver, counted per tenant, trigger and reason.';

-- The reporting role sees what arrived and what was refused (dashboards of delivery health);
-- a body holds no more than the mirror's own identity and account rows do.
GRANT SELECT ON mirror.trigger_deliveries, mirror.trigger_refusals TO isc_mirror_reader;
