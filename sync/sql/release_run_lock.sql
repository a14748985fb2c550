SELECT pg_advisory_unlock(hashtext('isc-mirror sync'), hashtext($1 || '/' || $2))
