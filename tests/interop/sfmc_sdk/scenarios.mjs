#!/usr/bin/env node
// sfmc-sdk (the Marketing Cloud SDK behind Accenture's mcdev), unmodified, against a running `mockown serve --tls`
// (tests/interop/test_sfmc_sdk.py runs it).
//
//   node scenarios.mjs CONFIG_JSON
//
// CONFIG_JSON: {"home": "<dir holding node_modules/sfmc-sdk>", "url": "https://127.0.0.1:<port>", "ca": "<CA PEM>",
//               "subdomain", "clientId", "clientSecret", "mid", "otherMid", "foreignMid"}
// sfmc-sdk accepts only an auth_url of the form https://<28 chars>.auth.marketingcloudapis.com/, so the script
// keeps the real host names and hands the SDK's own axios instance an HTTPS agent that connects every
// *.marketingcloudapis.com request to the mock (the Host header and TLS SNI stay the real names; the mock's
// certificate, from its local CA, covers them). Nothing in the SDK is changed.
// Prints one JSON line per scenario: {"scenario": NAME, ...what it saw} or {"scenario": NAME, "error": {...}}.
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const cfg = JSON.parse(process.argv[2]);
const lib = (name) => pathToFileURL(path.join(cfg.home, 'node_modules', 'sfmc-sdk', 'lib', name)).href;
const { default: SDK } = await import(lib('index.js'));
const { axiosInstance } = await import(lib('util.js'));

const mock = new URL(cfg.url);
class ToMock extends https.Agent {
  createConnection(options, callback) {
    const real = options.servername || options.host;
    if (!/\.marketingcloudapis\.com$/.test(real)) throw new Error(`not a Marketing Cloud host: ${real}`);
    return super.createConnection({ ...options, host: mock.hostname, port: Number(mock.port), servername: real }, callback);
  }
}
const agent = new ToMock({ ca: fs.readFileSync(cfg.ca), keepAlive: false });
axiosInstance.defaults.httpsAgent = agent;

const authUrl = `https://${cfg.subdomain}.auth.marketingcloudapis.com/`;
const requests = [];
axiosInstance.interceptors.request.use((config) => {
  requests.push({ method: config.method, url: new URL(config.url, config.baseURL).href, data: config.data });
  return config;
});

function report(scenario, seen) {
  process.stdout.write(JSON.stringify({ scenario, ...seen }) + '\n');
}

function errorOf(err) {
  return {
    name: err && err.name,
    code: err && err.code,
    message: String(err && err.message),
    status: err && err.response && err.response.status,
    body: err && err.response && err.response.data,
  };
}

async function refused(promise) {
  try {
    return { notRefused: await promise };
  } catch (err) {
    return errorOf(err);
  }
}

function sdkFor(overrides = {}, handlers = {}) {
  return new SDK(
    { client_id: cfg.clientId, client_secret: cfg.clientSecret, auth_url: authUrl, account_id: cfg.mid, ...overrides },
    { eventHandlers: handlers },
  );
}

/** GET /v2/userinfo on the auth host with a bare token: {status, body}. */
async function userinfo(token) {
  try {
    const res = await axiosInstance.get(`${authUrl}v2/userinfo`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: res.data };
  } catch (err) {
    return { status: err.response && err.response.status, body: err.response && err.response.data };
  }
}

async function control(method, route, body) {
  const res = await axiosInstance.request({ method, url: `https://${mock.host}/_mockown/${route}`, data: body,
    httpsAgent: new https.Agent({ ca: fs.readFileSync(cfg.ca) }) });
  return res.data;
}

const scenarios = {
  async client_credentials() {
    requests.length = 0;
    let refreshes = 0;
    const sdk = sdkFor({}, { onRefresh: () => (refreshes += 1) });
    const a = await sdk.auth.getAccessToken();
    const sent = requests.map((r) => ({ ...r, data: typeof r.data === 'string' ? JSON.parse(r.data) : r.data }));
    const first = a.access_token; // getAccessToken hands back its one auth object, updated in place
    const again = (await sdk.auth.getAccessToken()).access_token; // reused: no second request
    const tokenRequests = requests.length;
    const info = await userinfo(first);
    return {
      keys: Object.keys(a).sort(),
      tokenType: a.token_type,
      expiresIn: a.expires_in,
      restInstanceUrl: a.rest_instance_url,
      soapInstanceUrl: a.soap_instance_url,
      hasRefreshToken: 'refresh_token' in a,
      tokenSegments: a.access_token.split('.').length,
      sent: sent.map((r) => ({ method: r.method, url: r.url, keys: Object.keys(r.data).sort(), grant: r.data.grant_type, accountId: r.data.account_id })),
      reused: again === first,
      tokenRequests,
      refreshes,
      memberId: info.body && info.body.organization && info.body.organization.member_id,
      userinfoStatus: info.status,
    };
  },

  async force_refresh_keeps_the_old_token() {
    const sdk = sdkFor();
    const a = (await sdk.auth.getAccessToken()).access_token;
    const b = (await sdk.auth.getAccessToken(true)).access_token;
    return { differs: a !== b, oldStatus: (await userinfo(a)).status, newStatus: (await userinfo(b)).status };
  },

  async account_id_and_scope() {
    const sdk = sdkFor({ account_id: String(cfg.otherMid), scope: ['email_read', 'email_write'] });
    const t = await sdk.auth.getAccessToken();
    const info = await userinfo(t.access_token);
    return { scope: t.scope, memberId: info.body.organization.member_id };
  },

  async refused() {
    const badSecret = await refused(sdkFor({ client_secret: 'wrong' }).auth.getAccessToken());
    const foreignMid = await refused(sdkFor({ account_id: cfg.foreignMid }).auth.getAccessToken());
    return { badSecret, foreignMid };
  },

  async rest_call_on_the_instance_url() {
    // mockown emulates auth only: a REST call on rest_instance_url reaches the mock, which has no such resource
    requests.length = 0;
    let refreshes = 0;
    const sdk = sdkFor({}, { onRefresh: () => (refreshes += 1) });
    const outcome = await refused(sdk.rest.get('/platform/v1/endpoints'));
    return { outcome, urls: requests.map((r) => r.url), refreshes };
  },

  async server_clock_past_expiry() {
    // sfmc-sdk renews only at expiry by its own (monotonic) clock: the mock's clock moving on does not make it ask
    const sdk = sdkFor();
    const a = (await sdk.auth.getAccessToken()).access_token;
    await control('POST', 'clock', { advance: '1h' });
    const stale = (await sdk.auth.getAccessToken()).access_token;
    const forced = (await sdk.auth.getAccessToken(true)).access_token;
    return {
      sameToken: stale === a,
      staleStatus: (await userinfo(a)).status,
      forcedDiffers: forced !== a,
      forcedStatus: (await userinfo(forced)).status,
    };
  },
};

for (const [name, run] of Object.entries(scenarios)) {
  try {
    report(name, await run());
  } catch (err) {
    report(name, { error: errorOf(err), stack: String(err && err.stack).split('\n').slice(0, 4) });
  }
}
