#!/usr/bin/env bash
# Installs and starts what the tests need beyond Node.js on Debian: redis-server
# (the tests start their own instances), PostgreSQL (the api's PostgreSQL tests
# make and drop a database of their own) and Prometheus (promtool tests the alert
# rules; the observability test runs a real Prometheus on a free port), Alertmanager (amtool
# checks its config; the alerting test runs a real one), redis_exporter (the alerting test
# scrapes it) and HAProxy (`haproxy -c` checks the scale stack's proxy config). Safe to run again;
# does nothing when all is there.
# Writes DATABASE_TEST_URL to .data/test-env when the tests need credentials.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v pg_ctlcluster >/dev/null || missing+=(postgresql)
{ command -v promtool >/dev/null && command -v prometheus >/dev/null; } || missing+=(prometheus)
{ command -v amtool >/dev/null && command -v prometheus-alertmanager >/dev/null; } || missing+=(prometheus-alertmanager)
command -v prometheus-redis-exporter >/dev/null || missing+=(prometheus-redis-exporter)
# In /usr/sbin, which a user's PATH may not hold.
{ command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ]; } || missing+=(haproxy)
if [ ${#missing[@]} -gt 0 ]; then
  echo "▸ installing ${missing[*]} with apt-get"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "▸ starting PostgreSQL"
  for version in $(ls /etc/postgresql); do as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true; done
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

mkdir -p .data
rm -f .data/test-env
# A fresh install asks for a password over TCP (trust is only set up on some machines).
if ! psql -w -h 127.0.0.1 -U postgres -d postgres -c 'select 1' >/dev/null 2>&1; then
  echo "▸ giving the postgres role a password for the tests"
  as_root su postgres -c "psql -q -c \"ALTER ROLE postgres PASSWORD 'postgres'\"" >/dev/null
  echo "DATABASE_TEST_URL=postgres://postgres:postgres@127.0.0.1:5432/postgres" > .data/test-env
fi
