// mcp-client-oauth.mjs: a private app's MCP endpoint (docs/mcp.md,
// "Private apps") reached by the official TypeScript SDK's v1 client,
// @modelcontextprotocol/sdk, with its own OAuth machinery: a
// StreamableHTTPClientTransport given an authProvider (an
// OAuthClientProvider kept in a state file) does the 401, the protected
// resource metadata discovery (RFC 9728, from the WWW-Authenticate
// challenge), the authorization server metadata discovery (RFC 8414),
// dynamic client registration (RFC 7591), PKCE, the resource parameter
// (RFC 8707) and the token exchange.  Nothing of that is done here.  Run
// by t/66-mcp-interop-oauth.t, which does the browser's part in between.
//
//   node mcp-client-oauth.mjs start STATEFILE ENDPOINT_URL
//       connect: the SDK meets the 401, discovers, registers and asks the
//       provider to send the user to the authorization URL, which is
//       captured; connect then fails with UnauthorizedError.  Prints the
//       authorization URL, the registered client and the redirect URI.
//   node mcp-client-oauth.mjs finish STATEFILE CALLBACK_URL [PLAN_JSON]
//       checks the redirect (the redirect URI, state; iss is reported),
//       transport.finishAuth(code) (the SDK exchanges the code), connects
//       with the token, lists the tools, makes the planned calls.
//   node mcp-client-oauth.mjs call STATEFILE ENDPOINT_URL [PLAN_JSON]
//       connects with the tokens of STATEFILE to ENDPOINT_URL (which may
//       be another endpoint than the one they were got for), lists the
//       tools, makes the planned calls.  Whatever the SDK does on a 401
//       (refresh, a new authorization) it does on its own.
//
// PLAN_JSON is {"calls": [{"label", "name", "arguments"}, ...]}.  Each
// step's outcome is recorded as {ok, value | error}:
//
//   callback     (finish) the redirect is usable: it went to the redirect
//                URI, has a code, no error, and the state sent (what it
//                said is in redirect: {redirect_uri, state_matches, iss,
//                error, has_code})
//   exchange     (finish) finishAuth(code): the tokens saved, as below
//   connect      initialize: the version, session id, serverInfo
//   listTools    tools/list, every page
//   call:LABEL   tools/call of each planned call
//   close        the client closed
//
// Prints one JSON object on stdout: {sdk, endpoint, command, done,
// <step>: {ok, value | error}, authorization_url (when the SDK asked for
// the user to be sent there), client (the registered client: client_id,
// client_name, redirect_uris, token_endpoint_auth_method, whether it has
// a secret, issuer), redirect_uri, redirect (finish), discovery (what
// each of the SDK's discoveries found), tokens (token_type,
// expires_in, scope, refresh token or not, the access token's SHA-256,
// issuer), invalidated (what the SDK asked the provider to forget),
// http: [every HTTP exchange, in order]}.  In the exchange log a request
// with an Authorization header has authorization: {scheme, sha256 (of
// the credentials)}, a form body its fields (the code, code verifier,
// refresh token and any client secret only as their length), a JSON body
// that is not JSON-RPC (the registration) as it was sent.  No token, code
// or verifier is ever printed.  Exits 0 when the run got to the end
// (whatever each step found), 1 when it did not (the watchdog fired, or
// the state file is unusable), 2 on bad arguments.
//
// State (STATEFILE, JSON, mode 0600): the endpoint, the redirect URI, the
// client information and tokens as the SDK saved them (stamped with their
// issuer), the PKCE verifier and the state of the pending authorization.
//
// Network: the endpoint's origin only, on a loopback host (drio's
// authorization server is on the same origin); every exchange bounded by
// REQUEST_TIMEOUT_MS, the run by RUN_BUDGET_MS.  The redirect URI is a
// loopback URL nobody listens on: the test reads the redirect off drio's
// Location header and passes it to finish.
//
// SPDX-License-Identifier: MIT

import { createHash, randomBytes, randomInt } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport }
  from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { REQUEST_TIMEOUT_MS, beginRun, describeError, listAllTools,
  loopbackUrl, readPlan, step, usage } from './mcp-common.mjs';

const SDK = '@modelcontextprotocol/sdk';
const SYNOPSIS = '(start STATEFILE ENDPOINT_URL | finish STATEFILE '
  + 'CALLBACK_URL [PLAN_JSON] | call STATEFILE ENDPOINT_URL [PLAN_JSON])';
const CLIENT_INFO = { name: 'drio-interop-sdk-oauth', version: '1.0.0' };
const CLIENT_NAME = 'MCP SDK interop';
// Form fields never printed, only their length.
const SECRET_FIELDS = ['code', 'code_verifier', 'refresh_token',
  'client_secret'];

function sha256(text) {
  return createHash('sha256').update(text).digest('hex');
}

// --- the state file --------------------------------------------------------

// The state of path as an object; exits 1 when it cannot be read.
function readState(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    process.stderr.write(`cannot read the state file ${path}: ${e.message}\n`);
    process.exit(1);
  }
}

// Write state to path (mode 0600), replacing it at once.
function writeState(path, state) {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

// --- the OAuthClientProvider -----------------------------------------------

// The SDK's OAuthClientProvider for one client, kept in the state file:
// every save is written at once, so the next step (another process) finds
// it.  What the SDK tells it that the test looks at goes into findings.
class StateFileProvider {
  constructor(path, saved, findings) {
    this.path = path;
    this.saved = saved;
    this.findings = findings;
    this.authorizationUrl = undefined;
  }

  persist() {
    writeState(this.path, this.saved);
  }

  get redirectUrl() {
    return this.saved.redirect_uri;
  }

  // A public client: authorization code with PKCE, refresh tokens, no
  // secret.
  get clientMetadata() {
    return {
      client_name: CLIENT_NAME,
      redirect_uris: [this.saved.redirect_uri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  state() {
    this.saved.state = randomBytes(16).toString('base64url');
    this.persist();
    return this.saved.state;
  }

  clientInformation() {
    return this.saved.client_information;
  }

  saveClientInformation(info) {
    this.saved.client_information = info;
    this.persist();
  }

  tokens() {
    return this.saved.tokens;
  }

  saveTokens(tokens) {
    this.saved.tokens = tokens;
    this.persist();
  }

  redirectToAuthorization(url) {
    this.authorizationUrl = url.href;
  }

  saveCodeVerifier(verifier) {
    this.saved.code_verifier = verifier;
    this.persist();
  }

  codeVerifier() {
    if (!this.saved.code_verifier)
      throw new Error('no PKCE code verifier saved: run start first');
    return this.saved.code_verifier;
  }

  // Only saved, never given back (no discoveryState()): each run
  // discovers again, as a client without a cache does.
  saveDiscoveryState(d) {
    const prm = d.resourceMetadata ?? {};
    const as = d.authorizationServerMetadata ?? {};
    (this.findings.discovery ??= []).push({
      authorizationServerUrl: d.authorizationServerUrl,
      resource: prm.resource,
      authorization_servers: prm.authorization_servers,
      scopes_supported: prm.scopes_supported,
      issuer: as.issuer,
      registration_endpoint: as.registration_endpoint,
      client_id_metadata_document_supported:
        as.client_id_metadata_document_supported,
    });
  }

  invalidateCredentials(scope) {
    (this.findings.invalidated ??= []).push(scope);
    if (scope === 'all' || scope === 'client')
      delete this.saved.client_information;
    if (scope === 'all' || scope === 'tokens') delete this.saved.tokens;
    if (scope === 'all' || scope === 'verifier')
      delete this.saved.code_verifier;
    this.persist();
  }
}

// --- what is printed -------------------------------------------------------

// A request's Authorization and a body that is not JSON-RPC, with the
// secrets left out (recordingFetch's describeRequest).
function describeRequest(url, init, headers) {
  const out = {};
  const authorization = headers.get('authorization');
  if (authorization !== null) {
    const [scheme, credentials] = authorization.split(' ', 2);
    out.authorization = { scheme, sha256: sha256(credentials ?? '') };
  }
  const body = init.body;
  if (body instanceof URLSearchParams) {
    out.form = {};
    for (const [k, v] of body)
      out.form[k] = SECRET_FIELDS.includes(k) ? { length: v.length } : v;
  } else if (typeof body === 'string') {
    try {
      const doc = JSON.parse(body);
      if (doc && typeof doc === 'object' && !Array.isArray(doc)
        && !('jsonrpc' in doc))
        out.document = doc;
    } catch {
      // recordingFetch already says it is not JSON.
    }
  }
  return out;
}

// The saved tokens without the tokens themselves.
function tokenSummary(tokens) {
  if (!tokens) return null;
  return {
    token_type: tokens.token_type,
    expires_in: tokens.expires_in,
    scope: tokens.scope,
    has_refresh_token: typeof tokens.refresh_token === 'string',
    access_token_sha256: sha256(tokens.access_token ?? ''),
    issuer: tokens.issuer,
  };
}

// The registered client without a secret.
function clientSummary(info) {
  if (!info) return null;
  return {
    client_id: info.client_id,
    client_name: info.client_name,
    redirect_uris: info.redirect_uris,
    token_endpoint_auth_method: info.token_endpoint_auth_method,
    has_client_secret: typeof info.client_secret === 'string',
    issuer: info.issuer,
  };
}

// --- the steps -------------------------------------------------------------

const options = { timeout: REQUEST_TIMEOUT_MS };

// Connect client over transport, list the tools and make the planned
// calls, each a step; then close (also when the connect failed).
async function connectAndCall(findings, client, transport, plan) {
  const connected = await step(findings, 'connect', async () => {
    await client.connect(transport, options);
    return {
      protocolVersion: transport.protocolVersion,
      sessionId: transport.sessionId,
      serverVersion: client.getServerVersion(),
    };
  });
  if (!connected) {
    await client.close().catch(() => {});
    return;
  }
  await step(findings, 'listTools', () => listAllTools(client, options));
  for (const c of plan.calls) {
    await step(findings, `call:${c.label}`, () =>
      client.callTool({ name: c.name, arguments: c.arguments }, undefined,
        options));
  }
  await step(findings, 'close', () => client.close());
}

// The run of command against url, with the state of statePath: the
// provider, a transport with it, a client.
function setUp(command, url, statePath, saved) {
  const run = beginRun(SDK, url, { describeRequest });
  run.findings.command = command;
  const provider = new StateFileProvider(statePath, saved, run.findings);
  const transport = new StreamableHTTPClientTransport(url,
    { authProvider: provider, fetch: run.fetch });
  transport.onerror = run.onerror;
  return { run, provider, transport, client: new Client(CLIENT_INFO) };
}

// What the run leaves behind for the test besides the steps.
function report(run, provider) {
  const f = run.findings;
  if (provider.authorizationUrl !== undefined)
    f.authorization_url = provider.authorizationUrl;
  f.redirect_uri = provider.saved.redirect_uri;
  f.client = clientSummary(provider.saved.client_information);
  f.tokens = tokenSummary(provider.saved.tokens);
  run.end();
}

async function start(statePath, endpoint) {
  const url = loopbackUrl(endpoint, SYNOPSIS);
  // An arbitrary loopback port: nothing listens there.
  const saved = { endpoint: url.href,
    redirect_uri: `http://127.0.0.1:${randomInt(20000, 60000)}/callback` };
  writeState(statePath, saved);
  const { run, provider, transport, client } = setUp('start', url, statePath,
    saved);
  await step(run.findings, 'connect', () => client.connect(transport,
    options));
  await client.close().catch(() => {});
  report(run, provider);
}

async function finish(statePath, callbackText, planText) {
  const saved = readState(statePath);
  const url = loopbackUrl(saved.endpoint, SYNOPSIS);
  const plan = readPlan(planText, SYNOPSIS);
  const { run, provider, transport, client } = setUp('finish', url,
    statePath, saved);
  const f = run.findings;
  // The redirect, checked as a client must before using the code (which
  // is kept out of the findings).
  let code;
  await step(f, 'callback', () => {
    const cb = new URL(callbackText);
    const p = cb.searchParams;
    f.redirect = { redirect_uri: `${cb.origin}${cb.pathname}`,
      state_matches: p.get('state') === saved.state, iss: p.get('iss'),
      error: p.get('error'), has_code: p.has('code') };
    if (f.redirect.redirect_uri !== saved.redirect_uri)
      throw new Error(`the redirect went to ${f.redirect.redirect_uri}, not `
        + saved.redirect_uri);
    if (p.has('error'))
      throw new Error(`the authorization failed: ${p.get('error')}`);
    if (!f.redirect.state_matches)
      throw new Error('the state of the redirect is not the one sent');
    if (!p.get('code')) throw new Error('the redirect has no code');
    code = p.get('code');
  });
  if (f.callback.ok) {
    const exchanged = await step(f, 'exchange', async () => {
      await transport.finishAuth(code);
      return tokenSummary(provider.saved.tokens);
    });
    delete saved.code_verifier;
    delete saved.state;
    provider.persist();
    if (exchanged) await connectAndCall(f, client, transport, plan);
  }
  report(run, provider);
}

async function call(statePath, endpoint, planText) {
  const saved = readState(statePath);
  const url = loopbackUrl(endpoint, SYNOPSIS);
  const plan = readPlan(planText, SYNOPSIS);
  const { run, provider, transport, client } = setUp('call', url, statePath,
    saved);
  await connectAndCall(run.findings, client, transport, plan);
  report(run, provider);
}

// --- main ------------------------------------------------------------------

const commands = { start, finish, call };
const [command, statePath, arg, planText] = process.argv.slice(2);
if (!commands[command] || !statePath || !arg)
  usage('a command, a state file and a URL are needed', SYNOPSIS);
try {
  await commands[command](statePath, arg, planText);
} catch (e) {
  // Only a bug here gets this far: each step catches its own.
  process.stderr.write(`mcp-client-oauth ${command}: `
    + `${JSON.stringify(describeError(e))}\n`);
  process.exit(1);
}
