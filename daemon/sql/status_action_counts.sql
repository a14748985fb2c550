-- Actions by status.
SELECT status, count(*) AS n FROM mirror.actions GROUP BY status ORDER BY status
