-- get.lua: wrk script for bench/run's GET measurements.  Sends every
-- request with the bearer token from the environment variable
-- BENCH_TOKEN, as a client of GET /openapi/v1/workspaces/{id}/members or
-- GET /api/v3/apps would.  It defines no response callback (that would
-- slow wrk down); wrk itself counts non-2xx answers.
--
-- SPDX-License-Identifier: MIT

local token = os.getenv("BENCH_TOKEN")
if token == nil or token == "" then
   error("BENCH_TOKEN is not set")
end

wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Accept"] = "application/json"
