-- Whether the identity is present in the mirror and not a leaver ($3: the leaver states).
SELECT 1
  FROM isc.identities
 WHERE tenant = $1 AND id = $2 AND deleted_at IS NULL
   AND NOT coalesce(lifecycle_state = ANY($3::text[]), false)
