-- Refusals counted by the receiver since its last report ($4 of them).
INSERT INTO mirror.trigger_refusals AS r (tenant, trigger_id, reason, refused, last_at)
VALUES ($1, $2, $3, $4, now())
    ON CONFLICT (tenant, trigger_id, reason) DO UPDATE
   SET refused = r.refused + EXCLUDED.refused, last_at = now()
