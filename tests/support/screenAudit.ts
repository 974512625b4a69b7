// The screen checks of tests/screens.test.ts: what a page must be at any width, measured in
// Chromium (overflow, checkboxes beside their labels, contrast, axe, French-only text), and
// where its screenshots go.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { axeResults } from './browser';

/** The two widths every page is checked at: a phone and a common office screen. */
export const WIDTHS = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1366, height: 768 },
] as const;

export const MIN_CONTRAST = 4.5;

/**
 * Words that betray an untranslated or broken UI (a library's default text, a value printed
 * raw). Whole words, case-sensitive: « Annuler » or « nul » do not match.
 */
export const ENGLISH_WORDS = [
  'Choose', 'Submit', 'Cancel', 'Error', 'Loading', 'undefined', 'null', 'NaN', '[object Object]',
  'Invalid Date', 'Search', 'Save', 'Delete', 'Edit', 'Next', 'Previous', 'Back', 'Close', 'Login', 'Logout',
  'Sign in', 'Sign out', 'Password', 'Required', 'Settings', 'Download', 'Upload', 'Browse', 'Untitled', 'true', 'false',
];

/** Where the screenshots go: SCREENSHOTS_DIR, else tests/.tmp/screens/<database> (the path .ci/run prints). */
export function screenshotsDir(): string {
  const database = (process.env.DATABASE_URL ?? '').startsWith('mysql') ? 'mariadb' : 'sqlite';
  return process.env.SCREENSHOTS_DIR || path.resolve(__dirname, '../.tmp/screens', database);
}

/**
 * Whether this run leaves screenshots: the SQLite run does, or any run given SCREENSHOTS_DIR.
 * The pages are the same on MariaDB, and its run (the longer of CI's two, side by side) would
 * spend about a minute drawing them again; its checks (screenProblems) still run on every page.
 */
export function takesScreenshots(): boolean {
  return Boolean(process.env.SCREENSHOTS_DIR) || !(process.env.DATABASE_URL ?? '').startsWith('mysql');
}

/** A full-page screenshot named after the page and the width, e.g. `agent-home-390.png` (none on MariaDB, see takesScreenshots). */
export async function screenshot(page: Page, name: string, width: number): Promise<void> {
  if (!takesScreenshots()) return;
  const dir = screenshotsDir();
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}-${width}.png`), fullPage: true });
}

/**
 * Everything wrong with the page as it stands, one readable line per problem (an empty list
 * is the expected answer).
 */
export async function screenProblems(page: Page): Promise<string[]> {
  await page.evaluate(IN_PAGE);
  const own = await page.evaluate(
    ([words, min]) => (globalThis as unknown as { screenAudit: ScreenAudit }).screenAudit.problems(words, min),
    [ENGLISH_WORDS, MIN_CONTRAST] as const,
  );
  return [...own, ...(await axeProblems(page))];
}

/**
 * axe, strictly: a violation of any impact fails, and so does a contrast axe could not decide
 * (« to review »: over a background it cannot see through) unless our own computation, which
 * blends the ancestors' backgrounds, finds it readable.
 */
async function axeProblems(page: Page): Promise<string[]> {
  const { violations, incomplete } = await axeResults(page);
  const problems = violations.map((v) => `axe ${v.impact ?? ''} ${v.id} (${v.help}) at ${v.targets.join(', ')}`);
  for (const review of incomplete.filter((r) => r.id === 'color-contrast')) {
    for (const target of review.targets) {
      const verdict = await page.evaluate(
        ([selector, min]) => (globalThis as unknown as { screenAudit: ScreenAudit }).screenAudit.contrastOf(selector, min),
        [target, MIN_CONTRAST] as const,
      );
      if (verdict !== null) problems.push(`axe color-contrast to review at ${target}: ${verdict}`);
    }
  }
  return problems;
}

interface ScreenAudit {
  problems(words: readonly string[], min: number): string[];
  /** null when the element's text reaches `min` against its blended background, else why not */
  contrastOf(selector: string, min: number): string | null;
}

/**
 * The checks that run in the page, as a script (the tests are compiled without the DOM's
 * types, and the page's CSP does not govern what the DevTools protocol evaluates).
 */
const IN_PAGE = String.raw`(() => {
  if (globalThis.screenAudit) return;
  const parse = (c) => {
    const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(c);
    return m ? [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])] : [0, 0, 0, 0];
  };
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat(1);
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => { const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const hex = (c) => '#' + c.slice(0, 3).map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');
  // The background the text is drawn on: the ancestors' colours blended from the page (white) up.
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) layers.push(parse(getComputedStyle(e).backgroundColor));
    return layers.reverse().reduce((under, top) => over(top, under), [255, 255, 255, 1]);
  };
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    for (const c of el.classList) s += '.' + c;
    const parent = el.parentElement && el.parentElement !== document.body ? el.parentElement : null;
    return parent ? (parent.id ? '#' + parent.id : parent.tagName.toLowerCase() + [...parent.classList].map((c) => '.' + c).join('')) + ' > ' + s : s;
  };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return false;
    const style = getComputedStyle(el);
    return style.visibility !== 'hidden' && style.display !== 'none' && el.checkVisibility({ opacityProperty: true, visibilityProperty: true });
  };
  const words = (el) => (el.innerText || el.value || '').replace(/\s+/g, ' ').trim().slice(0, 60);
  // The elements that paint text inside el (el itself and its descendants holding a text node).
  const textHolders = (el) => {
    const holders = new Set();
    if (el.tagName === 'INPUT') holders.add(el);
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) if (n.textContent.trim()) holders.add(n.parentElement);
    return [...holders].filter(visible);
  };
  const contrastLine = (el, holder, min) => {
    const bg = background(holder);
    const fg = over(parse(getComputedStyle(holder).color), bg);
    const r = ratio(fg, bg);
    return r >= min ? null : describe(el) + ' « ' + words(el) + ' »: text ' + hex(fg) + ' on ' + hex(bg) + ', contrast ' + r.toFixed(2) + ':1 < ' + min;
  };
  const labelOf = (input) => [...(input.labels || [])].find(visible);
  // The label's text box: the label itself, or its text alone when it wraps the input.
  const labelBox = (label, input) => {
    if (!label.contains(input)) return label.getBoundingClientRect();
    const range = document.createRange();
    const rects = [];
    const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.textContent.trim()) continue;
      range.selectNodeContents(n);
      rects.push(...range.getClientRects());
    }
    return rects[0] || label.getBoundingClientRect();
  };
  globalThis.screenAudit = {
    problems(englishWords, min) {
      const out = [];
      const root = document.documentElement;
      if (root.scrollWidth > root.clientWidth) {
        // The culprits: past the right edge and not inside a box that scrolls or clips them (unless
        // positioned, which escapes such a box when it is not positioned itself).
        const clipped = (e) => {
          for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) if (getComputedStyle(a).overflowX !== 'visible') return true;
          return false;
        };
        const wide = [...document.body.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > root.clientWidth + 1 &&
          (!clipped(e) || ['absolute', 'fixed'].includes(getComputedStyle(e).position)));
        const outermost = wide.filter((e) => !wide.includes(e.parentElement)).slice(0, 3).map(describe);
        out.push('overflow: the page is ' + root.scrollWidth + ' px wide for ' + root.clientWidth + ' px (too wide: ' + outermost.join(', ') + ')');
      }
      for (const input of document.querySelectorAll('input[type=checkbox], input[type=radio]')) {
        if (!visible(input)) continue;
        const label = labelOf(input);
        if (!label) continue;
        const a = input.getBoundingClientRect();
        const b = labelBox(label, input);
        const sameLine = a.top < b.bottom && b.top < a.bottom;
        const gap = b.left >= a.right ? b.left - a.right : a.left >= b.right ? a.left - b.right : 0;
        if (!sameLine || gap >= 16) {
          out.push('label: ' + describe(input) + ' and its label « ' + words(label) + ' » are ' + (sameLine ? Math.round(gap) + ' px apart' : 'not on one line') +
            ' (box ' + Math.round(a.left) + ',' + Math.round(a.top) + ' ' + Math.round(a.width) + '×' + Math.round(a.height) + '; label ' + Math.round(b.left) + ',' + Math.round(b.top) + ')');
        }
      }
      for (const el of document.querySelectorAll('a[href], button, input[type=submit], input[type=button], summary')) {
        if (!visible(el) || el.disabled) continue;
        for (const holder of textHolders(el)) {
          const line = contrastLine(el, holder, min);
          if (line) { out.push('contrast: ' + line); break; }
        }
      }
      const attributes = [...document.querySelectorAll('[placeholder], [aria-label], [title], [alt], input[type=submit], input[type=button]')]
        .flatMap((e) => ['placeholder', 'aria-label', 'title', 'alt', 'value'].map((a) => (a === 'value' && e.tagName !== 'INPUT' ? null : e.getAttribute(a))).filter(Boolean));
      const text = [document.title, document.body.innerText, ...attributes].join('\n');
      for (const word of englishWords) {
        const escaped = word.replace(/[.*+?^$\{\}()|[\]\\]/g, '\\$&');
        const m = new RegExp('(^|[^\\p{L}\\p{N}_])' + escaped + '(?![\\p{L}\\p{N}_])', 'u').exec(text);
        if (m) out.push('english: « ' + word + ' » in « ' + text.slice(Math.max(0, m.index - 30), m.index + word.length + 30).replace(/\s+/g, ' ').trim() + ' »');
      }
      return out;
    },
    contrastOf(selector, min) {
      const el = document.querySelector(selector);
      if (!el) return 'no element ' + selector;
      for (const holder of textHolders(el).concat(visible(el) ? [el] : [])) {
        const line = contrastLine(el, holder, min);
        if (line) return line;
      }
      return null;
    },
  };
})()`;
