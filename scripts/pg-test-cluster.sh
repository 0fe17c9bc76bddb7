#!/usr/bin/env bash
# Starts the machine's PostgreSQL cluster on loopback and makes the role the tests use
# (blangko/blangko, allowed to create the per-test databases). Runs as root; idempotent.
set -euo pipefail
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
pg_lsclusters -h | grep -q "^${version} main" || pg_createcluster "${version}" main
pg_ctlcluster "${version}" main status >/dev/null 2>&1 || pg_ctlcluster "${version}" main start
for _ in $(seq 1 60); do
  pg_isready -h 127.0.0.1 -q && break
  sleep 0.5
done
pg_isready -h 127.0.0.1
su postgres -c "psql -q -v ON_ERROR_STOP=1" <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'blangko') THEN
    CREATE ROLE blangko LOGIN CREATEDB PASSWORD 'blangko';
  END IF;
END
$$;
-- The tests drop their databases WITH (FORCE); an autovacuum worker busy in one has no
-- role, and only members of pg_signal_backend may end it.
GRANT pg_signal_backend TO blangko;
SQL
echo "PostgreSQL ${version} is up on 127.0.0.1:5432 with role blangko."
