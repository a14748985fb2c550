-- A run begins; a baseline (the resource's first complete scan) is marked on its run.
INSERT INTO mirror.sync_runs (tenant, resource, mode, baseline) VALUES ($1, $2, $3, $4)
RETURNING id
