-- Database roles for isc-mirror, run once by a superuser before the first `isc-mirror migrate`:
--
--   psql -v db=isc_mirror [-v daemon=isc-mirror] -f /usr/share/isc-mirror/roles.sql
--
-- daemon (default isc_mirror)  the daemon's login. Not a superuser, cannot create roles or
--                    databases. It owns what its migrations create, so it reads and writes its
--                    own schemas and nothing else. Name it after the service's system user
--                    (isc-mirror) when it connects through the local socket with peer
--                    authentication; otherwise give it a password: ALTER ROLE ... PASSWORD '...'.
-- isc_mirror_reader  read-only reporting: the isc and report schemas, the history, the change
--                    events and the sync runs; never mirror.actions (parameters and response
--                    bodies). NOLOGIN: grant it to people and BI tools (see the end).
\set ON_ERROR_STOP on
\if :{?daemon}
\else
  \set daemon isc_mirror
\endif

SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION', :'daemon')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'daemon') \gexec
SELECT 'CREATE ROLE isc_mirror_reader NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'isc_mirror_reader') \gexec
COMMENT ON ROLE :"daemon" IS 'isc-mirror daemon: owns and writes the isc, mirror and report schemas.';
COMMENT ON ROLE isc_mirror_reader IS 'isc-mirror: reads isc, report and the history, never writes; grant it to analysts and BI logins.';

SELECT format('CREATE DATABASE %I', :'db')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
-- CREATE on the database lets migrate create the three schemas; nobody else gets it.
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY, CREATE ON DATABASE :"db" TO :"daemon";
GRANT CONNECT ON DATABASE :"db" TO isc_mirror_reader;

\connect :"db"
-- PostgreSQL 15 already keeps PUBLIC from creating in schema public; older clusters do not.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- A person or a BI tool:
--   CREATE ROLE alice LOGIN PASSWORD '...' IN ROLE isc_mirror_reader;
