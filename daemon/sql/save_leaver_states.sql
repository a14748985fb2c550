-- The configured leaver states, for the reports that need them ($1: a JSON array).
INSERT INTO mirror.settings (key, value)
VALUES ('lifecycle.leaver_states', $1::jsonb)
    ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
