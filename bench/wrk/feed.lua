-- wrk script for the feed phase of `make bench`: GET the URL's path with a different user's bearer
-- token on each request, rotating through the tokens in the file STRAVA1_BENCH_TOKENS (one a line),
-- so the load reads many users' feeds rather than one cached page. Figures and pacing: stats.lua,
-- loaded from STRAVA1_BENCH_STATS_LUA.
dofile(os.getenv("STRAVA1_BENCH_STATS_LUA"))

local tokens = {}
for line in io.lines(os.getenv("STRAVA1_BENCH_TOKENS")) do
    if #line > 0 then
        table.insert(tokens, line)
    end
end
-- Each wrk thread runs its own copy of this script: start them at different users.
math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
local next_token = math.random(#tokens)

function request()
    next_token = next_token % #tokens + 1
    return wrk.format("GET", nil, { ["Authorization"] = "Bearer " .. tokens[next_token] })
end
