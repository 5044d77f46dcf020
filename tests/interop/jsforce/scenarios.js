#!/usr/bin/env node
// jsforce, used as its users do, against a running `mockown serve` (tests/interop/test_jsforce.py runs it).
//
//   node scenarios.js CONFIG_JSON
//
// CONFIG_JSON: {"jsforce": "<dir holding node_modules/jsforce>", "url": "<mockown base URL>",
//               "username", "password", "securityToken", "clientId", "clientSecret", "redirectUri", "jwtKey"}
// Prints one JSON line per scenario: {"scenario": NAME, ...what it saw} or {"scenario": NAME, "error": {...}}.
// Scenarios run in order (later ones move the server's clock) and an error in one does not stop the next.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const cfg = JSON.parse(process.argv[2]);
const jsforce = require(path.join(cfg.jsforce, 'node_modules', 'jsforce'));

const oauth2Options = () => ({
  loginUrl: cfg.url,
  clientId: cfg.clientId,
  clientSecret: cfg.clientSecret,
  redirectUri: cfg.redirectUri,
});

function report(scenario, seen) {
  process.stdout.write(JSON.stringify({ scenario, ...seen }) + '\n');
}

function errorOf(err) {
  return { name: err && err.name, errorCode: err && err.errorCode, message: String(err && err.message) };
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

/** The REST API's answer to a bare token (no refresh): {status, body}. */
async function restWith(instanceUrl, token) {
  const res = await fetch(`${instanceUrl}/services/data/v50.0/limits`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.status, body: await res.text() };
}

/** A user at the login page: GET the authorization URL, log in on the form, follow nothing; the code. */
async function codeFromLoginPage(authzUrl, username, password) {
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

function jwtAssertion(now) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = b64({ alg: 'RS256', typ: 'JWT' });
  const claims = b64({ iss: cfg.clientId, sub: cfg.username, aud: 'https://login.salesforce.com', exp: now + 180 });
  const signature = crypto.sign('RSA-SHA256', Buffer.from(`${head}.${claims}`), fs.readFileSync(cfg.jwtKey));
  return `${head}.${claims}.${signature.toString('base64url')}`;
}

const scenarios = [];
const scenario = (name, fn) => scenarios.push([name, fn]);
const shared = {};

scenario('password_login', async () => {
  const conn = new jsforce.Connection({ oauth2: oauth2Options() });
  const info = await conn.login(cfg.username, cfg.password + cfg.securityToken);
  shared.conn = conn;
  return {
    userId: info.id,
    orgId: info.organizationId,
    idUrl: info.url,
    instanceUrl: conn.instanceUrl,
    tokenPrefix: conn.accessToken.split('!')[0],
    refreshToken: conn.refreshToken || null,
  };
});

scenario('identity', async () => {
  const who = await shared.conn.identity();
  // without the id URL of a login, jsforce reads `identity` from the version's resources
  const bare = new jsforce.Connection({ instanceUrl: shared.conn.instanceUrl, accessToken: shared.conn.accessToken });
  const again = await bare.identity();
  return {
    userId: who.user_id,
    orgId: who.organization_id,
    username: who.username,
    id: who.id,
    viaResources: { userId: again.user_id, orgId: again.organization_id, id: again.id },
  };
});

scenario('query', async () => {
  const users = await shared.conn.query('SELECT Id, Username FROM User');
  const one = await shared.conn.query(`SELECT Id, Name FROM User WHERE Username = '${cfg.username}'`);
  const org = await shared.conn.query('SELECT Id, Name FROM Organization');
  return {
    totalSize: users.totalSize,
    done: users.done,
    records: users.records.length,
    usernames: users.records.map((r) => r.Username).sort(),
    attributes: users.records[0].attributes,
    one: one.records.map((r) => ({ Id: r.Id, Name: r.Name })),
    org: org.records.map((r) => ({ Id: r.Id, Name: r.Name })),
  };
});

scenario('retrieve', async () => {
  const user = await shared.conn.sobject('User').retrieve(shared.conn.userInfo.id);
  return { Id: user.Id, Username: user.Username, type: user.attributes.type };
});

scenario('describe', async () => {
  const global = await shared.conn.describeGlobal();
  const user = await shared.conn.describe('User');
  const sobjectUser = await shared.conn.sobject('User').describe();
  return {
    sobjects: global.sobjects.map((s) => s.name).sort(),
    userName: user.name,
    userKeyPrefix: user.keyPrefix,
    userFields: user.fields.map((f) => f.name).slice(0, 3),
    sobjectUserName: sobjectUser.name,
  };
});

scenario('limits', async () => {
  const limits = await shared.conn.limits();
  return {
    dailyApiRequests: limits.DailyApiRequests,
    limitInfo: shared.conn.limitInfo,
  };
});

scenario('sobject_find', async () => {
  // jsforce's SOQL builder: SELECT Id, Username FROM User WHERE Username = '...' (and a LIMIT)
  const found = await shared.conn.sobject('User').find({ Username: cfg.username }, ['Id', 'Username']);
  const limited = await shared.conn.sobject('User').find({}, ['Id']).limit(2);
  const fetched = await shared.conn.query('SELECT Id FROM User').run({ autoFetch: true, maxFetch: 10 });
  return {
    found: found.map((r) => ({ Id: r.Id, Username: r.Username })),
    limited: limited.length,
    autoFetched: fetched.records.length,
  };
});

scenario('query_all_search_recent', async () => {
  // jsforce 3 has no conn.queryAll (1.x's): a Query with scanAll sends GET /queryAll
  const all = await shared.conn.query('SELECT Id, Username FROM User', { scanAll: true });
  const chained = await shared.conn.query('SELECT Id FROM Organization').scanAll(true).run({ autoFetch: true });
  const found = await shared.conn.search('FIND {Ada} IN NAME FIELDS RETURNING User(Id, Username)');
  const none = await shared.conn.search('FIND {nobody} RETURNING User(Id)');
  let badSearch = null;
  try {
    await shared.conn.search('FIND {Ada OR Ivan}');
  } catch (err) {
    badSearch = errorOf(err);
  }
  const resources = await shared.conn.request(`/services/data/v${shared.conn.version}`);
  return {
    queryAll: { totalSize: all.totalSize, done: all.done, usernames: all.records.map((r) => r.Username).sort() },
    scanAllOrg: chained.records.length,
    searchRecords: found.searchRecords.map((r) => ({ Id: r.Id, Username: r.Username, type: r.attributes.type })),
    noneFound: none.searchRecords.length,
    badSearch,
    recent: await shared.conn.recent(),
    recentLimited: await shared.conn.recent(5),
    resources: Object.keys(resources).sort(),
  };
});

scenario('auto_fetch_pages', async () => {
  // an org of 250 users, read in batches of 200 (Sforce-Query-Options): jsforce follows nextRecordsUrl
  const users = Array.from({ length: 250 }, (_, i) => ({ username: `page${i}@paging.test` }));
  users[0].password = 'Page-Passw0rd';
  const app = { client_id: 'PagingApp', client_secret: 'PagingSecret', username_password_allowed: true };
  await control('POST', 'seed', { salesforce: { orgs: [{ name: 'Paging', users, apps: [app] }] } });
  const conn = new jsforce.Connection({
    oauth2: { loginUrl: cfg.url, clientId: app.client_id, clientSecret: app.client_secret, redirectUri: cfg.redirectUri },
  });
  await conn.login('page0@paging.test', 'Page-Passw0rd');
  const headers = { 'Sforce-Query-Options': 'batchSize=200' };
  const soql = 'SELECT Id FROM User';
  const first = await conn.query(soql, { headers });
  const all = await conn.query(soql, { headers, autoFetch: true, maxFetch: 1000 });
  const scanned = await conn.query(soql, { headers, autoFetch: true, maxFetch: 1000, scanAll: true });
  const more = await conn.queryMore(first.nextRecordsUrl, { headers });
  return {
    first: { totalSize: first.totalSize, done: first.done, records: first.records.length },
    nextRecordsUrl: first.nextRecordsUrl,
    autoFetched: all.records.length,
    distinct: new Set(all.records.map((r) => r.Id)).size,
    scanAllFetched: scanned.records.length,
    more: { done: more.done, records: more.records.length },
  };
});

scenario('rest_errors', async () => {
  const caught = async (fn) => {
    try {
      await fn();
      return null;
    } catch (err) {
      return errorOf(err);
    }
  };
  return {
    badField: await caught(() => shared.conn.query('SELECT Nope FROM User')),
    badType: await caught(() => shared.conn.query('SELECT Id FROM Nope')),
    missing: await caught(() => shared.conn.sobject('User').retrieve('005000000000000AAA')),
    badLogin: await caught(() => new jsforce.Connection({ oauth2: oauth2Options() }).login(cfg.username, 'wrong')),
  };
});

scenario('no_api_scope_is_not_refreshed', async () => {
  // a token without `api`: 401 "This session is not valid for use with the REST API", which jsforce must not
  // take for an expired session (it would refresh forever)
  const oauth2 = new jsforce.OAuth2(oauth2Options());
  const back = await codeFromLoginPage(oauth2.getAuthorizationUrl({ scope: 'id refresh_token' }), cfg.username, cfg.password);
  const conn = new jsforce.Connection({ oauth2 });
  await conn.authorize(back.searchParams.get('code'));
  const events = [];
  conn.on('refresh', (accessToken) => events.push(accessToken));
  let refused = null;
  try {
    await conn.limits();
  } catch (err) {
    refused = errorOf(err);
  }
  return { refreshEvents: events.length, refused };
});

scenario('web_server_flow', async () => {
  const oauth2 = new jsforce.OAuth2(oauth2Options());
  const url = oauth2.getAuthorizationUrl({ scope: 'api refresh_token id', state: 'hello' });
  const back = await codeFromLoginPage(url, cfg.username, cfg.password);
  const conn = new jsforce.Connection({ oauth2 });
  const info = await conn.authorize(back.searchParams.get('code'));
  const who = await conn.identity();
  shared.webConn = conn;
  return {
    authzPath: new URL(url).pathname,
    redirectedTo: `${back.origin}${back.pathname}`,
    state: back.searchParams.get('state'),
    userId: info.id,
    orgId: info.organizationId,
    hasRefreshToken: typeof conn.refreshToken === 'string' && conn.refreshToken.length > 0,
    identityUsername: who.username,
  };
});

scenario('web_server_flow_pkce', async () => {
  const oauth2 = new jsforce.OAuth2({ ...oauth2Options(), useVerifier: true });
  const url = oauth2.getAuthorizationUrl({ state: 'pkce' });
  const back = await codeFromLoginPage(url, cfg.username, cfg.password);
  const conn = new jsforce.Connection({ oauth2 });
  const info = await conn.authorize(back.searchParams.get('code'));
  // the same code again: spent (jsforce raises the token endpoint's `error` as the Error's name)
  let reuse = null;
  try {
    await new jsforce.Connection({ oauth2 }).authorize(back.searchParams.get('code'));
  } catch (err) {
    reuse = errorOf(err);
  }
  return {
    sentChallenge: new URL(url).searchParams.has('code_challenge'),
    sentMethod: new URL(url).searchParams.get('code_challenge_method'),
    userId: info.id,
    reuse,
  };
});

scenario('public_app_pkce_like_the_sf_cli', async () => {
  // `sf org login web`: the PlatformCLI app, no secret, PKCE (useVerifier), a local callback; then a refresh
  const oauth2 = new jsforce.OAuth2({
    loginUrl: cfg.url,
    clientId: 'PlatformCLI',
    redirectUri: 'http://localhost:1717/OauthRedirect',
    useVerifier: true,
  });
  const back = await codeFromLoginPage(oauth2.getAuthorizationUrl({ state: 'cli', scope: 'refresh_token api web' }),
    cfg.username, cfg.password);
  const conn = new jsforce.Connection({ oauth2 });
  const info = await conn.authorize(back.searchParams.get('code'));
  const refreshed = await oauth2.refreshToken(conn.refreshToken);
  const who = await new jsforce.Connection({ instanceUrl: refreshed.instance_url, accessToken: refreshed.access_token }).identity();
  return {
    redirectedTo: `${back.origin}${back.pathname}`,
    userId: info.id,
    refreshedIdUrlUser: refreshed.id.split('/').pop(),
    refreshedHasInstanceUrl: typeof refreshed.instance_url === 'string',
    identityUsername: who.username,
  };
});

scenario('jwt_bearer', async () => {
  const clock = await control('GET', 'clock');
  const now = Math.floor(clock.now); // the server's clock (epoch seconds), which a test may have moved
  const conn = new jsforce.Connection({ oauth2: oauth2Options() });
  const info = await conn.authorize({
    grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
    assertion: jwtAssertion(now),
  });
  const limits = await conn.limits();
  return {
    userId: info.id,
    orgId: info.organizationId,
    refreshToken: conn.refreshToken || null,
    dailyMax: limits.DailyApiRequests.Max,
  };
});

scenario('refresh_after_revoke', async () => {
  // the web-server connection holds a refresh token: its access token is revoked behind its back
  const conn = shared.webConn;
  const before = conn.accessToken;
  const events = [];
  conn.on('refresh', (accessToken) => events.push(accessToken));
  const revoked = await fetch(`${cfg.url}/services/oauth2/revoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: before }).toString(),
  });
  const result = await conn.query('SELECT Id FROM Organization');
  return {
    revokeStatus: revoked.status,
    refreshEvents: events.length,
    newTokenDiffers: conn.accessToken !== before,
    eventTokenIsCurrent: events[0] === conn.accessToken,
    totalSize: result.totalSize,
    oldTokenRest: (await restWith(conn.instanceUrl, before)).status,
  };
});

scenario('refresh_after_clock_advance', async () => {
  // past the app's session timeout (2h): both connections' sessions end; each renews its own way
  const conn = shared.webConn;
  const before = conn.accessToken;
  const pwBefore = shared.conn.accessToken;
  const events = [];
  conn.on('refresh', (accessToken) => events.push(accessToken));
  const pwEvents = [];
  shared.conn.on('refresh', (accessToken) => pwEvents.push(accessToken));
  await control('POST', 'clock', { advance: '3h' });
  const expiredRest = await restWith(conn.instanceUrl, before);
  const result = await conn.query('SELECT Id FROM User');
  const limits = await shared.conn.limits(); // a password login renews by logging in again
  return {
    expiredStatus: expiredRest.status,
    expiredBody: JSON.parse(expiredRest.body),
    refreshEvents: events.length,
    newTokenDiffers: conn.accessToken !== before,
    totalSize: result.totalSize,
    passwordRefreshEvents: pwEvents.length,
    passwordTokenDiffers: shared.conn.accessToken !== pwBefore,
    dailyMax: limits.DailyApiRequests.Max,
  };
});

scenario('revoke_token', async () => {
  const oauth2 = new jsforce.OAuth2(oauth2Options());
  const conn = new jsforce.Connection({ oauth2 });
  await conn.login(cfg.username, cfg.password + cfg.securityToken);
  const token = conn.accessToken;
  await oauth2.revokeToken(token);
  const after = await restWith(conn.instanceUrl, token);
  let again = null;
  try {
    await oauth2.revokeToken('not-a-token');
  } catch (err) {
    again = errorOf(err);
  }
  return { restStatus: after.status, restBody: JSON.parse(after.body), unknownToken: again };
});

scenario('logout', async () => {
  const conn = shared.webConn;
  const access = conn.accessToken;
  const instanceUrl = conn.instanceUrl;
  await conn.logout();
  const cleared = conn.accessToken === null && conn.refreshToken === null;
  const accessAfter = await restWith(instanceUrl, access);
  // a fresh web-server connection logs out revoking its refresh token: the refresh grant is refused after
  const oauth2 = new jsforce.OAuth2(oauth2Options());
  const back = await codeFromLoginPage(oauth2.getAuthorizationUrl({ scope: 'api refresh_token' }), cfg.username, cfg.password);
  const second = new jsforce.Connection({ oauth2 });
  await second.authorize(back.searchParams.get('code'));
  const refresh = second.refreshToken;
  await second.logout(true);
  let refreshAfter = null;
  try {
    await oauth2.refreshToken(refresh);
  } catch (err) {
    refreshAfter = errorOf(err);
  }
  return { cleared, accessAfterStatus: accessAfter.status, refreshAfter };
});

// SOAP login() (no OAuth2 client settings): POST <loginUrl>/services/Soap/u/<version>, the session id as the bearer
// token, then logout() by SOAP with the SessionHeader; a wrong password is the fault's faultstring.
scenario('soap_login', async () => {
  const conn = new jsforce.Connection({ loginUrl: cfg.url, version: '59.0' });
  const info = await conn.login(cfg.username, cfg.password + cfg.securityToken);
  const session = conn.accessToken;
  const instanceUrl = conn.instanceUrl;
  const limits = await conn.limits();
  await conn.logout();
  const after = await restWith(instanceUrl, session);
  let wrong = null;
  try {
    await new jsforce.Connection({ loginUrl: cfg.url, version: '59.0' }).login(cfg.username, 'wrong');
  } catch (err) {
    wrong = errorOf(err);
  }
  let v65 = null;
  try {
    await new jsforce.Connection({ loginUrl: cfg.url, version: '65.0' }).login(cfg.username, cfg.password);
  } catch (err) {
    v65 = errorOf(err);
  }
  return {
    userId: info.id, orgId: info.organizationId, idUrl: info.url, instanceUrl,
    tokenPrefix: session.split('!')[0], dailyMax: limits.DailyApiRequests.Max,
    cleared: conn.accessToken === null, afterStatus: after.status, afterBody: JSON.parse(after.body), wrong, v65,
  };
});

(async () => {
  for (const [name, fn] of scenarios) {
    try {
      report(name, await fn());
    } catch (err) {
      report(name, { error: errorOf(err), stack: String(err && err.stack).split('\n').slice(0, 4) });
    }
  }
})();
