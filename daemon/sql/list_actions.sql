-- The newest 100 actions, for `isc-mirror actions list`.
SELECT id, status, attempts, to_char(created_at, 'YYYY-MM-DD HH24:MI:SS') AS created_at, rule,
       action, params::text AS params, coalesce(error, '') AS error,
       coalesce(request, '') AS request, response_status,
       to_char(next_attempt_at, 'HH24:MI:SS') AS next_attempt_at
  FROM mirror.actions
 ORDER BY id DESC
 LIMIT 100
