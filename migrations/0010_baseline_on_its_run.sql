-- The first complete scan of a resource (its baseline) is recorded on its run, and writes no
-- change events: its objects' first versions are in mirror.history. Events are what changed
-- since. Events written as baseline by earlier versions stay, and mark their runs here.
ALTER TABLE mirror.sync_runs ADD COLUMN baseline boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN mirror.sync_runs.baseline IS 'The run is its resource''s baseline: the first complete scan, which writes the objects and their first history versions but no change events.';

UPDATE mirror.sync_runs SET baseline = true
WHERE id IN (SELECT DISTINCT sync_run_id FROM mirror.change_events
             WHERE baseline AND sync_run_id IS NOT NULL);

COMMENT ON COLUMN mirror.change_events.baseline IS 'Written by versions before migration 0010 for the first scan''s inserts; since then a baseline writes no events, and always false.';
COMMENT ON TABLE mirror.change_events IS 'Every change the daemon saw after a resource''s baseline (mirror.sync_runs.baseline marks the baseline''s run).';
