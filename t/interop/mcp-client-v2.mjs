// mcp-client-v2.mjs: drio's MCP endpoint (docs/mcp.md) driven by the
// official TypeScript SDK's v2 client, @modelcontextprotocol/client, in
// its 'auto' version negotiation mode: connect() probes with
// server/discover and takes the modern era (2026-07-28, stateless) on
// definitive modern evidence, else falls back to initialize.  Run by
// t/61-mcp-interop.t.
//
//   node mcp-client-v2.mjs ENDPOINT_URL [PLAN_JSON]
//
// PLAN_JSON is {"calls": [{"label", "name", "arguments"}, ...]}.  The run:
//
//   connect      the probe, then whatever the client decided: its era and
//                negotiated version, the transport's session id (none in
//                the modern era), serverInfo, capabilities, instructions,
//                the DiscoverResult
//   listTools    tools/list, every page
//   listAgain    tools/list once more, and how many HTTP exchanges it
//                took (none when the client's response cache honoured the
//                ttlMs of the first answer)
//   call:LABEL   tools/call of each planned call: the CallToolResult, or
//                the error the SDK raised
//   close        the client closed
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

import { Client, StreamableHTTPClientTransport }
  from '@modelcontextprotocol/client';
import { REQUEST_TIMEOUT_MS, beginRun, listAllTools, readArguments, step }
  from './mcp-common.mjs';

const { url, plan } = readArguments(process.argv);
const run = beginRun('@modelcontextprotocol/client', url);
const { findings, http } = run;
const options = { timeout: REQUEST_TIMEOUT_MS };

const client = new Client({ name: 'drio-interop-sdk-v2', version: '1.0.0' },
  { versionNegotiation: { mode: 'auto',
    probe: { timeoutMs: REQUEST_TIMEOUT_MS } } });
const transport = new StreamableHTTPClientTransport(url, { fetch: run.fetch });
transport.onerror = run.onerror;
client.onerror = run.onerror;

const connected = await step(findings, 'connect', async () => {
  await client.connect(transport, options);
  return {
    era: client.getProtocolEra(),
    protocolVersion: client.getNegotiatedProtocolVersion(),
    sessionId: transport.sessionId ?? null,
    serverVersion: client.getServerVersion(),
    serverCapabilities: client.getServerCapabilities(),
    instructions: client.getInstructions(),
    discover: client.getDiscoverResult(),
  };
});

if (connected) {
  await step(findings, 'listTools', () => listAllTools(client, options));

  await step(findings, 'listAgain', async () => {
    const before = http.length;
    const page = await client.listTools({}, options);
    return { tools: page.tools.map((t) => t.name),
      exchanges: http.length - before };
  });

  for (const c of plan.calls) {
    await step(findings, `call:${c.label}`, () =>
      client.callTool({ name: c.name, arguments: c.arguments }, options));
  }

  await step(findings, 'close', () => client.close());
}

run.end();
