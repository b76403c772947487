// A real OpenID Connect provider for the tests: node `oidc-provider` (installed by .ci/run
// into $HOME/.cache/motcua/oidc), on a loopback port. Usage:
//   node provider.mjs <node_modules dir> '<json config>'
// config: { clients: [...], accounts: { "<login>": { claims } }, idTokenTtl, clockLagSecs, port }
// With its development login pages any login name signs in as that account (any password).
// clockLagSecs sets this provider's clock back (a provider whose clock is wrong: the ID
// tokens it issues are already expired). Prints "listening <issuer>" once it serves.
import http from 'node:http';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';

const [modules, raw] = process.argv.slice(2);
const cfg = JSON.parse(raw);
if (cfg.clockLagSecs) {
  const real = Date.now;
  Date.now = () => real() - cfg.clockLagSecs * 1000;
}
const { default: Provider } = await import(pathToFileURL(`${modules}/oidc-provider/lib/index.js`).href);

const server = http.createServer();
await new Promise((ok) => server.listen(cfg.port || 0, '127.0.0.1', ok));
const issuer = `http://127.0.0.1:${server.address().port}`;

// A signing key of its own at each start: a restart on the same port is a key rotation.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const key = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients: cfg.clients,
  jwks: { keys: [key] },
  // Every claim with scope `openid` (the national SSO's observed scope): they reach the
  // client through userinfo, as conformIdTokenClaims keeps them out of the ID token.
  claims: { openid: ['sub', 'name', 'birthdate', 'citizen_id', 'email'] },
  acrValues: ['LoA1', 'LoA2'],
  pkce: { methods: ['S256'], required: () => true },
  ttl: { IdToken: cfg.idTokenTtl || 3600, AuthorizationCode: 60, Interaction: 3600, Session: 86400, Grant: 86400, AccessToken: 3600 },
  cookies: { keys: ['motcua-test-cookie-key'] },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  async findAccount(ctx, id) {
    const account = cfg.accounts[id];
    if (!account) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...account }; } };
  },
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));
server.on('request', provider.callback());
console.log(`listening ${issuer}`);
