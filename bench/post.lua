-- post.lua: wrk script for bench/run's POST measurements.  Sends every
-- request as a POST with the JSON body {} (Content-Type
-- application/json) and the bearer token from the environment variable
-- BENCH_TOKEN, as a client of POST /api/v3/apps/{id}/draft/validate
-- would.  It defines no response callback (that would slow wrk down);
-- wrk itself counts non-2xx answers.
--
-- SPDX-License-Identifier: MIT

local token = os.getenv("BENCH_TOKEN")
if token == nil or token == "" then
   error("BENCH_TOKEN is not set")
end

wrk.method = "POST"
wrk.body = "{}"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Accept"] = "application/json"
wrk.headers["Content-Type"] = "application/json"
