// mcp-client.mjs: drio's MCP endpoint (docs/mcp.md) driven by the
// official TypeScript SDK's v1 client, @modelcontextprotocol/sdk (Client
// and StreamableHTTPClientTransport), which speaks the legacy era only
// (initialize; its latest revision is 2025-11-25).  Run by
// t/61-mcp-interop.t.
//
//   node mcp-client.mjs ENDPOINT_URL [PLAN_JSON]
//
// PLAN_JSON is {"calls": [{"label", "name", "arguments"}, ...]}.  The run:
//
//   connect      initialize and notifications/initialized: the version the
//                transport was given, the session id, serverInfo,
//                capabilities, instructions
//   listTools    tools/list, every page
//   call:LABEL   tools/call of each planned call: the CallToolResult, or
//                the error the SDK raised
//   ping         ping
//   parallel     six tools/list in flight at once in the session: how many
//                tools each answer had
//   resume       a second Client on a new transport given the same session
//                id and protocol version (the SDK's reconnect path: no
//                initialize), then tools/list on it
//   terminate    terminateSession(): DELETE with the session id
//   afterEnd     tools/list on the second client after the session ended:
//                the error the SDK raises
//   close        both clients closed
//
// Prints one JSON object on stdout: {sdk, endpoint, done, <step>: {ok,
// value | error}, http: [every HTTP exchange, in order]}.  Exits 0 when
// the run got to the end (whatever each step found), 1 when it did not
// (the watchdog fired), 2 on bad arguments.
//
// Network: the endpoint's origin only, on a loopback host; every
// exchange bounded by REQUEST_TIMEOUT_MS, the run by RUN_BUDGET_MS.
//
// SPDX-License-Identifier: MIT

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport }
  from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { REQUEST_TIMEOUT_MS, beginRun, listAllTools, readArguments, step }
  from './mcp-common.mjs';

const { url, plan } = readArguments(process.argv);
const run = beginRun('@modelcontextprotocol/sdk', url);
const { findings } = run;
const fetchFn = run.fetch;
const options = { timeout: REQUEST_TIMEOUT_MS };
const clientInfo = { name: 'drio-interop-sdk-v1', version: '1.0.0' };
const PARALLEL = 6;

const client = new Client(clientInfo);
const transport = new StreamableHTTPClientTransport(url, { fetch: fetchFn });
transport.onerror = run.onerror;

const connected = await step(findings, 'connect', async () => {
  await client.connect(transport, options);
  return {
    protocolVersion: transport.protocolVersion,
    sessionId: transport.sessionId,
    serverVersion: client.getServerVersion(),
    serverCapabilities: client.getServerCapabilities(),
    instructions: client.getInstructions(),
  };
});

if (connected) {
  await step(findings, 'listTools', () => listAllTools(client, options));

  for (const c of plan.calls) {
    await step(findings, `call:${c.label}`, () =>
      client.callTool({ name: c.name, arguments: c.arguments }, undefined,
        options));
  }

  await step(findings, 'ping', () => client.ping(options));

  // Requests in flight together in one session, as agents send them.
  await step(findings, 'parallel', async () => {
    const pages = await Promise.all(Array.from({ length: PARALLEL }, () =>
      client.listTools({}, options)));
    return { answered: pages.map((p) => p.tools.length) };
  });

  // The SDK's reconnect path: a transport that already has a session id
  // makes Client.connect skip initialize.
  const sessionId = transport.sessionId;
  const again = new Client(clientInfo);
  const againTransport = new StreamableHTTPClientTransport(url,
    { fetch: fetchFn, sessionId });
  // 1.x has no protocolVersion option: the version is set on the transport.
  againTransport.setProtocolVersion(transport.protocolVersion);
  againTransport.onerror = run.onerror;
  await step(findings, 'resume', async () => {
    await again.connect(againTransport, options);
    const page = await again.listTools({}, options);
    return { sessionId: againTransport.sessionId,
      tools: page.tools.map((t) => t.name) };
  });

  await step(findings, 'terminate', async () => {
    await transport.terminateSession();
    return { sessionIdAfter: transport.sessionId ?? null };
  });

  await step(findings, 'afterEnd', async () => {
    const page = await again.listTools({}, options);
    return { tools: page.tools.map((t) => t.name) };
  });

  await step(findings, 'close', async () => {
    await again.close();
    await client.close();
  });
}

run.end();
