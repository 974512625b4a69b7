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

/** `t('errors.ALREADY_TAKEN', { assignee: 'A. Martin' })`; an unknown key prints itself. */
export function t(key: string, params: Record<string, string | number> = {}): string {
  let node: string | Messages | undefined = messages;
  for (const part of key.split('.')) {
    node = typeof node === 'object' ? node[part] : undefined;
  }
  if (typeof node !== 'string') {
    return key;
  }
  return node.replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(params[name] ?? ''));
}
