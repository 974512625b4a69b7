// Child process of the bench: the web server and/or the worker, configured by the
// environment like `guichet web` / `guichet worker`, but with the worker's logs at WARN
// and a message to the parent once it is ready.
import type { AddressInfo } from 'node:net';
import { DefaultLogger, Runtime as CoreRuntime } from '@temporalio/worker';
import { loadConfig } from '../src/config';
import { Runtime } from '../src/runtime';

export type Role = 'web' | 'worker';

export interface ReadyMessage {
  ready: true;
  /** the web server's port, when this child runs one */
  port: number | null;
}

async function serve(roles: Role[]): Promise<void> {
  // Thousands of workflow starts must not print thousands of INFO lines.
  CoreRuntime.install({ logger: new DefaultLogger('WARN') });
  const runtime = new Runtime(loadConfig(), () => undefined);
  process.once('SIGTERM', () => {
    runtime.close().then(() => process.exit(0), () => process.exit(1));
  });
  await runtime.openDatabase();
  await runtime.openTemporal(false);
  if (roles.includes('worker')) {
    await runtime.startWorker();
  }
  let port: number | null = null;
  if (roles.includes('web')) {
    const server = await runtime.startWeb();
    port = (server.address() as AddressInfo).port;
  }
  const ready: ReadyMessage = { ready: true, port };
  process.send?.(ready);
}

const roles = process.argv.slice(2).filter((r): r is Role => r === 'web' || r === 'worker');
serve(roles).catch((err: unknown) => {
  console.error(`bench child (${roles.join('+')}): ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
