-- The staged actions into the outbox; an idempotency key already there keeps its row.
INSERT INTO mirror.actions (tenant, rule, action, params, idempotency_key, event_id, status,
                            error)
SELECT tenant, rule, action, params, idempotency_key, event_id, status, error
  FROM stage_actions
    ON CONFLICT (idempotency_key) DO NOTHING
