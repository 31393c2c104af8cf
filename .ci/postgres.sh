#!/usr/bin/env bash
# Starts Debian's PostgreSQL on loopback for the tests and creates the role they connect as
# (KEYWARD_TEST_PG_URL / _USER / _PASSWORD; defaults below). Run as root.
set -euo pipefail
ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q .; then
  pg_createcluster "$ver" main >/dev/null
fi
cluster=$(pg_lsclusters -h | head -1 | awk '{print $1" "$2}')
sed -i "s/^#\?listen_addresses.*/listen_addresses = '127.0.0.1'/" "/etc/postgresql/${cluster// //}/postgresql.conf"
pg_ctlcluster $cluster start 2>/dev/null || pg_ctlcluster $cluster status >/dev/null
for i in $(seq 1 30); do
  su postgres -c "psql -qAt -c 'select 1'" >/dev/null 2>&1 && break
  sleep 1
done
su postgres -c "psql -qAt" <<'SQL' >/dev/null
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'keyward_test') THEN
    CREATE ROLE keyward_test LOGIN SUPERUSER PASSWORD 'keyward_test';
  END IF;
END $$;
SQL
echo "PostgreSQL $cluster on 127.0.0.1:5432, role keyward_test"
