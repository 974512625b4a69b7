import fs from 'node:fs';
import type { TestDatabase } from './templateDatabase';

export default async function globalTeardown(): Promise<void> {
  const globals = globalThis as { __temporal?: { stop(): Promise<void> }; __template?: TestDatabase };
  await globals.__temporal?.stop();
  await globals.__template?.drop();
  // The workflow bundle stays: the other suite may be using it, and the next run reuses it.
  if (process.env.GUICHET_TEST_TEMPLATE) fs.rmSync(process.env.GUICHET_TEST_TEMPLATE, { force: true });
}
