-- One run per tenant and resource at a time: a session lock, released with the session.
SELECT pg_try_advisory_lock(hashtext('isc-mirror sync'), hashtext($1 || '/' || $2))
