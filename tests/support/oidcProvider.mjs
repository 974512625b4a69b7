// A real OpenID provider (oidc-provider, its development login pages) for the single
// sign-on tests, in a process of its own as a municipality's Keycloak would be.
// Argument: JSON { clientId, clientSecret, redirectUri, postLogoutRedirectUri, accounts }
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
    redirect_uris: [settings.redirectUri],
    post_logout_redirect_uris: [settings.postLogoutRedirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  // Any login typed at its page is an account: its subject; only those given have an address.
  async findAccount(_ctx, sub) {
    const account = settings.accounts[sub] ?? {};
    return { accountId: sub, claims: async () => ({ sub, ...account }) };
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
