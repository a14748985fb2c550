-- The first 20 actions that wait for something: time, approval, or an operator.
SELECT id, status, rule, action, coalesce(params->>'summary', '') AS summary,
       coalesce(error, '') AS error
  FROM mirror.actions
 WHERE status IN ('pending', 'running', 'held', 'failed', 'dead')
 ORDER BY id
 LIMIT 20
