-- wrk script for bench/flash_sale.py: the same request over and over (POST with a JSON body, or GET when
-- WRK_BODY is empty) until each thread has WRK_PER_THREAD answers (then it writes WRK_OUT.done<n> and stops;
-- the caller interrupts wrk once every thread is done); counts status codes (with the API's
-- error code for 4xx/5xx) and writes one JSON line to WRK_OUT: per-thread counts, latency percentiles.
-- Env: WRK_PATH, WRK_BODY, WRK_PER_THREAD, WRK_OUT.
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  wrk.path = os.getenv("WRK_PATH")
  local body = os.getenv("WRK_BODY") or ""
  if body ~= "" then
    wrk.method = "POST"
    wrk.body = body
    wrk.headers["Content-Type"] = "application/json"
  end
  quota = tonumber(os.getenv("WRK_PER_THREAD"))
  done_n = 0
  counts = {}
end

function response(status, headers, body)
  local key = tostring(status)
  if status >= 400 then
    local code = body and body:match('"code"%s*:%s*"([^"]+)"')
    key = key .. ":" .. (code or "?")
  end
  counts[key] = (counts[key] or 0) + 1
  done_n = done_n + 1
  if done_n == quota then
    -- wrk itself runs for its whole -d duration: tell the caller (it polls for these files, then SIGINTs wrk)
    local f = io.open(os.getenv("WRK_OUT") .. ".done" .. tostring(id), "w")
    f:close()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local out = io.open(os.getenv("WRK_OUT"), "w")
  local parts = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    for k, v in pairs(c or {}) do
      table.insert(parts, string.format('"%d|%s": %d', t:get("id"), k, v))
    end
  end
  local p = {}
  for _, q in ipairs({50, 95, 99}) do
    table.insert(p, string.format('"p%d_ms": %.2f', q, latency:percentile(q) / 1000.0))
  end
  out:write(string.format('{"counts": {%s}, %s, "max_ms": %.2f, "requests": %d, "duration_us": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    table.concat(parts, ", "), table.concat(p, ", "), latency.max / 1000.0, summary.requests, summary.duration,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout))
  out:close()
end
