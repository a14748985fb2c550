-- A transaction's new actions are COPYed here, then inserted once each.
CREATE TEMP TABLE IF NOT EXISTS stage_actions (
  tenant text, rule text, action text, params jsonb, idempotency_key text, event_id bigint,
  status text, error text
) ON COMMIT DELETE ROWS
