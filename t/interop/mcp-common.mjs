// mcp-common.mjs: what the MCP interop scripts (mcp-client.mjs,
// mcp-client-v2.mjs, mcp-client-oauth.mjs) share: the endpoint argument,
// confined to a loopback host; a fetch that records every HTTP exchange
// the SDK makes (the wire view t/61-mcp-interop.t and
// t/66-mcp-interop-oauth.t assert on) and bounds each one; a run (its
// findings, exchange log and transport errors, under a watchdog); steps
// that record their outcome instead of stopping the run; and the one JSON
// object of findings printed on stdout.
//
// SPDX-License-Identifier: MIT

import { readFileSync } from 'node:fs';

export const REQUEST_TIMEOUT_MS = 15_000;   // one HTTP exchange, one request
export const RUN_BUDGET_MS = 60_000;        // the whole run

const LOOPBACK = /^(?:127(?:\.\d{1,3}){3}|\[::1\]|localhost)$/i;
const BODY_KEEP = 4096;     // characters of a response body kept in the log

// The version of an installed package of t/interop/node_modules.
export function packageVersion(name) {
  const path = new URL(`./node_modules/${name}/package.json`, import.meta.url);
  return JSON.parse(readFileSync(path, 'utf8')).version;
}

// The arguments: ENDPOINT_URL [PLAN_JSON].  The URL must be http(s) on a
// loopback host; the plan is {"calls": [{"label", "name", "arguments"}]}.
// Exits 2 with a line on stderr when they are wrong.
export function readArguments(argv) {
  const [endpoint, planText] = argv.slice(2);
  const synopsis = 'ENDPOINT_URL [PLAN_JSON]';
  return { url: loopbackUrl(endpoint, synopsis),
    plan: readPlan(planText, synopsis) };
}

// Text as a URL that is http(s) on a loopback host; else exits 2, saying
// so and giving the synopsis.
export function loopbackUrl(text, synopsis) {
  let url;
  try {
    url = new URL(text);
  } catch {
    usage(`"${text ?? ''}" is not a URL`, synopsis);
  }
  if (!/^https?:$/.test(url.protocol) || !LOOPBACK.test(url.hostname))
    usage(`${url} is not an http(s) URL on a loopback host`, synopsis);
  return url;
}

// The plan text (absent: no calls) as {"calls": [...]}; exits 2 when it
// is not one.
export function readPlan(planText, synopsis) {
  let plan = { calls: [] };
  if (planText !== undefined) {
    try {
      plan = JSON.parse(planText);
    } catch (e) {
      usage(`the plan is not JSON: ${e.message}`, synopsis);
    }
    if (!Array.isArray(plan.calls))
      usage('the plan has no "calls" array', synopsis);
  }
  return plan;
}

// Say what is wrong with the arguments and exit 2.
export function usage(message, synopsis) {
  process.stderr.write(`${message}\nusage: node ${process.argv[1]} `
    + `${synopsis}\n`);
  process.exit(2);
}

// An error as data: its class, code, message (bounded) and data.
export function describeError(e) {
  if (!(e instanceof Error)) return { class: typeof e, message: String(e) };
  const out = { class: e.constructor?.name ?? 'Error',
    message: String(e.message).slice(0, 1000) };
  if (e.code !== undefined) out.code = e.code;
  if (e.data !== undefined) out.data = e.data;
  if (e.status !== undefined) out.status = e.status;
  return out;
}

// Headers worth seeing on the wire, by lower-case name.
const REQUEST_HEADERS = ['accept', 'content-type', 'mcp-session-id',
  'mcp-protocol-version', 'mcp-method', 'mcp-name', 'last-event-id',
  'origin'];
const RESPONSE_HEADERS = ['content-type', 'mcp-session-id', 'allow',
  'www-authenticate'];

function pick(headers, names) {
  const out = {};
  for (const n of names) {
    const v = headers.get(n);
    if (v !== null) out[n] = v;
  }
  return out;
}

// What a JSON-RPC body says, briefly: method, id, the params' _meta and
// protocolVersion for a message; result keys or the error for an answer.
function summarise(doc) {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    return { shape: Array.isArray(doc) ? 'array' : typeof doc };
  const s = {};
  if ('method' in doc) s.method = doc.method;
  if ('id' in doc) s.id = doc.id;
  if (doc.params && typeof doc.params === 'object') {
    if ('_meta' in doc.params) s.meta = doc.params._meta;
    if ('protocolVersion' in doc.params)
      s.protocolVersion = doc.params.protocolVersion;
    if ('name' in doc.params) s.name = doc.params.name;
  }
  if (doc.result && typeof doc.result === 'object') {
    s.resultKeys = Object.keys(doc.result).sort();
    for (const k of ['resultType', 'ttlMs', 'cacheScope', 'protocolVersion',
      'isError'])
      if (k in doc.result) s[k] = doc.result[k];
    if (doc.result._meta) s.resultMeta = doc.result._meta;
  }
  if (doc.error) s.error = doc.error;
  return s;
}

// A signal that aborts when a (which may be absent) or b does.  Node
// 20.0 to 20.2 have no AbortSignal.any.
function eitherSignal(a, b) {
  if (!a) return b;
  if (typeof AbortSignal.any === 'function') return AbortSignal.any([a, b]);
  const both = new AbortController();
  for (const s of [a, b]) {
    if (s.aborted) {
      both.abort(s.reason);
      break;
    }
    s.addEventListener('abort', () => both.abort(s.reason), { once: true });
  }
  return both.signal;
}

// A fetch for the endpoint's origin only, each exchange bounded by
// REQUEST_TIMEOUT_MS and recorded in log (an array): {method, path,
// request: {headers, body}, status, response: {headers, body}} or
// {method, path, request, failed}.  describeRequest, when given, is
// called as describeRequest(url, init, headers) before the request goes
// out and what it returns is added to the entry's request (a script's own
// view of requests that are not JSON-RPC; it must leave secrets out).
export function recordingFetch(origin, log, describeRequest) {
  return async (input, init = {}) => {
    const target = new URL(typeof input === 'string' || input instanceof URL
      ? input : input.url);
    if (target.origin !== origin)
      throw new Error(`refusing a request to ${target.origin}: only `
        + `${origin} is allowed`);
    const headers = new Headers(init.headers
      ?? (input instanceof Request ? input.headers : undefined));
    const entry = { method: (init.method ?? 'GET').toUpperCase(),
      path: target.pathname + target.search,
      request: { headers: pick(headers, REQUEST_HEADERS) } };
    if (typeof init.body === 'string') {
      try {
        entry.request.body = summarise(JSON.parse(init.body));
      } catch {
        entry.request.body = { shape: 'not JSON' };
      }
    }
    if (describeRequest)
      Object.assign(entry.request, describeRequest(target, init, headers));
    log.push(entry);
    const signal = eitherSignal(init.signal,
      AbortSignal.timeout(REQUEST_TIMEOUT_MS));
    let response;
    try {
      response = await fetch(input, { ...init, signal });
    } catch (e) {
      entry.failed = describeError(e);
      throw e;
    }
    entry.status = response.status;
    entry.response = { headers: pick(response.headers, RESPONSE_HEADERS) };
    const type = response.headers.get('content-type') ?? '';
    if (/^application\/json\b/i.test(type)) {
      // The SDK reads the original; this reads a copy of the same bytes.
      const text = await response.clone().text().catch(() => '');
      try {
        entry.response.body = summarise(JSON.parse(text));
      } catch {
        entry.response.body = { shape: 'not JSON',
          text: text.slice(0, BODY_KEEP) };
      }
    }
    return response;
  };
}

// Run fn and record its outcome under findings[name]: {ok: true, value}
// or {ok: false, error}.  Returns the value, or undefined on failure.
export async function step(findings, name, fn) {
  try {
    const value = await fn();
    findings[name] = { ok: true, ...(value === undefined ? {} : { value }) };
    return value;
  } catch (e) {
    findings[name] = { ok: false, error: describeError(e) };
    return undefined;
  }
}

// A tool as tools/list gave it, with what the tests look at.
export function toolSummary(t) {
  return { name: t.name, title: t.title, description: t.description,
    inputSchema: t.inputSchema, annotations: t.annotations };
}

// Every page of tools/list from a connected client (either SDK's Client:
// both take listTools(params, options)), at most 20 pages.  Returns
// {tools (each as toolSummary gives it), pages}.
export async function listAllTools(client, options) {
  const tools = [];
  let cursor;
  let pages = 0;
  do {
    const page = await client.listTools(cursor ? { cursor } : {}, options);
    tools.push(...page.tools.map(toolSummary));
    cursor = page.nextCursor;
    pages++;
  } while (cursor && pages < 20);
  return { tools, pages };
}

// A run of the client of package sdkName against url: its findings ({sdk:
// {name, version}, endpoint, http}), the log of HTTP exchanges in them
// (http), a recording fetch for the endpoint's origin (fetch; options
// .describeRequest as recordingFetch takes it), the transport errors
// (errors) and a handler that collects them (onerror), all under the
// watchdog.  run.end() puts the errors in the findings, disarms the
// watchdog and prints them (finish, done true).
export function beginRun(sdkName, url, options = {}) {
  const http = [];
  const errors = [];
  const findings = {
    sdk: { name: sdkName, version: packageVersion(sdkName) },
    endpoint: url.href,
    http,
  };
  const timer = watchdog(findings);
  return {
    findings,
    http,
    errors,
    fetch: recordingFetch(url.origin, http, options.describeRequest),
    onerror: (e) => errors.push(describeError(e)),
    end() {
      findings.transportErrors = errors;
      clearTimeout(timer);
      finish(findings, true);
    },
  };
}

// Print findings as one JSON line and exit (0 when done is true).
export function finish(findings, done) {
  findings.done = done;
  process.stdout.write(`${JSON.stringify(findings)}\n`, () =>
    process.exit(done ? 0 : 1));
}

// Stop the run after RUN_BUDGET_MS whatever it is waiting for, printing
// what was found so far.  Returns the timer (clear it when done).
export function watchdog(findings) {
  return setTimeout(() => {
    findings.watchdog = `the run took more than ${RUN_BUDGET_MS} ms`;
    finish(findings, false);
  }, RUN_BUDGET_MS);
}
