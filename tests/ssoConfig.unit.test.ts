// The single sign-on settings (src/config.ts): what is missing or wrong is said in French
// before the server starts, never found out at an agent's first login.
import { loadConfig } from '../src/config';

const SSO = { OIDC_ISSUER: 'https://sso.mairie.example/realms/agents', OIDC_CLIENT_ID: 'guichet', OIDC_CLIENT_SECRET: 'secret', PUBLIC_URL: 'https://guichet.mairie.example' };

describe('single sign-on settings', () => {
  it('is off without OIDC_ISSUER, and password login on', () => {
    const config = loadConfig({});
    expect(config.sso).toBeNull();
    expect(config.passwordLogin).toBe(true);
  });

  it('reads the provider, with the return address and scopes by default', () => {
    const { sso } = loadConfig(SSO);
    expect(sso).toMatchObject({ clientId: 'guichet', clientSecret: 'secret', scopes: 'openid email profile', providerName: 'sso.mairie.example', trustEmail: false });
    expect(sso!.redirectUrl.href).toBe('https://guichet.mairie.example/connexion/oidc/retour');
    expect(loadConfig({ ...SSO, OIDC_SCOPES: 'openid,email', OIDC_PROVIDER_NAME: 'ProConnect', OIDC_TRUST_EMAIL: 'true' }).sso)
      .toMatchObject({ scopes: 'openid email', providerName: 'ProConnect', trustEmail: true });
  });

  it.each([
    [{ OIDC_CLIENT_ID: '' }, 'OIDC_CLIENT_ID ne l\'est pas'],
    [{ OIDC_CLIENT_SECRET: ' ' }, 'OIDC_CLIENT_SECRET ne l\'est pas'],
    [{ OIDC_ISSUER: 'sso.mairie.example' }, 'OIDC_ISSUER doit être une adresse web complète'],
    [{ OIDC_ISSUER: 'http://sso.mairie.example' }, 'OIDC_ISSUER doit commencer par https://'],
    [{ OIDC_REDIRECT_URL: 'http://guichet.mairie.example/connexion/oidc/retour' }, 'OIDC_REDIRECT_URL doit commencer par https://'],
    [{ OIDC_SCOPES: 'email profile' }, 'OIDC_SCOPES doit contenir « openid »'],
    [{ OIDC_TRUST_EMAIL: 'oui' }, 'OIDC_TRUST_EMAIL vaut true ou false'],
    [{ PASSWORD_LOGIN: 'non' }, 'PASSWORD_LOGIN vaut true ou false'],
  ])('refuses %j', (change, message) => {
    expect(() => loadConfig({ ...SSO, ...change })).toThrow(message);
  });

  it('accepts plain HTTP towards this machine only (a provider beside Guichet, the tests)', () => {
    expect(loadConfig({ ...SSO, OIDC_ISSUER: 'http://127.0.0.1:8080/realms/agents' }).sso!.issuer.host).toBe('127.0.0.1:8080');
  });

  it('turns password login off only when single sign-on can replace it', () => {
    expect(loadConfig({ ...SSO, PASSWORD_LOGIN: 'false' }).passwordLogin).toBe(false);
    expect(() => loadConfig({ PASSWORD_LOGIN: 'false' })).toThrow('plus personne ne pourrait se connecter');
  });
});
