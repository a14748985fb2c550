-- Sends payload $2 on channel $1 when the transaction commits, and only then.
SELECT pg_notify($1, $2)
