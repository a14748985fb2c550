-- The identity's accounts in the mirror not already in the wanted state ($3: disabled).
SELECT id
  FROM isc.accounts
 WHERE tenant = $1 AND identity_id = $2 AND deleted_at IS NULL
   AND coalesce(disabled, false) <> $3
 ORDER BY id
