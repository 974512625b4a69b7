// A real OpenID provider (oidc-provider, its development login pages) for the single
// sign-on tests, in a process of its own as a municipality's Keycloak would be.
// Argument: JSON { clientId, clientSecret, redirectUris, postLogoutRedirectUris, accounts }
// where accounts maps a login typed at its page to { email, email_verified }.
// Prints one line, JSON { issuer }, once it listens; stops on SIGTERM.
import http from 'node:http';
import Provider from 'oidc-provider';

const settings = JSON.parse(process.argv[2]);
const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: settings.clientId,
    client_secret: settings.clientSecret,
    redirect_uris: settings.redirectUris,
    post_logout_redirect_uris: settings.postLogoutRedirectUris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  // Any login typed at its page is an account: its subject; only those given have an address.
  async findAccount(_ctx, sub) {
    const account = settings.accounts[sub] ?? {};
    return { accountId: sub, claims: async () => ({ sub, ...account }) };
  },
  // Guichet is the municipality's own client: no consent page, as a Keycloak realm set up for it.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      return ctx.oidc.provider.Grant.find(grantId);
    }
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  cookies: { keys: ['guichet-test-provider-cookies'] },
});
provider.on('server_error', (_ctx, err) => console.error(err));
server.on('request', provider.callback());
process.on('SIGTERM', () => server.close(() => process.exit(0)));
console.log(JSON.stringify({ issuer }));
