-- wrk script for bench/run.sh: method, body and headers from the environment, and one JSON line
-- of results on stdout when the run is done.
--   BENCH_METHOD (GET), BENCH_BODY, BENCH_AUTH ("Bearer …"), BENCH_COOKIE ("name=value"),
--   BENCH_CONTENT_TYPE (application/json with a body)
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local auth = os.getenv("BENCH_AUTH")
local cookie = os.getenv("BENCH_COOKIE")
local ctype = os.getenv("BENCH_CONTENT_TYPE")

wrk.method = method
if body and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = ctype or "application/json"
end
if auth and auth ~= "" then
  wrk.headers["Authorization"] = auth
end
if cookie and cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end
wrk.headers["Accept-Encoding"] = "gzip, br"

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,"errors":%d,"non2xx":%d,"timeouts":%d,"bytes":%d}\n',
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    bad, summary.errors.status, summary.errors.timeout, summary.bytes))
end
