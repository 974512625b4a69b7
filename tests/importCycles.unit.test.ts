// The code reads one way: no module of src/ or workflows/ imports, through any chain,
// a module that imports it back. A loop (render → refresh → session → render, once)
// makes the load order decide what is undefined, and the way through the code double back.
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

function sourcesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sourcesUnder(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

/** The local modules a file imports for their values (`import type` is erased, so no loop). */
function importsOf(file: string): string[] {
  const code = fs.readFileSync(file, 'utf8');
  const specs = [...code.matchAll(/^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"](\.[^'"]+)['"]/gm)].map((m) => m[1]);
  return specs.flatMap((spec) => {
    const base = path.resolve(path.dirname(file), spec);
    const found = [`${base}.ts`, path.join(base, 'index.ts')].find((f) => fs.existsSync(f));
    return found ? [found] : [];
  });
}

/** Every cycle found by a depth-first walk, each as the chain of files that closes it. */
export function importCycles(files: string[]): string[][] {
  const graph = new Map(files.map((f) => [f, importsOf(f)]));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const next of graph.get(f) ?? []) {
      if (state.get(next) === 'open') {
        cycles.push([...stack.slice(stack.indexOf(next)), next].map((p) => path.relative(ROOT, p)));
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) {
    if (!state.has(f)) visit(f);
  }
  return cycles;
}

test('the imports of src/ and workflows/ form no loop', () => {
  const files = [...sourcesUnder(path.join(ROOT, 'src')), ...sourcesUnder(path.join(ROOT, 'workflows'))];
  expect(files.length).toBeGreaterThan(100);
  expect(importCycles(files)).toEqual([]);
});

test('the check sees a loop when there is one', () => {
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'cycles-'));
  fs.writeFileSync(path.join(dir, 'a.ts'), "import { b } from './b';\nexport const a = () => b;\n");
  fs.writeFileSync(path.join(dir, 'b.ts'), "import type { X } from './c';\nimport { a } from './a';\nexport const b = a;\n");
  fs.writeFileSync(path.join(dir, 'c.ts'), "import { b } from './b';\nexport type X = typeof b;\n");
  const cycles = importCycles(['a.ts', 'b.ts', 'c.ts'].map((f) => path.join(dir, f)));
  expect(cycles.map((c) => c.map((f) => path.basename(f)))).toEqual([['a.ts', 'b.ts', 'a.ts']]);
});
