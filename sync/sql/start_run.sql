INSERT INTO mirror.sync_runs (tenant, resource, mode) VALUES ($1, $2, $3) RETURNING id
