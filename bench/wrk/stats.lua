-- wrk script for `make bench`: prints one run's figures as a JSON line and, when asked, paces
-- requests to a fixed offered load.
--
--   wrk ... -s bench/wrk/stats.lua URL                      as fast as the connections allow
--   STRAVA1_BENCH_RATE=R wrk -tT ... -s bench/wrk/stats.lua URL
--                                                           R requests/s in total, spread evenly
--   (STRAVA1_BENCH_THREADS must then equal wrk's -t.)
--
-- Pacing: each wrk thread keeps an absolute schedule (one slot every THREADS/RATE seconds) and
-- delay() holds each request until its slot, so the offered load does not depend on how fast the
-- server answers (as long as enough connections are idle to take the next slot). A slot taken more
-- than 1 ms late counts as `late`; the report flags a run whose achieved rate falls short.
-- The rate comes from the environment because wrk decides whether a script paces (has a global
-- delay()) when it loads the script, before any arguments reach init().
-- Latency is wrk's own: from writing the request to reading the whole response.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } strava1_bench_timespec;
int clock_gettime(int clk_id, strava1_bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("strava1_bench_timespec")

local function now_us()
    ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
    return tonumber(ts.tv_sec) * 1000000 + tonumber(ts.tv_nsec) / 1000
end

-- Main state: one table entry per wrk thread, read back in done().
local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

-- Thread state below (each wrk thread runs its own copy of this script).
local rate = tonumber(os.getenv("STRAVA1_BENCH_RATE") or "")
local thread_count = tonumber(os.getenv("STRAVA1_BENCH_THREADS") or "") or 1
next_slot_us = nil
late = 0
max_lag_us = 0

if rate ~= nil and rate > 0 then
    -- Defined only when pacing: an unpaced run must not pay for a timer per request.
    local interval_us = 1000000 * thread_count / rate
    function delay()
        local now = now_us()
        if next_slot_us == nil then
            next_slot_us = now
        end
        local slot = next_slot_us
        next_slot_us = next_slot_us + interval_us
        local wait = slot - now
        if wait < -1000 then
            late = late + 1
            if -wait > max_lag_us then
                max_lag_us = -wait
            end
        end
        if wait <= 0 then
            return 0
        end
        return math.floor(wait / 1000)
    end
end

function done(summary, latency, requests)
    local late_total, lag = 0, 0
    for _, thread in ipairs(threads) do
        late_total = late_total + (thread:get("late") or 0)
        lag = math.max(lag, thread:get("max_lag_us") or 0)
    end
    local e = summary.errors
    local function p(q)
        return latency:percentile(q)
    end
    io.write(string.format(
        'STRAVA1_BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
        '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
        '"latency_us":{"mean":%.1f,"stdev":%.1f,"min":%d,"max":%d,"p50":%d,"p90":%d,"p99":%d,"p999":%d},' ..
        '"late":%d,"max_lag_us":%.0f}\n',
        summary.requests, summary.duration, summary.bytes,
        e.connect, e.read, e.write, e.status, e.timeout,
        latency.mean, latency.stdev, latency.min, latency.max,
        p(50), p(90), p(99), p(99.9),
        late_total, lag))
end
