-- Deliveries refreshed or given up more than $2 seconds ago: kept that long for status, the
-- dedup window and the operator.
DELETE FROM mirror.trigger_deliveries
 WHERE tenant = $1 AND status IN ('done', 'failed')
   AND received_at < now() - make_interval(secs => $2)
