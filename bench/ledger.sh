#!/usr/bin/env bash
# Times the ledger export of issue 16 (a year of cases out of 1,000,000) and the server's peak memory.
# The cases come from the subsidy benchmark's filler (bench_subsidy: 1,000,000 cases over 2019–2026,
# about 125,000 received in 2025), whose databases are reused when present.
#   bench/ledger.sh [CASES]          (default 1000000)
#   PG_URL=postgres://postgres@127.0.0.1:5432 bench/ledger.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/mediation-target}"
CASES="${1:-1000000}"
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432}"
DIR="${BENCH_DIR:-${TMPDIR:-/tmp}/mediation-bench}"
PORT="${PORT:-3917}"
mkdir -p "$DIR"

cargo build --release --bin mediation --example bench_subsidy
FILL="$CARGO_TARGET_DIR/release/examples/bench_subsidy"
BIN="$CARGO_TARGET_DIR/release/mediation"

measure() { # URL
  local url="$1" out="$DIR/ledger-out"
  DATABASE_URL="$url" "$BIN" serve --bind "127.0.0.1:$PORT" >"$DIR/serve.log" 2>&1 &
  local pid=$!
  trap 'kill $pid 2>/dev/null || true' RETURN
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
  local token
  token=$(curl -sf -X POST "http://127.0.0.1:$PORT/api/v1/auth/token" -H 'content-type: application/json' \
    -d '{"username":"coordinator","password":"tiaojie-demo-2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  local before
  before=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  for fmt in csv xlsx; do
    local secs
    secs=$(curl -sf -o "$out.$fmt" -w '%{time_total}' -H "authorization: Bearer $token" \
      "http://127.0.0.1:$PORT/api/v1/ledger.$fmt?from=2025-01-01&to=2025-12-31")
    local rows
    rows=$(python3 - "$out.csv" <<'PY'
import csv, sys
with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
    print(sum(1 for _ in csv.reader(f)) - 1)
PY
)
    printf '%-5s %8d rows in %6.2f s = %7.0f rows/s, %6.1f MB file, server peak RSS %5.1f MB (%.1f MB before)\n' \
      "$fmt" "$rows" "$secs" "$(echo "$rows / $secs" | bc -l)" "$(echo "$(stat -c %s "$out.$fmt") / 1048576" | bc -l)" \
      "$(echo "$(awk '/VmHWM/ {print $2}' "/proc/$pid/status") / 1024" | bc -l)" "$(echo "$before / 1024" | bc -l)"
  done
}

SQLITE="$DIR/subsidy-$CASES.db"
[ -f "$SQLITE" ] || "$FILL" "sqlite://$SQLITE" "$CASES"
echo "== SQLite ($SQLITE)"
measure "sqlite://$SQLITE"

if command -v psql >/dev/null && pg_isready -h 127.0.0.1 -p 5432 -q; then
  DB="mediation_bench_subsidy_$CASES"
  if ! psql "$PG_URL/postgres" -Atc "select 1 from pg_database where datname = '$DB'" | grep -q 1; then
    psql "$PG_URL/postgres" -qc "create database \"$DB\""
    "$FILL" "$PG_URL/$DB" "$CASES"
  fi
  echo "== PostgreSQL ($DB)"
  measure "$PG_URL/$DB"
else
  echo "== PostgreSQL not running on 127.0.0.1:5432: skipped"
fi
