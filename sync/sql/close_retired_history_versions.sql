-- Closes the current history version of retired objects ($4, a text array) at $3; a hash join
-- against the list, because a mass delete can name many thousands of objects.
UPDATE mirror.history
   SET valid_to = $3::timestamptz
  FROM unnest($4::text[]) AS d(id)
 WHERE tenant = $1 AND resource = $2 AND valid_to IS NULL AND object_id = d.id
