INSERT INTO mirror.schema_migrations (version, name, checksum, duration_ms)
VALUES ($1, $2, $3, $4)
