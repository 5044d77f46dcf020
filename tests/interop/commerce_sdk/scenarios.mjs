#!/usr/bin/env node
// commerce-sdk-isomorphic (Salesforce's B2C Commerce SDK), its SLAS `helpers` used as storefronts use them,
// against a running `mockown serve` (tests/interop/test_commerce_sdk.py runs it).
//
//   node scenarios.mjs CONFIG_JSON
//
// CONFIG_JSON: {"home": "<dir holding node_modules/commerce-sdk-isomorphic>", "url": "<mockown base URL>",
//               "shortCode", "organizationId", "siteId", "publicClient", "privateClient", "privateSecret",
//               "strictClient", "strictSecret", "redirectURI", "username", "password"}
// Prints one JSON line per scenario: {"scenario": NAME, ...what it saw} or {"scenario": NAME, "error": {...}}.
import { createRequire } from 'node:module';

const cfg = JSON.parse(process.argv[2]);
const require = createRequire(`${cfg.home}/`);
const { ShopperLogin, helpers } = require('commerce-sdk-isomorphic');

const slasClient = (clientId) =>
  new ShopperLogin({
    // the SDK keeps its own path (/shopper/auth/v1/organizations/...) under the proxy's path
    proxy: `${cfg.url}/b2c/${cfg.shortCode}`,
    parameters: { shortCode: cfg.shortCode, organizationId: cfg.organizationId, clientId, siteId: cfg.siteId },
    throwOnBadResponse: true,
  });
const publicClient = () => slasClient(cfg.publicClient);
const privateClient = () => slasClient(cfg.privateClient);

function report(scenario, seen) {
  process.stdout.write(JSON.stringify({ scenario, ...seen }) + '\n');
}

/** What the SDK raised: its ResponseError carries the fetch Response. */
async function errorOf(err) {
  const res = err && err.response;
  if (!res) return { name: err && err.name, message: String(err && err.message) };
  const text = await res.text();
  let body = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, contentType: res.headers.get('content-type'), body };
}

async function refused(promise) {
  try {
    const value = await promise;
    return { notRefused: value };
  } catch (err) {
    return errorOf(err);
  }
}

const b64url = (s) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));

/** The token response as the tests check it: shapes, not secrets. */
function shape(t) {
  const [header, payload] = t.access_token.split('.');
  const claims = b64url(payload);
  return {
    keys: Object.keys(t).sort(),
    tokenType: t.token_type,
    expiresIn: t.expires_in,
    refreshExpiresIn: t.refresh_token_expires_in,
    usid: t.usid,
    customerId: t.customer_id,
    encUserId: t.enc_user_id,
    idpAccessToken: t.idp_access_token,
    jwtHeader: b64url(header),
    jwtSub: claims.sub,
    jwtIsb: claims.isb,
    idTokenParts: t.id_token ? t.id_token.split('.').length : 0,
  };
}

async function userinfo(token) {
  const res = await fetch(
    `${cfg.url}/b2c/${cfg.shortCode}/shopper/auth/v1/organizations/${cfg.organizationId}/oauth2/userinfo`,
    { headers: { authorization: `Bearer ${token}` } },
  );
  const text = await res.text();
  let body = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body };
}

const scenarios = {
  async guest_private() {
    const t = await helpers.loginGuestUserPrivate({
      slasClient: privateClient(),
      parameters: {},
      credentials: { clientSecret: cfg.privateSecret },
    });
    // a returning guest: the SDK passes its saved usid and gets the same session back
    const again = await helpers.loginGuestUserPrivate({
      slasClient: privateClient(),
      parameters: { usid: t.usid, dnt: true },
      credentials: { clientSecret: cfg.privateSecret },
    });
    const badSecret = await refused(
      helpers.loginGuestUserPrivate({ slasClient: privateClient(), parameters: {}, credentials: { clientSecret: 'nope' } }),
    );
    return { ...shape(t), againUsid: again.usid, againDnt: again.dnt, badSecret };
  },

  async guest_public() {
    const t = await helpers.loginGuestUser({
      slasClient: publicClient(),
      parameters: { redirectURI: cfg.redirectURI },
    });
    const again = await helpers.loginGuestUser({
      slasClient: publicClient(),
      parameters: { redirectURI: cfg.redirectURI, usid: t.usid },
    });
    const badRedirect = await refused(
      helpers.loginGuestUser({ slasClient: publicClient(), parameters: { redirectURI: 'http://evil.test/cb' } }),
    );
    return { ...shape(t), againUsid: again.usid, badRedirect };
  },

  async registered_public() {
    const guest = await helpers.loginGuestUser({ slasClient: publicClient(), parameters: { redirectURI: cfg.redirectURI } });
    const t = await helpers.loginRegisteredUserB2C({
      slasClient: publicClient(),
      credentials: { username: cfg.username, password: cfg.password },
      parameters: { redirectURI: cfg.redirectURI, usid: guest.usid },
    });
    const info = await userinfo(t.access_token);
    return { ...shape(t), guestUsid: guest.usid, userinfo: info };
  },

  async registered_private() {
    // the SDK's 1-second rule: a second login of the same shopper within a second is a 409 at SLAS
    await new Promise((r) => setTimeout(r, 1100));
    const t = await helpers.loginRegisteredUserB2C({
      slasClient: privateClient(),
      credentials: { username: cfg.username, password: cfg.password, clientSecret: cfg.privateSecret },
      parameters: { redirectURI: cfg.redirectURI },
    });
    await new Promise((r) => setTimeout(r, 1100));
    const badPassword = await refused(
      helpers.loginRegisteredUserB2C({
        slasClient: publicClient(),
        credentials: { username: cfg.username, password: 'wrong' },
        parameters: { redirectURI: cfg.redirectURI },
      }),
    );
    return { ...shape(t), badPassword };
  },

  async refresh_public() {
    await new Promise((r) => setTimeout(r, 1100));
    const t = await helpers.loginRegisteredUserB2C({
      slasClient: publicClient(),
      credentials: { username: cfg.username, password: cfg.password },
      parameters: { redirectURI: cfg.redirectURI },
    });
    const r = await helpers.refreshAccessToken({ slasClient: publicClient(), parameters: { refreshToken: t.refresh_token } });
    const reuse = await refused(
      helpers.refreshAccessToken({ slasClient: publicClient(), parameters: { refreshToken: t.refresh_token } }),
    );
    const next = await helpers.refreshAccessToken({ slasClient: publicClient(), parameters: { refreshToken: r.refresh_token } });
    return {
      ...shape(r),
      rotated: r.refresh_token !== t.refresh_token,
      sameUsid: r.usid === t.usid,
      sameCustomer: r.customer_id === t.customer_id,
      newAccess: r.access_token !== t.access_token,
      reuse,
      nextRotated: next.refresh_token !== r.refresh_token,
    };
  },

  async refresh_private() {
    const t = await helpers.loginGuestUserPrivate({
      slasClient: privateClient(),
      parameters: {},
      credentials: { clientSecret: cfg.privateSecret },
    });
    const r = await helpers.refreshAccessToken({
      slasClient: privateClient(),
      parameters: { refreshToken: t.refresh_token },
      credentials: { clientSecret: cfg.privateSecret },
    });
    const again = await helpers.refreshAccessToken({
      slasClient: privateClient(),
      parameters: { refreshToken: t.refresh_token },
      credentials: { clientSecret: cfg.privateSecret },
    });
    return {
      ...shape(r),
      sameRefresh: r.refresh_token === t.refresh_token && again.refresh_token === t.refresh_token,
      sameUsid: r.usid === t.usid,
      newAccess: r.access_token !== t.access_token,
    };
  },

  async logout() {
    await new Promise((r) => setTimeout(r, 1100));
    const t = await helpers.loginRegisteredUserB2C({
      slasClient: publicClient(),
      credentials: { username: cfg.username, password: cfg.password },
      parameters: { redirectURI: cfg.redirectURI },
    });
    const before = await userinfo(t.access_token);
    const out = await helpers.logout({
      slasClient: publicClient(),
      parameters: { accessToken: t.access_token, refreshToken: t.refresh_token },
    });
    const after = await userinfo(t.access_token);
    const refreshAfter = await refused(
      helpers.refreshAccessToken({ slasClient: publicClient(), parameters: { refreshToken: t.refresh_token } }),
    );
    return { beforeStatus: before.status, logout: out, afterStatus: after.status, refreshAfter };
  },

  async client_methods() {
    // ShopperLogin's own methods (no helper): discovery, jwks, userinfo, introspect and revoke (Basic: the caller
    // passes the header, as the SDK's docs say)
    const client = privateClient();
    const basic = { authorization: `Basic ${Buffer.from(`${cfg.privateClient}:${cfg.privateSecret}`).toString('base64')}` };
    const t = await helpers.loginGuestUserPrivate({ slasClient: client, parameters: {}, credentials: { clientSecret: cfg.privateSecret } });
    const discovery = await client.getWellknownOpenidConfiguration();
    const jwks = await client.getJwksUri();
    const info = await client.getUserInfo({ headers: { authorization: `Bearer ${t.access_token}` } });
    const active = await client.introspectToken({ headers: basic, body: { token: t.refresh_token, token_type_hint: 'refresh_token' } });
    const revoked = await client.revokeToken({ headers: basic, body: { token: t.refresh_token, token_type_hint: 'refresh_token' } });
    const inactive = await client.introspectToken({ headers: basic, body: { token: t.refresh_token } });
    const refreshAfter = await refused(
      helpers.refreshAccessToken({ slasClient: client, parameters: { refreshToken: t.refresh_token }, credentials: { clientSecret: cfg.privateSecret } }),
    );
    return {
      issuer: discovery.issuer,
      tokenEndpoint: discovery.token_endpoint,
      challengeMethods: discovery.code_challenge_methods_supported,
      jwksKeys: jwks.keys.map((k) => [k.kty, k.crv, k.use]),
      userinfoCustomer: info.customer_id === t.customer_id,
      active: { active: active.active, token_type: active.token_type, client_id: active.client_id },
      revokedKeys: Object.keys(revoked).sort(),
      inactive,
      refreshAfter,
    };
  },

  async strict_client() {
    // Strict Client Auth wants x-slas-client-auth on /login and /authorize; the SDK never sends it, so only the
    // token endpoint (Basic) works for such a client
    const strict = slasClient(cfg.strictClient);
    const guest = await helpers.loginGuestUserPrivate({
      slasClient: strict,
      parameters: {},
      credentials: { clientSecret: cfg.strictSecret },
    });
    await new Promise((r) => setTimeout(r, 1100));
    const login = await refused(
      helpers.loginRegisteredUserB2C({
        slasClient: strict,
        credentials: { username: cfg.username, password: cfg.password, clientSecret: cfg.strictSecret },
        parameters: { redirectURI: cfg.redirectURI },
      }),
    );
    return { guestCustomer: guest.customer_id.length, guestSub: b64url(guest.access_token.split('.')[1]).sub, login };
  },

  async passwordless() {
    // not emulated by mockown (out of scope in the spec notes): the SDK must get a clear refusal
    // authorizePasswordless hands back the fetch Response itself (no throw); getPasswordLessAccessToken throws
    const res = await helpers.authorizePasswordless({
      slasClient: privateClient(),
      credentials: { clientSecret: cfg.privateSecret },
      parameters: { callbackURI: cfg.redirectURI, userid: cfg.username, mode: 'callback' },
    });
    const text = await res.text();
    const token = await refused(
      helpers.getPasswordLessAccessToken({
        slasClient: privateClient(),
        credentials: { clientSecret: cfg.privateSecret },
        parameters: { pwdlessLoginToken: '12345678' },
      }),
    );
    return { login: { status: res.status, contentType: res.headers.get('content-type'), body: JSON.parse(text) }, token };
  },
};

for (const [name, run] of Object.entries(scenarios)) {
  try {
    report(name, await run());
  } catch (err) {
    report(name, { error: await errorOf(err), stack: String(err && err.stack).split('\n').slice(0, 4) });
  }
}
