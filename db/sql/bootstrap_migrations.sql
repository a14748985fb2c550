-- What the runner needs before the first migration: the table of applied ones.
CREATE SCHEMA IF NOT EXISTS mirror;
CREATE TABLE IF NOT EXISTS mirror.schema_migrations (
  version     integer PRIMARY KEY,
  name        text NOT NULL,
  checksum    text NOT NULL,
  applied_at  timestamptz NOT NULL DEFAULT now(),
  duration_ms integer NOT NULL
);
