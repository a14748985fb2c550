-- Where the resource's stream stands: whether its baseline is done, whether it has a
-- watermark, the watermark less the overlap ($3 seconds) as ISC writes times, and whether a
-- full reconciliation happened within full_every ($4 seconds).
SELECT baseline_done,
       watermark IS NOT NULL AS has_watermark,
       to_char((watermark - make_interval(secs => $3)) AT TIME ZONE 'UTC',
               'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS since,
       last_full_scan_at > now() - make_interval(secs => $4) AS full_fresh
  FROM mirror.stream_state
 WHERE tenant = $1 AND resource = $2
