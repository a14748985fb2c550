SELECT version, name, checksum FROM mirror.schema_migrations
