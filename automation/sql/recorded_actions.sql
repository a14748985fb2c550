-- Which of these idempotency keys ($1, a text array) the outbox already holds.
SELECT idempotency_key FROM mirror.actions WHERE idempotency_key = ANY($1::text[])
