-- The action recorded under an idempotency key, if any.
SELECT id, status FROM mirror.actions WHERE idempotency_key = $1
