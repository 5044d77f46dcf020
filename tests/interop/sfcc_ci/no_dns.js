// Loaded with `node --require` before sfcc-ci's own cli.js (tests/interop/test_sfcc_ci.py), which stays unmodified:
// every name lookup other than localhost (or an IP address) fails at once with ENOTFOUND, as on a machine without
// DNS, and the name is appended to the file named by $INTEROP_LOOKUP_LOG (one per line). So no request of the CLI
// leaves the machine (sfcc-ci sends some calls to hosts it hard-codes: account.demandware.com on a renewal,
// admin.dx.commercecloud.salesforce.com for sandboxes), and the test sees which it tried.
'use strict';

const dns = require('dns');
const fs = require('fs');
const net = require('net');
const util = require('util');

const log = process.env.INTEROP_LOOKUP_LOG;
if (!log) throw new Error('no_dns.js: INTEROP_LOOKUP_LOG is not set');

const realLookup = dns.lookup;
dns.lookup = function lookup(host, options, callback) {
  const cb = typeof options === 'function' ? options : callback;
  if (host === 'localhost' || net.isIP(host)) return realLookup.call(dns, host, options, callback);
  fs.appendFileSync(log, `${host}\n`);
  const err = new Error(`getaddrinfo ENOTFOUND ${host}`);
  err.code = 'ENOTFOUND';
  err.hostname = host;
  process.nextTick(cb, err);
  return undefined;
};
// util.promisify(dns.lookup) resolves {address, family}, as the real one's custom promisified form does
dns.lookup[util.promisify.custom] = (host, options = {}) =>
  new Promise((resolve, reject) =>
    dns.lookup(host, options, (err, address, family) =>
      err ? reject(err) : resolve(options.all ? address : { address, family })
    )
  );
// the promises form too (sfcc-ci does not use it; nothing else may go around the rule)
const realPromiseLookup = dns.promises.lookup;
dns.promises.lookup = async (host, options) => {
  if (host === 'localhost' || net.isIP(host)) return realPromiseLookup.call(dns.promises, host, options);
  fs.appendFileSync(log, `${host}\n`);
  const err = new Error(`getaddrinfo ENOTFOUND ${host}`);
  err.code = 'ENOTFOUND';
  err.hostname = host;
  throw err;
};
