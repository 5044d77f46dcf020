#!/usr/bin/env node
// @salesforce/core (the library of the Salesforce CLI `sf`), used as `sf org login jwt|web|device` use it, against a
// running `mockown serve` (tests/interop/test_sfcore.py runs it).
//
//   node scenarios.js CONFIG_JSON
//
// CONFIG_JSON: {"sfcore": "<dir holding node_modules/@salesforce/core>", "url": "<mockown base URL>", "home": "<empty
//               dir: the CLI's home (~/.sfdx, ~/.sf)>", "project": "<dir with sfdx-project.json>", "oauthPort",
//               "username", "clientId", "jwtKey", "webUser", "webPassword", "webClientId", "deviceUser"}
// Prints one JSON line per scenario: {"scenario": NAME, ...what it saw} or {"scenario": NAME, "error": {...}}.
// Scenarios run in order (the last one moves the server's clock) and an error in one does not stop the next.
//
// The library's home is `cfg.home` (HOME is set before it loads), so nothing is read from or written to the real
// ~/.sfdx. No request leaves the machine: the JWT login also tries https://login.salesforce.com and
// https://test.salesforce.com when the first (login URL, audience) pair fails; every name lookup other than
// localhost (or an IP address) fails at once here (ENOTFOUND) and is recorded in `lookups`.
'use strict';

const crypto = require('crypto');
const dns = require('dns');
const fs = require('fs');
const net = require('net');
const path = require('path');
const util = require('util');

const cfg = JSON.parse(process.argv[2]);

process.env.HOME = cfg.home;
process.env.USERPROFILE = cfg.home;
process.env.SF_USE_GENERIC_UNIX_KEYCHAIN = 'true'; // the key that encrypts the auth files: in ~/.sfdx, no keychain
process.env.SF_DISABLE_LOG_FILE = 'true';
process.env.SF_DISABLE_TELEMETRY = 'true';
for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'SF_AUDIENCE_URL']) delete process.env[name];
process.chdir(cfg.project); // sfdx-project.json: the web login's oauthLocalPort

const lookups = [];
const realLookup = dns.lookup;
dns.lookup = function lookup(host, options, callback) {
  const cb = typeof options === 'function' ? options : callback;
  if (host === 'localhost' || net.isIP(host)) return realLookup.call(dns, host, options, callback);
  lookups.push(host);
  const err = new Error(`getaddrinfo ENOTFOUND ${host}`);
  err.code = 'ENOTFOUND';
  process.nextTick(cb, err);
  return undefined;
};
// util.promisify(dns.lookup) resolves {address, family} (the real one's custom promisified form), as the library uses it
dns.lookup[util.promisify.custom] = (host, options = {}) =>
  new Promise((resolve, reject) =>
    dns.lookup(host, options, (err, address, family) =>
      err ? reject(err) : resolve(options.all ? address : { address, family })
    )
  );

const core = require(path.join(cfg.sfcore, 'node_modules', '@salesforce', 'core'));
const { AuthInfo, Connection, DeviceOauthService, WebOAuthServer, Lifecycle } = core;

const warnings = [];
Lifecycle.getInstance().onWarning(async (w) => {
  warnings.push(String(w));
});

function report(scenario, seen) {
  process.stdout.write(JSON.stringify({ scenario, ...seen }) + '\n');
}

function errorOf(err) {
  return { name: err && err.name, message: String(err && err.message), data: (err && err.data) || null };
}

async function caught(fn) {
  try {
    await fn();
    return null;
  } catch (err) {
    return errorOf(err);
  }
}

async function control(method, route, body) {
  const res = await fetch(`${cfg.url}/_mockown/${route}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`control plane ${method} ${route}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function revoke(token) {
  const res = await fetch(`${cfg.url}/services/oauth2/revoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
  });
  return res.status;
}

/** The REST API's answer to a bare token (no refresh): its status. */
async function restStatus(instanceUrl, token) {
  const res = await fetch(`${instanceUrl}/services/data/v51.0/limits`, { headers: { authorization: `Bearer ${token}` } });
  await res.text();
  return res.status;
}

/** A user at the login page: GET the authorization URL, log in on the form, follow nothing; where it sent them. */
async function loginPage(authzUrl, username, password) {
  const page = await fetch(authzUrl, { redirect: 'manual' });
  const cookie = (page.headers.getSetCookie ? page.headers.getSetCookie() : [page.headers.get('set-cookie')])
    .filter(Boolean)
    .map((c) => c.split(';')[0])
    .join('; ');
  const html = await page.text();
  const action = /<form method='post' action='([^']+)' id='login'>/.exec(html);
  if (!action) throw new Error(`no login form (status ${page.status}): ${html.slice(0, 300)}`);
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type='hidden' name='([^']+)' value='([^']*)'>/g)) {
    form.append(m[1], m[2].replace(/&amp;/g, '&').replace(/&#x27;/g, "'").replace(/&quot;/g, '"'));
  }
  form.append('username', username);
  form.append('password', password);
  const posted = await fetch(new URL(action[1], cfg.url), {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  const location = posted.headers.get('location');
  if (!location) throw new Error(`login gave ${posted.status}: ${(await posted.text()).slice(0, 300)}`);
  return new URL(location);
}

/** What the CLI stored about an org (`sf org display`'s source), without the secrets. */
function stored(authInfo) {
  const f = authInfo.getFields();
  return {
    username: f.username,
    orgId: f.orgId,
    instanceUrl: f.instanceUrl,
    loginUrl: f.loginUrl,
    clientId: f.clientId,
    isDevHub: f.isDevHub,
    name: f.name,
    instanceName: f.instanceName,
    orgEdition: f.orgEdition,
    isSandbox: f.isSandbox,
    isScratch: f.isScratch,
    namespacePrefix: f.namespacePrefix === undefined ? 'absent' : f.namespacePrefix,
    hasRefreshToken: typeof f.refreshToken === 'string' && f.refreshToken.length > 0,
    hasPrivateKey: typeof f.privateKey === 'string',
  };
}

/** The auth file `save()` wrote: its keys, and whether a token is in it in the clear. */
function authFile(username, ...secrets) {
  const file = path.join(cfg.home, '.sfdx', `${username}.json`);
  if (!fs.existsSync(file)) return { exists: false };
  const text = fs.readFileSync(file, 'utf8');
  return { exists: true, keys: Object.keys(JSON.parse(text)).sort(), clearSecret: secrets.some((s) => s && text.includes(s)) };
}

function otherKey() {
  const file = path.join(cfg.home, 'other-jwt.key');
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  fs.writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return file;
}

const jwtOptions = (over = {}) => ({ loginUrl: cfg.url, clientId: cfg.clientId, privateKeyFile: cfg.jwtKey, ...over });

const scenarios = [];
const scenario = (name, fn) => scenarios.push([name, fn]);
const shared = {};

// `sf org login jwt` with what goes wrong most: a wrong consumer key, a key that is not the certificate's, a user
// of no org. Runs first: the library refuses a second login of a username it has a file for.
scenario('jwt_errors', async () => {
  const attempt = async (over, username = cfg.username) => {
    lookups.length = 0;
    const err = await caught(() => AuthInfo.create({ username, oauth2Options: jwtOptions(over) }));
    return { ...err, lookups: [...new Set(lookups)].sort() };
  };
  return {
    unknownClient: await attempt({ clientId: '3MVG9NoSuchConsumerKey' }),
    wrongKey: await attempt({ privateKeyFile: otherKey() }),
    unknownUser: await attempt({}, 'nobody@mockown.test'),
    noFile: authFile(cfg.username).exists,
  };
});

// `sf org login web` with a bad code (the code exchange's error), `sf org login device` with an unknown client id,
// and a refresh token the server does not know (a stored auth that was revoked)
scenario('other_errors', async () => {
  const code = await caught(() =>
    AuthInfo.create({
      oauth2Options: {
        loginUrl: cfg.url,
        clientId: cfg.webClientId,
        redirectUri: `http://localhost:${cfg.oauthPort}/OauthRedirect`,
        authCode: 'aPrxNotACode',
      },
    })
  );
  const device = await DeviceOauthService.create({ loginUrl: cfg.url, clientId: '3MVG9NoSuchConsumerKey' });
  const deviceStart = await caught(() => device.requestDeviceLogin());
  const refresh = await caught(() =>
    AuthInfo.create({ oauth2Options: { loginUrl: cfg.url, clientId: 'PlatformCLI', refreshToken: '5Aep861NotAToken' } })
  );
  return { badCode: code, deviceUnknownClient: deviceStart, badRefresh: refresh };
});

scenario('jwt_login', async () => {
  lookups.length = 0;
  const authInfo = await AuthInfo.create({ username: cfg.username, oauth2Options: jwtOptions() });
  await authInfo.save();
  const conn = await Connection.create({ authInfo });
  const users = await conn.query(`SELECT Id, Username FROM User WHERE Username = '${cfg.username}'`);
  const limits = await conn.limits();
  const token = authInfo.getFields(true).accessToken;
  const versions = await (await fetch(`${cfg.url}/services/data`)).json();
  shared.jwt = { authInfo, conn };
  return {
    stored: stored(authInfo),
    file: authFile(cfg.username, token),
    tokenOrg: token.split('!')[0],
    apiVersion: conn.getApiVersion(),
    serverMaxVersion: versions.map((v) => v.version).sort((a, b) => Number(a) - Number(b)).pop(),
    users: users.records.map((r) => ({ Id: r.Id, Username: r.Username })),
    dailyMax: limits.DailyApiRequests.Max,
    lookups: [...new Set(lookups)],
  };
});

// a JWT connection has no refresh token: on a 401 the library signs a new assertion
scenario('jwt_relogin_after_revoke', async () => {
  const { authInfo, conn } = shared.jwt;
  const before = conn.accessToken;
  const revoked = await revoke(before);
  const result = await conn.query('SELECT Id FROM Organization');
  return {
    revoked,
    totalSize: result.totalSize,
    newToken: conn.accessToken !== before,
    savedIsCurrent: authInfo.getFields(true).accessToken === conn.accessToken,
    oldTokenStatus: await restStatus(conn.instanceUrl, before),
  };
});

// `sf org login web --client-id ...`: the library's own loopback server receives the redirect (PKCE on)
scenario('web_login', async () => {
  const server = await WebOAuthServer.create({ oauthConfig: { loginUrl: cfg.url, clientId: cfg.webClientId } });
  await server.start();
  const authzUrl = new URL(server.getAuthorizationUrl());
  const done = server.authorizeAndSave();
  const back = await loginPage(authzUrl.href, cfg.webUser, cfg.webPassword);
  // the browser follows to the CLI's server, which answers 303 to its own /OauthSuccess page once the auth is saved
  const landed = await fetch(back.href);
  const page = await landed.text();
  const authInfo = await done;
  const fields = authInfo.getFields(true);
  shared.web = { authInfo };
  return {
    authorize: {
      path: authzUrl.pathname,
      responseType: authzUrl.searchParams.get('response_type'),
      prompt: authzUrl.searchParams.get('prompt'),
      scope: authzUrl.searchParams.get('scope'),
      challenge: authzUrl.searchParams.has('code_challenge'),
      redirectUri: authzUrl.searchParams.get('redirect_uri'),
    },
    redirectedTo: `${back.origin}${back.pathname}`,
    hasCode: back.searchParams.has('code'),
    landed: { status: landed.status, path: new URL(landed.url).pathname, success: page.includes('Authentication Successful') },
    stored: stored(authInfo),
    file: authFile(cfg.webUser, fields.accessToken, fields.refreshToken),
  };
});

// the stored web login's access token is revoked behind its back: the Connection refreshes and retries
scenario('web_refresh_after_revoke', async () => {
  const authInfo = await AuthInfo.create({ username: cfg.webUser }); // from the auth file, as every `sf` command
  const conn = await Connection.create({ authInfo });
  const before = conn.accessToken;
  const refreshBefore = authInfo.getFields(true).refreshToken;
  const revoked = await revoke(before);
  const result = await conn.query('SELECT Id, Username FROM User');
  const reread = await AuthInfo.create({ username: cfg.webUser });
  return {
    revoked,
    usernames: result.records.map((r) => r.Username).sort(),
    newToken: conn.accessToken !== before,
    savedIsCurrent: reread.getFields(true).accessToken === conn.accessToken,
    sameRefreshToken: reread.getFields(true).refreshToken === refreshBefore,
    oldTokenStatus: await restStatus(conn.instanceUrl, before),
  };
});

// `sf org login device`: start, one poll while the user has not approved yet, approval, the auth saved
scenario('device_login', async () => {
  const service = await DeviceOauthService.create({ loginUrl: cfg.url });
  const login = await service.requestDeviceLogin();
  const approval = service.awaitDeviceApproval(login);
  await new Promise((r) => setTimeout(r, 300)); // its first poll: authorization_pending
  const polledBefore = service.pollingCount;
  await control('POST', 'salesforce/device/approve', { user_code: login.user_code, username: cfg.deviceUser, decision: 'allow' });
  const approved = await approval;
  const authInfo = await service.authorizeAndSave(approved);
  const conn = await Connection.create({ authInfo });
  const identity = await conn.identity();
  return {
    start: {
      keys: Object.keys(login).sort(),
      userCode: /^[A-Z0-9]{8}$/.test(login.user_code),
      verificationUri: login.verification_uri,
      interval: login.interval,
    },
    waitedOnce: polledBefore === 0 && service.pollingCount >= 1,
    approvedKeys: Object.keys(approved).sort(),
    stored: stored(authInfo),
    identityUsername: identity.username,
  };
});

// the session timeout passes (the server's clock moves 3 h): a stored web login renews by its refresh token
scenario('stored_auth_after_session_timeout', async () => {
  const authInfo = await AuthInfo.create({ username: cfg.webUser });
  const conn = await Connection.create({ authInfo });
  const before = conn.accessToken;
  await control('POST', 'clock', { advance: '3h' });
  const expired = await restStatus(conn.instanceUrl, before);
  const result = await conn.query('SELECT Id FROM Organization');
  return { expired, totalSize: result.totalSize, newToken: conn.accessToken !== before };
});

(async () => {
  for (const [name, fn] of scenarios) {
    try {
      report(name, await fn());
    } catch (err) {
      report(name, { error: errorOf(err), stack: String(err && err.stack).split('\n').slice(0, 6) });
    }
  }
  report('warnings', { warnings: [...new Set(warnings)].sort() });
  process.exit(0); // the library's loggers and file watchers would keep the process up
})();
