-- 013_prune_indexes.sql: indexes the retention and listing work measured
-- on a million tool calls and twenty thousand grants (drio-admin prune,
-- GET /api/v3/apps/{app_id}/tool-calls?status=...).
--
-- A status filter read every call of the app (100-600 ms on 1e6 rows;
-- 3-8 ms with the index), and deleting a client cascaded into a scan of
-- oauth_grants per client (a batch of 100 took about 350 ms).
-- SPDX-License-Identifier: MIT

CREATE INDEX tool_calls_app_status ON tool_calls (app_id, status, id DESC);
CREATE INDEX oauth_grants_client ON oauth_grants (client_id);
