// oauth-client.mjs: drio's OAuth 2 authorization server (docs/oauth.md)
// driven by oauth4webapi, a spec-strict client library drio did not write.
// t/38-oauth-interop.t runs it and does the browser's part in between.
//
//   node oauth-client.mjs start STATEFILE ISSUER
//       RFC 8414 discovery, RFC 7591 registration of a public client,
//       PKCE (S256) and state; prints {"authorization_url": ...}.
//   node oauth-client.mjs finish STATEFILE CALLBACK_URL
//       validates the redirect (state, and iss per RFC 9207), exchanges
//       the code, calls GET ISSUER/openapi/v1/account with the token,
//       refreshes (the refresh token must rotate), revokes the new refresh
//       token (RFC 7009) and checks that refreshing with it is then
//       invalid_grant; prints a JSON summary.
//   node oauth-client.mjs device-start STATEFILE [ISSUER]
//       RFC 8628 device authorization (with the client of STATEFILE, or
//       one discovered and registered at ISSUER); prints the user code.
//   node oauth-client.mjs device-finish STATEFILE
//       polls the token endpoint, honouring interval and slow_down, for
//       at most 30 seconds; prints one line per pending poll, then a
//       JSON summary.
//
// State passes between the steps through STATEFILE (JSON, mode 0600).
// Every line on stdout is one JSON object; the last one of a successful
// run has "ok": true.  Any failure exits 1 with one line on stderr that
// names the oauth4webapi error (class, code, error, error_description,
// status) when there is one.
//
// Network: only the issuer's own origin, which must be on a loopback
// host; every request goes through a fetch wrapper that refuses anything
// else (a metadata endpoint on another origin included).
//
// SPDX-License-Identifier: MIT

import * as oauth from 'oauth4webapi';
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const SCOPE = 'api offline_access';
const REQUEST_TIMEOUT_MS = 10_000;
const DEVICE_POLL_BUDGET_MS = 30_000;

class Failure extends Error {}

function fail(message) {
  throw new Failure(message);
}

function check(cond, message) {
  if (!cond) fail(message);
}

// --- network confinement ----------------------------------------------------

const LOOPBACK = /^(?:127(?:\.\d{1,3}){3}|\[::1\]|localhost)$/i;
let allowedOrigin;

function confineTo(issuer) {
  let url;
  try {
    url = new URL(issuer);
  } catch {
    fail(`the issuer "${issuer}" is not a URL`);
  }
  check(url.protocol === 'http:' || url.protocol === 'https:',
    `the issuer "${issuer}" is not an http(s) URL`);
  check(LOOPBACK.test(url.hostname),
    `the issuer "${issuer}" is not on a loopback host; this program talks `
    + 'to loopback only');
  allowedOrigin = url.origin;
}

// fetch, for the issuer's origin only.
async function confinedFetch(url, init) {
  const origin = new URL(url).origin;
  if (origin !== allowedOrigin) {
    fail(`refusing a request to ${origin}: only ${allowedOrigin} is allowed`);
  }
  return fetch(url, init);
}

// The options every oauth4webapi request gets.  The issuer is plain http
// on 127.0.0.1 (the test stack has no TLS), which oauth4webapi refuses by
// default: allowInsecureRequests lifts that for these loopback requests
// only (confineTo() already refused any other host).  Never set it
// against a real deployment.
function requestOptions(extra = {}) {
  return {
    [oauth.allowInsecureRequests]: true,
    [oauth.customFetch]: confinedFetch,
    signal: () => AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    ...extra,
  };
}

// --- state ------------------------------------------------------------------

function readState(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    if (err.code === 'ENOENT') return {};
    fail(`cannot read the state file ${path}: ${err.message}`);
  }
}

function writeState(path, state) {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, path);
}

function say(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

// --- steps shared by the flows ----------------------------------------------

async function discover(issuer) {
  confineTo(issuer);
  const issuerUrl = new URL(issuer);
  const res = await oauth.discoveryRequest(issuerUrl,
    requestOptions({ algorithm: 'oauth2' }));
  const as = await oauth.processDiscoveryResponse(issuerUrl, res);
  for (const key of ['authorization_endpoint', 'token_endpoint',
    'registration_endpoint', 'revocation_endpoint',
    'device_authorization_endpoint']) {
    check(typeof as[key] === 'string', `the metadata has no ${key}`);
  }
  check((as.code_challenge_methods_supported ?? []).includes('S256'),
    'the metadata does not list S256 in code_challenge_methods_supported');
  check(as.authorization_response_iss_parameter_supported === true,
    'the metadata does not set authorization_response_iss_parameter_'
    + 'supported (RFC 9207)');
  return as;
}

async function register(as, state) {
  // An arbitrary loopback port: nothing listens there, the test reads the
  // redirect off the authorization server's Location header.
  const redirectUri = `http://127.0.0.1:${randomInt(20000, 60000)}/cb`;
  const res = await oauth.dynamicClientRegistrationRequest(as, {
    redirect_uris: [redirectUri],
    client_name: 'oauth4webapi interop',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token', DEVICE_GRANT],
    response_types: ['code'],
    scope: SCOPE,
  }, requestOptions());
  const client = await oauth.processDynamicClientRegistrationResponse(res);
  check(/^dc_[A-Za-z0-9_-]{22}$/.test(client.client_id),
    `the client_id "${client.client_id}" is not dc_ and 22 base64url `
    + 'characters');
  check(client.client_secret === undefined,
    'a public client (token_endpoint_auth_method none) got a client_secret');
  state.as = as;
  state.client = client;
  state.redirect_uri = redirectUri;
  return client;
}

// GET ISSUER/openapi/v1/account with a bearer token: {status, email}.
async function account(state, accessToken) {
  const url = new URL('/openapi/v1/account', state.as.issuer);
  let res;
  try {
    res = await oauth.protectedResourceRequest(accessToken, 'GET', url,
      new Headers({ accept: 'application/json' }), null, requestOptions());
  } catch (err) {
    // A 401 with a WWW-Authenticate challenge comes back as an error.
    if (err instanceof oauth.WWWAuthenticateChallengeError) {
      return { status: err.status, email: undefined };
    }
    throw err;
  }
  let email;
  if (res.status === 200) {
    const body = await res.json();
    email = body?.account?.email;
  } else {
    await res.body?.cancel();
  }
  return { status: res.status, email };
}

// The OAuth error of a refused request, or rethrow.
function oauthError(err) {
  if (err instanceof oauth.ResponseBodyError) return err;
  throw err;
}

// --- subcommands ------------------------------------------------------------

async function start(statePath, issuer) {
  check(issuer, 'usage: start STATEFILE ISSUER');
  const state = {};
  const as = await discover(issuer);
  const client = await register(as, state);
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const codeChallenge = await oauth.calculatePKCECodeChallenge(codeVerifier);
  const expectedState = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', client.client_id);
  url.searchParams.set('redirect_uri', state.redirect_uri);
  url.searchParams.set('scope', SCOPE);
  url.searchParams.set('state', expectedState);
  url.searchParams.set('code_challenge', codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  state.code_verifier = codeVerifier;
  state.state = expectedState;
  writeState(statePath, state);
  say({ ok: true, step: 'start', issuer: as.issuer,
    client_id: client.client_id, redirect_uri: state.redirect_uri,
    authorization_url: url.href });
}

async function finish(statePath, callback) {
  check(callback, 'usage: finish STATEFILE CALLBACK_URL');
  const state = readState(statePath);
  check(state.as && state.client && state.code_verifier,
    `${statePath} holds no started authorization; run start first`);
  confineTo(state.as.issuer);
  const { as, client } = state;
  const none = oauth.None();

  // The redirect: state and iss (RFC 9207) checked, an error refused.
  const params = oauth.validateAuthResponse(as, client, new URL(callback),
    state.state);

  let res = await oauth.authorizationCodeGrantRequest(as, client, none,
    params, state.redirect_uri, state.code_verifier, requestOptions());
  const tokens = await oauth.processAuthorizationCodeResponse(as, client,
    res);
  check(tokens.token_type === 'bearer',
    `token_type is "${tokens.token_type}", not Bearer`);
  check(typeof tokens.refresh_token === 'string',
    'offline_access was asked but no refresh_token came');
  const scope = (tokens.scope ?? '').split(' ').sort().join(' ');

  const acct = await account(state, tokens.access_token);
  check(acct.status === 200,
    `GET /openapi/v1/account with the access token answered ${acct.status}`);

  res = await oauth.refreshTokenGrantRequest(as, client, none,
    tokens.refresh_token, requestOptions());
  const refreshed = await oauth.processRefreshTokenResponse(as, client, res);
  check(typeof refreshed.refresh_token === 'string',
    'the refresh answer holds no refresh_token');
  check(refreshed.refresh_token !== tokens.refresh_token,
    'the refresh token was not rotated');
  const acct2 = await account(state, refreshed.access_token);
  check(acct2.status === 200,
    `GET /openapi/v1/account with the refreshed access token answered `
    + acct2.status);

  res = await oauth.revocationRequest(as, client, none,
    refreshed.refresh_token, requestOptions({
      additionalParameters: { token_type_hint: 'refresh_token' } }));
  await oauth.processRevocationResponse(res);

  let afterRevoke;
  try {
    res = await oauth.refreshTokenGrantRequest(as, client, none,
      refreshed.refresh_token, requestOptions());
    await oauth.processRefreshTokenResponse(as, client, res);
    fail('refreshing with the revoked refresh token succeeded');
  } catch (err) {
    afterRevoke = oauthError(err);
  }
  check(afterRevoke.error === 'invalid_grant',
    `refreshing with the revoked refresh token gave "${afterRevoke.error}", `
    + 'not invalid_grant');
  const acct3 = await account(state, refreshed.access_token);

  delete state.code_verifier;
  writeState(statePath, state);
  say({ ok: true, step: 'finish', client_id: client.client_id,
    token_type: tokens.token_type, expires_in: tokens.expires_in,
    scope, account_status: acct.status, account_email: acct.email,
    refresh_rotated: true, refreshed_account_status: acct2.status,
    revoked: true, refresh_after_revoke_error: afterRevoke.error,
    refresh_after_revoke_status: afterRevoke.status,
    account_status_after_revoke: acct3.status });
}

async function deviceStart(statePath, issuer) {
  const state = readState(statePath);
  if (!state.client) {
    check(issuer, 'usage: device-start STATEFILE ISSUER (no client in '
      + `${statePath} yet)`);
    await register(await discover(issuer), state);
  } else {
    confineTo(state.as.issuer);
  }
  const { as, client } = state;
  // device_label is drio's own parameter (docs/oauth.md, "Device
  // authorization"), sent as an additional parameter.
  const res = await oauth.deviceAuthorizationRequest(as, client,
    oauth.None(), { scope: SCOPE, device_label: 'oauth4webapi (interop)' },
    requestOptions());
  const dev = await oauth.processDeviceAuthorizationResponse(as, client, res);
  state.device = { device_code: dev.device_code,
    interval: dev.interval ?? 5, expires_in: dev.expires_in,
    started_at: Date.now() };
  writeState(statePath, state);
  say({ ok: true, step: 'device-start', client_id: client.client_id,
    user_code: dev.user_code, verification_uri: dev.verification_uri,
    verification_uri_complete: dev.verification_uri_complete,
    expires_in: dev.expires_in, interval: dev.interval });
}

async function deviceFinish(statePath) {
  const state = readState(statePath);
  check(state.device?.device_code,
    `${statePath} holds no device authorization; run device-start first`);
  confineTo(state.as.issuer);
  const { as, client } = state;
  const expiresAt = state.device.started_at + state.device.expires_in * 1000;
  const deadline = Math.min(Date.now() + DEVICE_POLL_BUDGET_MS, expiresAt);
  let interval = state.device.interval;
  const seen = { authorization_pending: 0, slow_down: 0 };
  let polls = 0;
  let tokens;
  // RFC 8628 3.5: the first poll goes at once, later ones interval seconds
  // apart; slow_down adds 5 seconds to the interval for good.
  for (;;) {
    polls++;
    const res = await oauth.deviceCodeGrantRequest(as, client, oauth.None(),
      state.device.device_code, requestOptions());
    try {
      tokens = await oauth.processDeviceCodeResponse(as, client, res);
      break;
    } catch (err) {
      const e = oauthError(err);
      if (e.error === 'slow_down') {
        interval += 5;
      } else if (e.error !== 'authorization_pending') {
        throw e;
      }
      seen[e.error]++;
      say({ step: 'device-poll', poll: polls, error: e.error, interval });
    }
    if (Date.now() + interval * 1000 > deadline) {
      fail(`no token after ${polls} polls in `
        + `${Math.round(DEVICE_POLL_BUDGET_MS / 1000)} s (the user never `
        + 'approved?)');
    }
    await sleep(interval * 1000);
  }
  check(tokens.token_type === 'bearer',
    `token_type is "${tokens.token_type}", not Bearer`);
  const acct = await account(state, tokens.access_token);
  check(acct.status === 200,
    `GET /openapi/v1/account with the device's access token answered `
    + acct.status);
  delete state.device;
  writeState(statePath, state);
  say({ ok: true, step: 'device-finish', client_id: client.client_id,
    polls, authorization_pending: seen.authorization_pending,
    slow_down: seen.slow_down, token_type: tokens.token_type,
    expires_in: tokens.expires_in,
    scope: (tokens.scope ?? '').split(' ').sort().join(' '),
    has_refresh_token: typeof tokens.refresh_token === 'string',
    account_status: acct.status, account_email: acct.email });
}

// --- main -------------------------------------------------------------------

function describe(err) {
  if (err instanceof Failure) return err.message;
  const parts = [`${err.name}: ${err.message}`];
  for (const key of ['code', 'error', 'error_description', 'status']) {
    if (err[key] !== undefined) parts.push(`${key}=${JSON.stringify(err[key])}`);
  }
  if (err.cause !== undefined && !(err instanceof oauth.ResponseBodyError)) {
    let cause;
    try {
      cause = err.cause instanceof URLSearchParams
        ? err.cause.toString() : JSON.stringify(err.cause);
    } catch {
      cause = String(err.cause);
    }
    parts.push(`cause=${cause}`);
  }
  return parts.join(' ');
}

const commands = {
  start, finish, 'device-start': deviceStart, 'device-finish': deviceFinish,
};
const [command, statePath, arg] = process.argv.slice(2);
const run = commands[command];
if (!run || !statePath) {
  process.stderr.write('usage: node oauth-client.mjs '
    + '(start STATEFILE ISSUER | finish STATEFILE CALLBACK_URL '
    + '| device-start STATEFILE [ISSUER] | device-finish STATEFILE)\n');
  process.exit(2);
}
try {
  await run(statePath, arg);
} catch (err) {
  process.stderr.write(`oauth-client ${command}: ${describe(err)}\n`);
  process.exit(1);
}
