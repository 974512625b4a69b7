import fs from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { __temporal?: { stop(): Promise<void> } }).__temporal;
  await server?.stop();
  if (process.env.GUICHET_TEST_BUNDLE) fs.rmSync(process.env.GUICHET_TEST_BUNDLE, { force: true });
}
