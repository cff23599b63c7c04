-- wrk script: POST /collect with fresh event ids on every request, so every
-- event is really stored (a repeated id would be skipped by the collector).
-- EVENTS (env, default 1): events per request.
local counter = 0
local threads = {}
local per_request = tonumber(os.getenv("EVENTS") or "1")

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "text/plain;charset=UTF-8"
  math.randomseed(os.time() + tid * 7919)
  run = string.format("%08x", math.random(0, 0x7fffffff))
end

local template = '{"id":"%s","conversion":"article_read","trigger":"article-read","at":%d,' ..
  '"session":"%s","macro":false,"page":{"url":"http://127.0.0.1/blog/post.html",' ..
  '"path":"/blog/post.html","title":"A post","referrer":""},' ..
  '"vars":{"scroll.threshold":50,"scroll.units":"percent","scroll.direction":"vertical"}}'

function request()
  local events = {}
  for i = 1, per_request do
    counter = counter + 1
    local id = string.format("%s%04x%012x", run, tid, counter)
    events[i] = string.format(template, id, 1763899999500 + counter, string.format("%s%08x", run, counter % 5000))
  end
  local body = '{"v":1,"sent_at":1763900000000,"events":[' .. table.concat(events, ",") .. ']}'
  return wrk.format(nil, "/collect", nil, body)
end

function done(summary, latency, requests)
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("wrk: %d requests, %d errors, p50 %.2f ms, p99 %.2f ms\n",
    summary.requests, bad, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
