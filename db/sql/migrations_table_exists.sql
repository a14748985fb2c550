-- Whether the runner ever ran here: the table must exist before it can be read.
SELECT to_regclass('mirror.schema_migrations') IS NOT NULL
