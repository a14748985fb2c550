-- Task statuses that age out of ISC's 90-day window are expiries, counted apart from deletes.
ALTER TABLE mirror.sync_runs ADD COLUMN expired bigint NOT NULL DEFAULT 0;
COMMENT ON COLUMN mirror.sync_runs.expired IS 'Objects that aged out of the API''s retention window (op expire), not deleted.';
