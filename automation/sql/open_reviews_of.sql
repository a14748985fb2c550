-- Open certifications the identity reviews and their undecided items, in a stable order.
SELECT c.id AS certification_id, i.id AS item_id
  FROM isc.certifications c
  JOIN isc.access_review_items i ON i.tenant = c.tenant AND i.certification_id = c.id
 WHERE c.tenant = $1 AND c.reviewer_id = $2 AND NOT coalesce(c.completed, false)
   AND c.deleted_at IS NULL AND i.deleted_at IS NULL AND NOT coalesce(i.completed, false)
 ORDER BY c.id, i.id
