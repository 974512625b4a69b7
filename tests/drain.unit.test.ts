// The web drain's connection handling on a real HTTP server (Node's, with Express): the
// parts that need no Temporal, among them the grace period running out. The whole process
// under SIGTERM is tests/webShutdown.test.ts.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { CommandError } from '../src/commands/errors';
import { loadConfig } from '../src/config';
import { Drain } from '../src/web/drain';
import { RawConnection, refused } from './support/rawHttp';

async function serve(slowMs: number): Promise<{ drain: Drain; server: Server; port: number }> {
  const drain = new Drain();
  const app = express();
  app.use(drain.middleware);
  app.get('/readyz', (_req, res) => {
    res.status(drain.isDraining ? 503 : 200).json({ draining: drain.isDraining });
  });
  app.post('/slow', express.json(), async (_req, res) => {
    await new Promise((r) => setTimeout(r, slowMs));
    res.json({ done: true });
  });
  app.use((err: CommandError, _req: Request, res: Response, _next: NextFunction) => {
    res.status(err.status).json({ code: err.code, message: err.message });
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { drain, server, port: (server.address() as AddressInfo).port };
}

const slowRequest = async (port: number) => {
  const slow = new RawConnection(port);
  slow.write('POST /slow HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 2\r\nexpect: 100-continue\r\n\r\n');
  await slow.continued();
  slow.write('{}');
  return slow;
};

test('the request in flight ends with Connection: close, the idle connection closes, a late request gets a French 503, new connections are refused', async () => {
  const { drain, server, port } = await serve(1500);
  const late = new RawConnection(port);
  late.write('POST /slow HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 2\r\n');
  const idle = new RawConnection(port);
  idle.write('GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n');
  expect((await idle.answer()).status).toBe(200);
  const slow = await slowRequest(port);

  const stopped = drain.stop(server, 60_000);
  expect(await refused(port)).toBe(true);
  await idle.closed;
  late.write('\r\n{}');
  const refusal = await late.answer();
  expect(refusal.status).toBe(503);
  expect(refusal.headers.connection).toBe('close');
  expect(JSON.parse(refusal.body)).toEqual({ code: 'SHUTTING_DOWN', message: expect.stringContaining("Ce serveur s'arrête") });

  const done = await slow.answer();
  expect(done.status).toBe(200);
  expect(JSON.parse(done.body)).toEqual({ done: true });
  expect(done.headers.connection).toBe('close');
  await stopped;
  await slow.closed;
});

test('past the grace period the request still running is cut, and the drain ends', async () => {
  const { drain, server, port } = await serve(600_000);
  const slow = await slowRequest(port);
  await drain.stop(server, 200);
  await slow.closed;
  await expect(slow.answer()).rejects.toThrow(/connection closed/);
});

test('SHUTDOWN_GRACE_SECONDS: 25 by default, whole seconds from 1 to 3600, anything else refused in French', () => {
  expect(loadConfig({}).shutdownGraceSeconds).toBe(25);
  expect(loadConfig({ SHUTDOWN_GRACE_SECONDS: '90' }).shutdownGraceSeconds).toBe(90);
  for (const raw of ['0', '-5', '2.5', '25s', '3601']) {
    expect(() => loadConfig({ SHUTDOWN_GRACE_SECONDS: raw })).toThrow(`SHUTDOWN_GRACE_SECONDS doit être un nombre entier de secondes, de 1 à 3600 (reçu « ${raw} »)`);
  }
});
