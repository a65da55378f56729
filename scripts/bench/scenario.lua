-- wrk scenarios for scripts/bench.sh, used when ../shared/bench/lib/scenario.lua is absent
-- (that one is preferred; this is a minimal compatible stand-in).
-- Environment: PF_SCENARIO = list | retrieve | create | patch | unauth, PF_API_KEY = raw key.
-- The URL given to wrk is the collection URL (list, create, unauth) or the folder's URL
-- (retrieve, patch).  done() prints one line "PFJSON {...}" that scripts/bench/bench.py reads.
local scenario = os.getenv("PF_SCENARIO") or "list"
local key = os.getenv("PF_API_KEY") or ""

wrk.headers["Accept"] = "application/json"
if scenario == "unauth" then
  wrk.headers["Authorization"] = "Bearer phx_this_key_does_not_exist_0000000000000000"
else
  wrk.headers["Authorization"] = "Bearer " .. key
end

local n = 0
if scenario == "create" or scenario == "patch" then
  wrk.method = scenario == "create" and "POST" or "PATCH"
  wrk.headers["Content-Type"] = "application/json"
  request = function()
    n = n + 1
    local body
    if scenario == "create" then
      body = '{"type":"home","protocol":"products://","path":"bench/create/' .. n .. '"}'
    else
      body = '{"path":"bench/patch/' .. n .. '"}'
    end
    return wrk.format(nil, nil, nil, body)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'PFJSON {"scenario":"%s","requests":%d,"duration_s":%.3f,"rps":%.1f,' ..
    '"errors_connect":%d,"errors_read":%d,"errors_write":%d,"errors_status":%d,"errors_timeout":%d,' ..
    '"lat_mean_ms":%.3f,"lat_p50_ms":%.3f,"lat_p99_ms":%.3f,"lat_max_ms":%.3f}\n',
    scenario, summary.requests, seconds, summary.requests / seconds,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean / 1000, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
