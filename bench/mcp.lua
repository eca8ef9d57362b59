-- mcp.lua: wrk script for bench/run's MCP measurements.  Sends every
-- request as a POST of the JSON-RPC body in BENCH_BODY to the MCP
-- endpoint, with the Accept header MCP clients send and, when set,
-- Mcp-Session-Id (BENCH_SESSION: the legacy era) or MCP-Protocol-Version,
-- Mcp-Method and Mcp-Name (BENCH_VERSION, BENCH_METHOD, BENCH_NAME: the
-- modern era).  It defines no response callback (that would slow wrk
-- down); wrk itself counts non-2xx answers.
--
-- SPDX-License-Identifier: MIT

local body = os.getenv("BENCH_BODY")
if body == nil or body == "" then
   error("BENCH_BODY is not set")
end

wrk.method = "POST"
wrk.body = body
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["Content-Type"] = "application/json"

local headers = {
   ["Mcp-Session-Id"] = "BENCH_SESSION",
   ["MCP-Protocol-Version"] = "BENCH_VERSION",
   ["Mcp-Method"] = "BENCH_METHOD",
   ["Mcp-Name"] = "BENCH_NAME",
}
for name, variable in pairs(headers) do
   local value = os.getenv(variable)
   if value ~= nil and value ~= "" then
      wrk.headers[name] = value
   end
end
