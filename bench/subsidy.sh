#!/usr/bin/env bash
# Times the subsidy computation of issue 7 over 1,000,000 cases (about 10,000 resolved in the month
# computed) on SQLite and on PostgreSQL. The databases are kept between runs: the second run only times.
#   bench/subsidy.sh [CASES]          (default 1000000)
#   PG_URL=postgres://postgres@127.0.0.1:5432 bench/subsidy.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/mediation-target}"
CASES="${1:-1000000}"
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432}"
DIR="${BENCH_DIR:-${TMPDIR:-/tmp}/mediation-bench}"
mkdir -p "$DIR"

cargo build --release --example bench_subsidy
BIN="$CARGO_TARGET_DIR/release/examples/bench_subsidy"

echo "== SQLite ($DIR/subsidy-$CASES.db)"
"$BIN" "sqlite://$DIR/subsidy-$CASES.db" "$CASES"

if command -v psql >/dev/null && pg_isready -h 127.0.0.1 -p 5432 -q; then
  DB="mediation_bench_subsidy_$CASES"
  if ! psql "$PG_URL/postgres" -Atc "select 1 from pg_database where datname = '$DB'" | grep -q 1; then
    psql "$PG_URL/postgres" -qc "create database \"$DB\""
  fi
  echo "== PostgreSQL ($DB)"
  "$BIN" "$PG_URL/$DB" "$CASES"
else
  echo "== PostgreSQL not running on 127.0.0.1:5432: skipped"
fi
