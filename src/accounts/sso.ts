import * as oidc from 'openid-client';
import type { SsoConfig } from '../config';
import type { SsoIdentity } from './ssoAgent';

/** What the session keeps between the redirect to the provider and the agent's return. */
export interface PendingSso {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** the page asked for before login */
  retour: string;
}

/** A login through the provider that could not finish, and why (a page of sso.refused each). */
export class SsoFailure extends Error {
  constructor(readonly reason: 'EXPIRED' | 'PROVIDER' | 'UNREACHABLE', cause?: unknown) {
    super(reason, { cause });
  }
}

/**
 * A network failure or a timeout, as opposed to an answer that says no. By name, not
 * instanceof: fetch's errors may come from another realm (a test runner's).
 */
function isUnreachable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) {
    return false;
  }
  const { name, cause } = err as { name?: unknown; cause?: unknown };
  return ['TypeError', 'AbortError', 'TimeoutError'].includes(String(name)) || isUnreachable(cause);
}

/**
 * The authorization code flow with PKCE, state and nonce, against the provider that
 * OIDC_ISSUER names (openid-client). Its metadata is read once per process, on first use,
 * and read again after a failure: a provider down at start does not need a restart.
 */
export class SsoClient {
  private discovered?: Promise<oidc.Configuration>;

  constructor(readonly settings: SsoConfig) {}

  /** The issuer as stored beside the agents it identified. */
  get issuer(): string {
    return this.settings.issuer.href;
  }

  private configuration(): Promise<oidc.Configuration> {
    const { issuer, clientId, clientSecret } = this.settings;
    // http:// passed config validation only towards this machine.
    const options = { timeout: 10, execute: issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [] };
    this.discovered ??= oidc.discovery(issuer, clientId, clientSecret, undefined, options).catch((err: unknown) => {
      this.discovered = undefined;
      throw new SsoFailure(isUnreachable(err) ? 'UNREACHABLE' : 'PROVIDER', err);
    });
    return this.discovered;
  }

  /** Where to send the agent, and what to keep in their session until they come back. */
  async start(retour: string): Promise<{ url: URL; pending: PendingSso }> {
    const config = await this.configuration();
    const pending = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier(), retour };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUrl.href,
      scope: this.settings.scopes,
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url, pending };
  }

  /** The provider's answer (the query of /connexion/oidc/retour) checked and exchanged for who logged in. */
  async finish(pending: PendingSso, query: URLSearchParams): Promise<SsoIdentity & { idToken: string }> {
    // Checked here too so that a replayed or altered answer says « expired », not « provider ».
    if (query.get('state') !== pending.state) {
      throw new SsoFailure('EXPIRED');
    }
    const config = await this.configuration();
    // Built on the configured address, not the Host header: it is the redirect_uri sent back.
    const current = new URL(this.settings.redirectUrl.href);
    current.search = query.toString();
    try {
      const tokens = await oidc.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: pending.codeVerifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true,
      });
      const claims = tokens.claims()!;
      let { email, email_verified: verified } = claims;
      // Some providers (ProConnect) give the address only at the userinfo endpoint.
      if (typeof email !== 'string' && config.serverMetadata().userinfo_endpoint) {
        ({ email, email_verified: verified } = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub));
      }
      const address = typeof email === 'string' ? email : null;
      return {
        subject: claims.sub,
        email: address,
        emailVerified: address !== null && (verified === true || this.settings.trustEmail),
        idToken: tokens.id_token!,
      };
    } catch (err) {
      throw new SsoFailure(isUnreachable(err) ? 'UNREACHABLE' : 'PROVIDER', err);
    }
  }

  /** The provider's logout page, when it has one (end_session_endpoint), coming back to Guichet's login page. */
  async logoutUrl(idToken: string): Promise<URL | null> {
    try {
      const config = await this.configuration();
      if (!config.serverMetadata().end_session_endpoint) {
        return null;
      }
      return oidc.buildEndSessionUrl(config, {
        id_token_hint: idToken,
        post_logout_redirect_uri: new URL('/connexion', this.settings.redirectUrl).href,
        state: oidc.randomState(),
      });
    } catch {
      // The provider unreachable: the Guichet session is over all the same.
      return null;
    }
  }
}

const clients = new WeakMap<SsoConfig, SsoClient>();

/** One client per configuration, so that its discovery is shared by every request of the process. */
export function ssoClientOf(settings: SsoConfig): SsoClient {
  let client = clients.get(settings);
  if (!client) {
    client = new SsoClient(settings);
    clients.set(settings, client);
  }
  return client;
}
