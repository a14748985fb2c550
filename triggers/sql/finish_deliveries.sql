-- Deliveries whose refresh is done.
UPDATE mirror.trigger_deliveries
   SET status = 'done', processed_at = now(), error = NULL
 WHERE id = ANY($1::bigint[])
