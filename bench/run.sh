#!/usr/bin/env bash
# The read-path benchmark of issue 13, in one command:
#   bench/run.sh [SIZE…]                 (default: 10000 1000000)
# For each size and each database (SQLite under $BENCH_DIR, PostgreSQL database mediation_bench_SIZE):
# seeds the database with `mediation seed --cases SIZE` unless it already holds that many cases, starts
# the release server on 127.0.0.1:$BENCH_PORT, measures every endpoint with wrk on loopback
# (requests/s, p50, p99; /healthz in the same run is the ceiling), reads the server's peak memory
# (VmHWM), and writes the tables into BENCHMARKS.md between the bench/run.sh markers.
# Environment: BENCH_DBS ("sqlite postgres"), PG_URL (postgres://postgres@127.0.0.1:5432),
# BENCH_DURATION (6s), BENCH_CONNECTIONS (16), BENCH_THREADS (2), BENCH_PORT (3390),
# BENCH_DIR (/tmp/mediation-bench-scale), BENCH_NO_BUILD, CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/mediation-target}"
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(10000 1000000)
DBS="${BENCH_DBS:-sqlite postgres}"
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432}"
DURATION="${BENCH_DURATION:-6s}"
CONNS="${BENCH_CONNECTIONS:-16}"
THREADS="${BENCH_THREADS:-2}"
PORT="${BENCH_PORT:-3390}"
DIR="${BENCH_DIR:-${TMPDIR:-/tmp}/mediation-bench-scale}"
PASSWORD="tiaojie-demo-2026"
BASE="http://127.0.0.1:$PORT"
mkdir -p "$DIR"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS="$DIR/results-$STAMP.jsonl"
: >"$RESULTS"
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "bench/run.sh needs $tool" >&2; exit 1; }
done

# BENCH_NO_BUILD=1 measures the release binary already built.
[ -n "${BENCH_NO_BUILD:-}" ] || cargo build --release --bin mediation
BIN="$CARGO_TARGET_DIR/release/mediation"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"

SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}
trap stop_server EXIT

# The number of cases in a database (0 when it does not exist).
case_count() {
  local db="$1" size="$2"
  if [ "$db" = sqlite ]; then
    local file="$DIR/sqlite-$size.db"
    [ -f "$file" ] || { echo 0; return; }
    python3 -c 'import sqlite3,sys
try:
    print(sqlite3.connect(sys.argv[1]).execute("select count(*) from cases").fetchone()[0])
except Exception:
    print(0)' "$file"
  else
    psql "$PG_URL/mediation_bench_$size" -Atc "select count(*) from cases" 2>/dev/null || echo 0
  fi
}

url_of() {
  if [ "$1" = sqlite ]; then echo "sqlite://$DIR/sqlite-$2.db"; else echo "$PG_URL/mediation_bench_$2"; fi
}

# Seeds a fresh database of `size` cases unless one is there already.
ensure_seeded() {
  local db="$1" size="$2" have
  have="$(case_count "$db" "$size")"
  if [ "$have" -ge "$size" ]; then
    echo "== $db $size: reusing $have cases"
    return
  fi
  echo "== $db $size: seeding"
  if [ "$db" = sqlite ]; then
    rm -f "$DIR/sqlite-$size.db" "$DIR/sqlite-$size.db-wal" "$DIR/sqlite-$size.db-shm"
  else
    psql "$PG_URL/postgres" -qc "drop database if exists mediation_bench_$size" >/dev/null
    psql "$PG_URL/postgres" -qc "create database mediation_bench_$size" >/dev/null
  fi
  local started=$SECONDS
  RUST_LOG=warn "$BIN" --database-url "$(url_of "$db" "$size")" --data-dir "$DIR/data" \
    seed --cases "$size" | tee "$DIR/seed-$db-$size.log"
  echo "{\"db\":\"$db\",\"size\":$size,\"endpoint\":\"seed\",\"seconds\":$((SECONDS - started))}" >>"$RESULTS"
}

start_server() {
  local db="$1" size="$2"
  RUST_LOG=warn "$BIN" --database-url "$(url_of "$db" "$size")" --bind "127.0.0.1:$PORT" \
    --data-dir "$DIR/data" --reminder-interval-secs 3600 serve >"$DIR/server-$db-$size.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    curl -fs "$BASE/healthz" >/dev/null 2>&1 && return
    sleep 0.2
  done
  echo "server did not start; see $DIR/server-$db-$size.log" >&2
  exit 1
}

# A browser session cookie for `user`: the sign-in form's CSRF token, then POST /login.
cookie_for() {
  local user="$1" jar="$DIR/jar-$1" csrf
  rm -f "$jar"
  csrf="$(curl -fs -c "$jar" -b "$jar" "$BASE/login" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -1)"
  curl -fs -o /dev/null -c "$jar" -b "$jar" --data-urlencode "_csrf=$csrf" \
    --data-urlencode "username=$user" --data-urlencode "password=$PASSWORD" \
    --data-urlencode "next=/" "$BASE/login"
  awk '!/^#/ || /^#HttpOnly_/ { sub(/^#HttpOnly_/, ""); if (NF >= 7) printf "%s%s=%s", (n++ ? "; " : ""), $6, $7 }' "$jar"
}

# Runs wrk on one endpoint and appends its figures to the results.
measure() {
  local db="$1" size="$2" name="$3" method="$4" path="$5" auth="${6:-}" cookie="${7:-}" body="${8:-}"
  local line
  line="$(BENCH_METHOD="$method" BENCH_AUTH="$auth" BENCH_COOKIE="$cookie" BENCH_BODY="$body" \
    wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --timeout 10s -s "$ROOT/bench/wrk.lua" "$BASE$path" | tail -1)"
  local status
  status="$(curl -s -o /dev/null -w '%{http_code}' -X "$method" ${auth:+-H "Authorization: $auth"} \
    ${cookie:+-H "Cookie: $cookie"} ${body:+-H "Content-Type: application/json" --data "$body"} "$BASE$path")"
  # The server's peak memory so far: the endpoint that raises it is the one that holds rows.
  local hwm
  hwm="$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status")"
  echo "   $name: $line (one more: HTTP $status; peak memory so far $((hwm / 1024)) MB)"
  python3 -c 'import json,sys
r=json.loads(sys.argv[1]); r.update(db=sys.argv[2], size=int(sys.argv[3]), endpoint=sys.argv[4], method=sys.argv[5], path=sys.argv[6], status=int(sys.argv[7]), vmhwm_kb=int(sys.argv[8]))
print(json.dumps(r, ensure_ascii=False))' "$line" "$db" "$size" "$name" "$method" "$path" "$status" "$hwm" >>"$RESULTS"
}

# Streams one year's ledger (CSV) once and records its rows per second; the server's peak memory
# is read at the end of the run with the rest.
measure_ledger() {
  local db="$1" size="$2" auth="$3" range="$4" out="$DIR/ledger-$1-$2.csv" started ended rows
  started="$(date +%s.%N)"
  curl -fsS -H "Authorization: $auth" -o "$out" "$BASE/api/v1/ledger.csv?$range"
  ended="$(date +%s.%N)"
  rows=$(( $(wc -l <"$out") - 1 ))
  python3 -c 'import json,sys
rows, secs = int(sys.argv[3]), float(sys.argv[5]) - float(sys.argv[4])
print(json.dumps({"db": sys.argv[1], "size": int(sys.argv[2]), "endpoint": "ledger export CSV, one year",
                  "rows": rows, "seconds": round(secs, 2), "rows_per_s": round(rows / secs)}))' \
    "$db" "$size" "$rows" "$started" "$ended" | tee -a "$RESULTS"
  rm -f "$out"
}

sql() {
  local db="$1" size="$2" query="$3"
  if [ "$db" = sqlite ]; then
    python3 -c 'import sqlite3,sys
row=sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()
print("" if row is None else row[0])' "$DIR/sqlite-$size.db" "$query"
  else
    psql "$PG_URL/mediation_bench_$size" -Atc "$query"
  fi
}

bench_one() {
  local db="$1" size="$2"
  ensure_seeded "$db" "$size"
  # What to ask for: a resolved case from the middle of the history (parties, team, sessions,
  # agreement, instalments, follow-up), its lead, an applicant's name, a running case for writes.
  local case_id mediator_id party running_id pair_id period_id station_id
  case_id="$(sql "$db" "$size" "select min(c.id) from cases c join agreements a on a.case_id = c.id where c.id >= (select max(id) / 2 from cases) and c.status = 'closed'")"
  mediator_id="$(sql "$db" "$size" "select mediator_id from case_assignments where case_id = $case_id and role = 'lead'")"
  party="$(sql "$db" "$size" "select name from case_parties where case_id = $case_id and role = 'applicant' order by id limit 1")"
  running_id="$(sql "$db" "$size" "select max(c.id) from cases c join case_assignments a on a.case_id = c.id and a.role = 'lead' where c.status in ('accepted', 'mediating')")"
  local running_unit running_lead
  running_unit="$(sql "$db" "$size" "select current_unit_id from cases where id = $running_id")"
  running_lead="$(sql "$db" "$size" "select min(mediator_id) from case_assignments where case_id = $running_id and role = 'lead'")"
  pair_id="$(sql "$db" "$size" "select min(id) from mentorships")"
  period_id="$(sql "$db" "$size" "select max(id) from subsidy_periods")"
  station_id="$(sql "$db" "$size" "select min(id) from units where kind = 'village_station'")"
  start_server "$db" "$size"
  local token cookie
  token="$(curl -fs -H 'Content-Type: application/json' \
    --data "{\"username\":\"coordinator\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/auth/token" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
  cookie="$(cookie_for coordinator)"
  local finance_cookie
  finance_cookie="$(cookie_for finance)"
  local bearer="Bearer $token" q
  q="$(python3 -c 'import urllib.parse,sys; print(urllib.parse.quote(sys.argv[1]))' "$party")"
  echo "== $db $size: case $case_id, mediator $mediator_id, party $party, running case $running_id"
  measure "$db" "$size" "healthz" GET "/healthz"
  measure "$db" "$size" "case detail JSON" GET "/api/v1/cases/$case_id" "$bearer"
  measure "$db" "$size" "case page" GET "/cases/$case_id" "" "$cookie"
  measure "$db" "$size" "case list JSON, first page" GET "/api/v1/cases?per_page=25" "$bearer"
  measure "$db" "$size" "case list JSON, two filters" GET "/api/v1/cases?status=closed&dispute_type=overtime&per_page=25" "$bearer"
  measure "$db" "$size" "case list JSON, page 2000" GET "/api/v1/cases?page=2000&per_page=25" "$bearer"
  measure "$db" "$size" "case list JSON, party name search" GET "/api/v1/cases?q=$q&per_page=25" "$bearer"
  measure "$db" "$size" "case list page" GET "/cases" "" "$cookie"
  measure "$db" "$size" "/queue page" GET "/queue" "" "$cookie"
  measure "$db" "$size" "/follow-ups page" GET "/follow-ups" "" "$cookie"
  measure "$db" "$size" "mediator page" GET "/mediators/$mediator_id" "" "$cookie"
  measure "$db" "$size" "mentorships page" GET "/mentorships" "" "$cookie"
  [ -n "$pair_id" ] && measure "$db" "$size" "mentorship page" GET "/mentorships/$pair_id" "" "$cookie"
  [ -n "$period_id" ] && measure "$db" "$size" "subsidy period page" GET "/subsidy/periods/$period_id" "" "$finance_cookie"
  # The dashboard issue (16): the figures of one year, as the API and as the page.
  local year=$(( $(date -u +%Y) - 1 ))
  local range="from=$year-01-01&to=$year-12-31"
  measure "$db" "$size" "/api/v1/stats, one year" GET "/api/v1/stats?$range" "$bearer"
  measure "$db" "$size" "/stats page, one year" GET "/stats?$range" "" "$cookie"
  measure_ledger "$db" "$size" "$bearer" "$range"
  local intake
  intake="{\"intake_unit_id\":$station_id,\"dispute_type\":\"wage_arrears\",\"source\":\"walk_in\",\"summary\":\"压测：拖欠工资\",\"amount_claimed_fen\":500000,\"people_involved\":1,\"parties\":[{\"role\":\"applicant\",\"kind\":\"person\",\"name\":\"压测申请人\",\"phone\":\"13900000000\"},{\"role\":\"respondent\",\"kind\":\"organisation\",\"name\":\"压测有限公司\"}]}"
  measure "$db" "$size" "intake POST /api/v1/cases" POST "/api/v1/cases" "$bearer" "" "$intake"
  local session
  session="{\"held_at\":\"$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)\",\"attendees\":\"双方\",\"summary\":\"压测\",\"outcome\":\"continue\",\"unit_id\":$running_unit,\"mediator_ids\":[$running_lead]}"
  measure "$db" "$size" "action: record a session" POST "/api/v1/cases/$running_id/sessions" "$bearer" "" "$session"
  local hwm
  hwm="$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status")"
  echo "{\"db\":\"$db\",\"size\":$size,\"endpoint\":\"peak memory\",\"vmhwm_kb\":$hwm}" >>"$RESULTS"
  echo "   server peak memory (VmHWM): $((hwm / 1024)) MB"
  stop_server
}

for size in "${SIZES[@]}"; do
  for db in $DBS; do
    if [ "$db" = postgres ] && ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
      echo "== PostgreSQL not running on 127.0.0.1:5432: skipped"
      continue
    fi
    bench_one "$db" "$size"
  done
done

LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$ROOT/bench/report.py" "$RESULTS" "$ROOT/BENCHMARKS.md" \
  "bench/run.sh ${SIZES[*]} (BENCH_DBS=\"$DBS\", wrk -t$THREADS -c$CONNS -d$DURATION)" \
  "$LOAD_BEFORE" "$LOAD_AFTER"
echo "results: $RESULTS; tables written to BENCHMARKS.md"
