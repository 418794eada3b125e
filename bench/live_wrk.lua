-- wrk script for bench/live.py's cross-check: phones polling the live state with their
-- session cookie and the ETag of their last 200 (2 % of polls without one: a page load).
--   wrk -t2 -c2 -d40s -s bench/live_wrk.lua URL -- SESSIONS_FILE DELAY_MS
-- Use one connection per thread: a thread's request() and response() then alternate, so
-- the response is known to belong to the phone `current` chose.

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  phones = {}
  etags = {}
  for line in io.lines(args[1]) do
    if #line > 0 then table.insert(phones, line) end
  end
  pause = tonumber(args[2] or "10")
  math.randomseed(os.time() * 100 + id)
  current = 1
  n200, n304, nother = 0, 0, 0
end

function request()
  current = math.random(#phones)
  local headers = { ["Cookie"] = "sessionid=" .. phones[current], ["Accept"] = "application/json" }
  if etags[current] and math.random() >= 0.02 then
    headers["If-None-Match"] = etags[current]
  end
  return wrk.format("GET", nil, headers)
end

function response(status, headers, body)
  if status == 200 then
    n200 = n200 + 1
    etags[current] = headers["ETag"] or headers["etag"]
  elseif status == 304 then
    n304 = n304 + 1
  else
    nother = nother + 1
  end
end

function delay()
  return pause
end

function done(summary, latency, requests)
  local c200, c304, cother = 0, 0, 0
  for _, t in ipairs(threads) do
    c200 = c200 + t:get("n200")
    c304 = c304 + t:get("n304")
    cother = cother + t:get("nother")
  end
  local total = c200 + c304 + cother
  local errors = cother + summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "rps": %.1f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, '
      .. '"max_ms": %.2f, "share_304": %.3f, "errors": %d}\n',
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    total > 0 and c304 / total or 0, errors))
end
