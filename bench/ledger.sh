#!/usr/bin/env bash
# Times the ledger export of issue 16 (a year of cases out of 1,000,000) and the exporting process's peak memory.
# The cases come from the subsidy benchmark's filler (bench_subsidy: 1,000,000 cases over 2019–2026,
# about 125,000 received in 2025), whose databases are reused when present.
#   bench/ledger.sh [CASES]          (default 1000000)
#   PG_URL=postgres://postgres@127.0.0.1:5432 bench/ledger.sh
#   PROFILE=dev bench/ledger.sh       (the debug build, where no release build is at hand)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/mediation-target}"
CASES="${1:-1000000}"
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432}"
DIR="${BENCH_DIR:-${TMPDIR:-/tmp}/mediation-bench}"
mkdir -p "$DIR"

PROFILE="${PROFILE:-release}"
if [ "$PROFILE" = release ]; then OUT=release; else OUT=debug; fi
cargo build --profile "$PROFILE" --example bench_subsidy --example bench_ledger
FILL="$CARGO_TARGET_DIR/$OUT/examples/bench_subsidy"
RUN="$CARGO_TARGET_DIR/$OUT/examples/bench_ledger"

SQLITE="$DIR/subsidy-$CASES.db"
[ -f "$SQLITE" ] || "$FILL" "sqlite://$SQLITE" "$CASES"
echo "== SQLite ($SQLITE)"
"$RUN" "sqlite://$SQLITE"

if command -v psql >/dev/null && pg_isready -h 127.0.0.1 -p 5432 -q; then
  DB="mediation_bench_subsidy_$CASES"
  if ! psql "$PG_URL/postgres" -Atc "select 1 from pg_database where datname = '$DB'" | grep -q 1; then
    psql "$PG_URL/postgres" -qc "create database \"$DB\""
    "$FILL" "$PG_URL/$DB" "$CASES"
  fi
  echo "== PostgreSQL ($DB)"
  "$RUN" "$PG_URL/$DB"
else
  echo "== PostgreSQL not running on 127.0.0.1:5432: skipped"
fi
