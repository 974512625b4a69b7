import fs from 'node:fs';
import path from 'node:path';

// Only French for now. The messages of a locale are split by area into the JSON files of
// its folder (core.json, search.json…), merged at start; a second locale is a second folder.
// A message that depends on a number is an object of plural forms, { "one": "{{count}} demande",
// "other": "{{count}} demandes" }, chosen by the French plural rules on the `count` param
// (French puts 0 with 1: « 0 demande »). One form per category CLDR gives French, `other` required.
type Plural = { other: string } & Partial<Record<Intl.LDMLPluralRule, string>>;
type Messages = { [key: string]: string | Plural | Messages };

const PLURAL_CATEGORIES: readonly string[] = ['zero', 'one', 'two', 'few', 'many', 'other'];

/** Whether a node of the messages is a plural message (its keys are plural categories) rather than a folder of keys. */
export function isPlural(node: unknown): node is Plural {
  if (typeof node !== 'object' || node === null) return false;
  const entries = Object.entries(node);
  return typeof (node as { other?: unknown }).other === 'string'
    && entries.every(([k, v]) => PLURAL_CATEGORIES.includes(k) && typeof v === 'string');
}

function merge(into: Messages, from: Messages, file: string, prefix = ''): void {
  for (const [key, value] of Object.entries(from)) {
    const existing = into[key];
    if (typeof value === 'object' && typeof existing === 'object' && !isPlural(value) && !isPlural(existing)) {
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

const pluralRules = new Intl.PluralRules('fr');

/** The form of a plural message for `count`; without a number, a bug: the tests fail, production shows `other`. */
function pluralForm(key: string, plural: Plural, count: unknown): string {
  const n = Number(count);
  if (count === undefined || count === '' || Number.isNaN(n)) {
    if (strict) throw new Error(`i18n: the message « ${key} » depends on a number: pass count`);
    return plural.other;
  }
  return plural[pluralRules.select(n)] ?? plural.other;
}

// A page asks for a few hundred messages, each walked down from the root (isPlural reads
// every key of each level): the messages never change once loaded, so each key is walked once.
const found = new Map<string, string | Plural | Messages | undefined>();

function lookup(key: string): string | Plural | Messages | undefined {
  const known = found.get(key);
  if (known !== undefined) {
    return known;
  }
  let node: string | Plural | Messages | undefined = messages;
  for (const part of key.split('.')) {
    node = typeof node === 'object' && !isPlural(node) ? node[part] : undefined;
  }
  if (node !== undefined) {
    found.set(key, node); // only keys that exist: a key made of a request's input cannot grow the map
  }
  return node;
}

function fill(text: string, params: Record<string, string | number>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(params[name] ?? ''));
}

/**
 * `t('errors.ALREADY_TAKEN', { assignee: 'A. Martin' })`, `t('ui.list.count', { count: 4 })` for a
 * plural message; an unknown key fails the tests and prints itself in production.
 */
export function t(key: string, params: Record<string, string | number> = {}): string {
  let node = lookup(key);
  if (isPlural(node)) {
    node = pluralForm(key, node, params.count);
  }
  return typeof node === 'string' ? fill(node, params) : missing(key);
}

/** One form of a plural message, for the browser to choose (`{n}` filled in by guichet.js). */
export function tForm(key: string, form: 'one' | 'other', params: Record<string, string | number> = {}): string {
  const node = lookup(key);
  const text = isPlural(node) ? node[form] ?? node.other : undefined;
  return text === undefined ? missing(key) : fill(text, params);
}
