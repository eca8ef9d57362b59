-- 009_tool_calls_tool.sql: listing an app's tool calls of one tool
-- (GET /api/v3/apps/{app_id}/tool-calls?tool=...) without reading every
-- call of the app.  Measured on one app with a million calls: 230-440 ms
-- without it, under 1 ms with it for a rarely called tool.
-- SPDX-License-Identifier: MIT

CREATE INDEX tool_calls_app_tool ON tool_calls (app_id, tool, id DESC);
