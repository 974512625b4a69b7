// The secret that signs session cookies and citizens' reply links. Production sets
// SESSION_SECRET; the embedded default (`guichet start`) keeps a random one in DATA_DIR,
// made on its first start, so that a demo exposed on a network has no published secret.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import { t } from '../i18n';

export const SECRET_FILE = 'session-secret';

/** The secret kept in `dataDir` (made there once, readable by its owner only). */
export function keptSessionSecret(dataDir: string): string {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, SECRET_FILE);
  try {
    // 'wx': two processes starting at once do not both write one; the second reads the first's.
    fs.writeFileSync(file, `${crypto.randomBytes(48).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw err;
    }
  }
  fs.chmodSync(file, 0o600);
  const secret = fs.readFileSync(file, 'utf8').trim();
  if (secret.length < 32) {
    throw new Error(t('cli.config.shortSecret', { file }));
  }
  return secret;
}

export const MISSING_SECRET = t('cli.config.missingSecret');

/** The configured secret; never a default: without one nothing may be signed. */
export function sessionSecretOf(config: Pick<Config, 'sessionSecret'>): string {
  if (!config.sessionSecret) {
    throw new Error(MISSING_SECRET);
  }
  return config.sessionSecret;
}
