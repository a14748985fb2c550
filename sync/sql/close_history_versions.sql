-- Closes the current history version of the changed objects ($4, a text array) at $3.
UPDATE mirror.history
   SET valid_to = $3::timestamptz
 WHERE tenant = $1 AND resource = $2 AND valid_to IS NULL AND object_id = ANY($4::text[])
