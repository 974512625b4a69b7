import fs from 'node:fs';
import path from 'node:path';

// Only French for now. The messages of a locale are split by area into the JSON files of
// its folder (core.json, search.json…), merged at start; a second locale is a second folder.
type Messages = { [key: string]: string | Messages };

function merge(into: Messages, from: Messages, file: string, prefix = ''): void {
  for (const [key, value] of Object.entries(from)) {
    const existing = into[key];
    if (typeof value === 'object' && typeof existing === 'object') {
      merge(existing, value, file, `${prefix}${key}.`);
    } else if (existing !== undefined) {
      throw new Error(`${file}: the message ${prefix}${key} is defined twice`);
    } else {
      into[key] = value;
    }
  }
}

function load(locale: string): Messages {
  const dir = path.join(__dirname, 'locales', locale);
  const messages: Messages = {};
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    merge(messages, JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Messages, file);
  }
  return messages;
}

const messages = load('fr');

// Under the tests a missing key is a bug to fail on; in production the page still shows
// something (the key itself) and the log says so, once per key.
const strict = process.env.JEST_WORKER_ID !== undefined || process.env.NODE_ENV === 'test';
const reported = new Set<string>();

function missing(key: string): string {
  if (strict) throw new Error(`i18n: no message for the key « ${key} » in src/locales/fr`);
  if (!reported.has(key)) {
    reported.add(key);
    console.error(`i18n: no message for the key ${key}; the key is shown instead`);
  }
  return key;
}

/** `t('errors.ALREADY_TAKEN', { assignee: 'A. Martin' })`; an unknown key fails the tests and prints itself in production. */
export function t(key: string, params: Record<string, string | number> = {}): string {
  let node: string | Messages | undefined = messages;
  for (const part of key.split('.')) {
    node = typeof node === 'object' ? node[part] : undefined;
  }
  if (typeof node !== 'string') {
    return missing(key);
  }
  return node.replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(params[name] ?? ''));
}
