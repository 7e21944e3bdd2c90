#!/usr/bin/env bash
# The dashboard's figures of issue 16 at scale: /healthz (the ceiling, same run), GET /api/v1/stats and
# the /stats page for one year, signed in as the coordinator (street-wide, so the monthly counters
# answer), over the 1,000,000 cases of the subsidy benchmark's database (filled by bench_subsidy if
# missing; bench/subsidy.sh), with wrk on loopback; then the server's peak memory (VmHWM).
#   bench/dashboard.sh [SQLITE_FILE]     (default /tmp/mediation-bench/subsidy-1000000.db)
# Environment: BENCH_DURATION (6s), BENCH_CONNECTIONS (16), BENCH_PORT (3391), BENCH_NO_BUILD, CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/mediation-target}"
DB_FILE="${1:-/tmp/mediation-bench/subsidy-1000000.db}"
DURATION="${BENCH_DURATION:-6s}"
CONNS="${BENCH_CONNECTIONS:-16}"
PORT="${BENCH_PORT:-3391}"
BASE="http://127.0.0.1:$PORT"
PASSWORD="tiaojie-demo-2026"
RANGE="from=2025-01-01&to=2025-12-31"
[ -n "${BENCH_NO_BUILD:-}" ] || cargo build --release --bin mediation --example bench_subsidy
BIN="$CARGO_TARGET_DIR/release/mediation"
mkdir -p "$(dirname "$DB_FILE")"
[ -f "$DB_FILE" ] || "$CARGO_TARGET_DIR/release/examples/bench_subsidy" "sqlite://$DB_FILE" 1000000
DATA="$(mktemp -d)"
RUST_LOG=warn "$BIN" --database-url "sqlite://$DB_FILE" --bind "127.0.0.1:$PORT" --data-dir "$DATA" \
  --reminder-interval-secs 3600 serve >"$DATA/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 1 3000); do curl -fs "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
token="$(curl -fs -H 'Content-Type: application/json' \
  --data "{\"username\":\"coordinator\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/auth/token" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
jar="$DATA/jar"
csrf="$(curl -fs -c "$jar" -b "$jar" "$BASE/login" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -1)"
curl -fs -o /dev/null -c "$jar" -b "$jar" --data-urlencode "_csrf=$csrf" --data-urlencode "username=coordinator" \
  --data-urlencode "password=$PASSWORD" --data-urlencode "next=/" "$BASE/login"
cookie="$(awk '!/^#/ || /^#HttpOnly_/ { sub(/^#HttpOnly_/, ""); if (NF >= 7) printf "%s%s=%s", (n++ ? "; " : ""), $6, $7 }' "$jar")"
run() { # name path auth cookie
  local line
  line="$(BENCH_METHOD=GET BENCH_AUTH="$3" BENCH_COOKIE="$4" BENCH_BODY="" \
    wrk -t2 -c"$CONNS" -d"$DURATION" --timeout 10s -s "$ROOT/bench/wrk.lua" "$BASE$2" | tail -1)"
  printf '%-40s %s (one more: HTTP %s)\n' "$1" "$line" \
    "$(curl -s -o /dev/null -w '%{http_code}' ${3:+-H "Authorization: $3"} ${4:+-H "Cookie: $4"} "$BASE$2")"
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in 1 2; do
  run "healthz" "/healthz" "" ""
  run "/api/v1/stats, 2025" "/api/v1/stats?$RANGE" "Bearer $token" ""
  run "/stats page, 2025" "/stats?$RANGE" "" "$cookie"
done
echo "server peak memory: $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$PID/status)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
