// Every message key the code uses exists in src/locales/fr, and every key defined there is
// used. Keys are found in the source as literals: t('a.b'), {{t "a.b"}}, (t 'a.b'), and any
// quoted string shaped like a key (tables pass keys around as strings). A key built at run
// time (t(`event.${type}`), (concat 'ui.due.' kind), `${words}.title` with words a literal
// 'ui.account.reset') is known by its static prefix: every key under that prefix counts as used.
import fs from 'node:fs';
import path from 'node:path';
import { isPlural, t } from '../src/i18n';

const ROOT = path.join(__dirname, '..');
const LOCALES = path.join(ROOT, 'src', 'locales', 'fr');

type Messages = { [key: string]: string | Messages };

/** The keys of the messages; a plural message ({ one, other }) is one key, not a folder. */
function leaves(node: Messages, prefix = ''): string[] {
  return Object.entries(node).flatMap(([k, v]) => (typeof v === 'string' || isPlural(v) ? [`${prefix}${k}`] : leaves(v, `${prefix}${k}.`)));
}

/** The plural messages, by key. */
function plurals(node: Messages, prefix = ''): [string, Record<string, string>][] {
  return Object.entries(node).flatMap(([k, v]) => {
    if (typeof v === 'string') return [];
    return isPlural(v) ? [[`${prefix}${k}`, v as Record<string, string>]] : plurals(v, `${prefix}${k}.`);
  });
}

function files(dir: string, ext: RegExp): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'locales' ? [] : files(full, ext);
    return ext.test(e.name) ? [full] : [];
  });
}

const trees = fs.readdirSync(LOCALES).filter((f) => f.endsWith('.json')).sort()
  .map((f) => JSON.parse(fs.readFileSync(path.join(LOCALES, f), 'utf8')) as Messages);
const defined = trees.flatMap((tree) => leaves(tree));
const definedSet = new Set(defined);
const namespaces = new Set(defined.map((k) => k.split('.')[0]));

const sources = [
  ...files(path.join(ROOT, 'src'), /\.ts$/),
  ...files(path.join(ROOT, 'workflows'), /\.ts$/),
  ...files(path.join(ROOT, 'bench'), /\.ts$/),
  ...files(path.join(ROOT, 'views'), /\.hbs$/),
];

/** A source without its comments: a key named in a comment is not a use. */
function code(file: string): string {
  const text = fs.readFileSync(file, 'utf8');
  if (file.endsWith('.hbs')) return text.replace(/\{\{!--[\s\S]*?--\}\}|\{\{![\s\S]*?\}\}/g, '');
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

const literals = new Map<string, string>(); // literal key → first file using it
const prefixes = new Map<string, string>(); // static prefix of a key built at run time → file
const KEY = /^[A-Za-z][\w-]*(\.[\w-]+)+\.?$/;
for (const file of sources) {
  const rel = path.relative(ROOT, file);
  const text = code(file);
  // Quoted strings shaped like a key of a known namespace: 'ui.a.b', "status.X".
  for (const m of text.matchAll(/(['"])([A-Za-z][\w.-]*)\1/g)) {
    const s = m[2];
    if (!KEY.test(s) || !namespaces.has(s.split('.')[0])) continue;
    if (s.endsWith('.') || !definedSet.has(s) && defined.some((k) => k.startsWith(`${s}.`))) prefixes.set(s.endsWith('.') ? s : `${s}.`, rel);
    else if (!literals.has(s)) literals.set(s, rel);
  }
  // Template literals whose static head names a namespace: `event.${type}`, `ui.codes.intro_${list}`.
  for (const m of text.matchAll(/`([A-Za-z][\w.-]*)\$\{/g)) {
    if (namespaces.has(m[1].split('.')[0]) && m[1].includes('.')) prefixes.set(m[1], rel);
  }
}

describe('the French messages', () => {
  it('has every key the code uses', () => {
    const absent = [...literals].filter(([key]) => !definedSet.has(key)).map(([key, file]) => `${key} (${file})`);
    expect(absent).toEqual([]);
  });

  it('uses every key it defines, directly or under a prefix built at run time', () => {
    const dynamic = [...prefixes.keys()].sort();
    // Shown for a newcomer: these prefixes make their whole subtree « used ».
    console.info(`Keys built at run time, by prefix:\n${[...prefixes].sort().map(([p, f]) => `  ${p}…  (${f})`).join('\n')}`);
    expect(dynamic.length).toBeGreaterThan(0);
    // countText (src/web/viewHelpers.ts) says a capped count with the key's `…More` form.
    const capped = (key: string) => key.endsWith('More') && literals.has(key.slice(0, -'More'.length));
    const unused = defined.filter((key) => !literals.has(key) && !capped(key) && !dynamic.some((p) => key.startsWith(p)));
    expect(unused).toEqual([]);
  });

  it('fails on a missing key instead of printing it', () => {
    expect(() => t('ui.no.such.key')).toThrow(/ui\.no\.such\.key/);
    expect(t('ui.appName')).not.toBe('ui.appName');
  });

  it('words « (s) » nowhere: a message that depends on a number has its plural forms', () => {
    const texts = (node: Messages, prefix = ''): [string, string][] => Object.entries(node).flatMap(([k, v]): [string, string][] =>
      (typeof v === 'string' ? [[`${prefix}${k}`, v]] : texts(v, `${prefix}${k}.`)));
    const wordy = trees.flatMap((tree) => texts(tree)).filter(([, text]) => /\p{L}\((s|e|es|nt)\)/u.test(text));
    expect(wordy.map(([key]) => key)).toEqual([]);
  });

  it('gives every plural message the forms French needs (one, other)', () => {
    const found = trees.flatMap((tree) => plurals(tree));
    expect(found.length).toBeGreaterThan(0);
    for (const [key, forms] of found) {
      expect([key, Object.keys(forms).sort()]).toEqual([key, ['one', 'other']]);
    }
  });

  it('chooses the plural form by the count, French style: 0 and 1 singular, 2 and more plural', () => {
    expect(t('ui.list.count', { count: 0 })).toBe('0 demande');
    expect(t('ui.list.count', { count: 1 })).toBe('1 demande');
    expect(t('ui.list.count', { count: 2 })).toBe('2 demandes');
    expect(t('ui.list.count', { count: 1500 })).toBe('1500 demandes');
    expect(() => t('ui.list.count')).toThrow(/count/);
  });
});
