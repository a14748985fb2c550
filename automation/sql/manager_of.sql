-- The identity's manager, if present in the mirror and not a leaver ($3: the leaver states).
SELECT m.id
  FROM isc.identities i
  JOIN isc.identities m ON m.tenant = i.tenant AND m.id = i.manager_id
 WHERE i.tenant = $1 AND i.id = $2 AND m.deleted_at IS NULL
   AND NOT coalesce(m.lifecycle_state = ANY($3::text[]), false)
