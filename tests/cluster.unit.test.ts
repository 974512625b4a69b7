// The cluster's parts that need no Temporal server: the TCP proxy (round-robin, a dead
// backend skipped, a dying backend's connections cut) with real sockets, the port plan,
// and the node configurations generated from a sample shaped like the server module's.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { writeNodeConfig, HISTORY_SHARDS } from '../src/cluster/nodeConfig';
import { allPorts, planPorts } from '../src/cluster/ports';
import { TcpProxy } from '../src/cluster/proxy';
import { storeOf } from '../src/cluster/store';

/** A backend that answers every connection with its name, then keeps it open. */
async function namedServer(name: string): Promise<{ server: net.Server; port: number; sockets: Set<net.Socket> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', (chunk) => socket.write(`${name}:${chunk.toString()}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, port: (server.address() as net.AddressInfo).port, sockets };
}

/** Connects through the proxy, sends `ping`, and gives the answer and the socket. */
async function ask(port: number): Promise<{ answer: string; socket: net.Socket }> {
  const socket = net.connect(port, '127.0.0.1');
  const answer = await new Promise<string>((resolve, reject) => {
    socket.once('data', (chunk) => resolve(chunk.toString()));
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('closed without an answer')));
    socket.write('ping');
  });
  return { answer, socket };
}

const closeServer = (server: net.Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe('TCP proxy', () => {
  let a: Awaited<ReturnType<typeof namedServer>>;
  let b: Awaited<ReturnType<typeof namedServer>>;
  let proxy: TcpProxy;
  let port: number;
  const open: net.Socket[] = [];

  beforeEach(async () => {
    a = await namedServer('a');
    b = await namedServer('b');
    proxy = new TcpProxy('test', [{ host: '127.0.0.1', port: a.port }, { host: '127.0.0.1', port: b.port }]);
    port = await proxy.listen(0);
  });

  afterEach(async () => {
    open.forEach((s) => s.destroy());
    await proxy.close();
    for (const s of [a, b]) {
      s.sockets.forEach((socket) => socket.destroy());
      await closeServer(s.server).catch(() => undefined);
    }
  });

  it('hands new connections to each backend in turn, and carries the bytes both ways', async () => {
    const answers: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const { answer, socket } = await ask(port);
      open.push(socket);
      answers.push(answer);
    }
    expect(answers).toEqual(['a:ping', 'b:ping', 'a:ping', 'b:ping']);
    expect(proxy.served).toEqual([2, 2]);
  });

  it('skips a backend that refuses connections, so that no client sees the failure', async () => {
    b.sockets.forEach((socket) => socket.destroy());
    await closeServer(b.server);
    const answers: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const { answer, socket } = await ask(port);
      open.push(socket);
      answers.push(answer);
    }
    expect(answers).toEqual(Array(5).fill('a:ping'));
    expect(proxy.served).toEqual([5, 0]);
  });

  it('closes the clients of a backend that dies, and their next connection reaches the living one', async () => {
    const first = await ask(port);
    const second = await ask(port);
    open.push(first.socket, second.socket);
    expect([first.answer, second.answer]).toEqual(['a:ping', 'b:ping']);
    const cut = new Promise<void>((resolve) => second.socket.once('close', () => resolve()));
    b.sockets.forEach((socket) => socket.destroy());
    await closeServer(b.server);
    await cut;
    const again = await ask(port);
    const andAgain = await ask(port);
    open.push(again.socket, andAgain.socket);
    expect([again.answer, andAgain.answer]).toEqual(['a:ping', 'a:ping']);
    expect(first.socket.destroyed).toBe(false);
  });

  it('closes a client when no backend is left', async () => {
    for (const s of [a, b]) {
      await closeServer(s.server);
    }
    await expect(ask(port)).rejects.toThrow(/closed without an answer|ECONNRESET/);
  });
});

describe('cluster ports', () => {
  it('gives every part of the default cluster a port of its own', () => {
    const ports = planPorts({ base: 7300, nodes: 2, webs: 2, workers: 2, temporalProxy: 7233, webProxy: 3000 });
    const list = allPorts(ports);
    expect(new Set(list).size).toBe(list.length);
    expect(list).toHaveLength(2 + 2 * 10 + 2 + 2);
    expect(Math.min(...list.filter((p) => p !== 7233 && p !== 3000))).toBeGreaterThanOrEqual(7300);
    expect(Math.max(...list)).toBeLessThan(7400);
  });

  it('refuses a plan that would not fit in its hundred ports', () => {
    expect(() => planPorts({ base: 7300, nodes: 8, webs: 2, workers: 2 })).toThrow(/at most 7 Temporal nodes/);
  });
});

// Shaped like config/development-postgres12.yaml of the server module (the parts we change).
const SAMPLE = `
log: { stdout: true, level: info }
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: 4
  datastores:
    postgres-default:
      sql: { pluginName: postgres12, databaseName: temporal, connectAddr: "127.0.0.1:5432", connectProtocol: tcp, user: temporal, password: temporal, maxConns: 20, maxIdleConns: 20, maxConnLifetime: 1h }
    postgres-visibility:
      sql: { pluginName: postgres12, databaseName: temporal_visibility, connectAddr: "127.0.0.1:5432", connectProtocol: tcp, user: temporal, password: temporal, maxConns: 2, maxIdleConns: 2, maxConnLifetime: 1h }
global:
  membership: { maxJoinDuration: 30s, broadcastAddress: "127.0.0.1" }
  pprof: { port: 7936 }
  metrics: { prometheus: { framework: tally, timerType: histogram, listenAddress: "127.0.0.1:8000" } }
services:
  frontend: { rpc: { grpcPort: 7233, membershipPort: 6933, bindOnLocalHost: true, httpPort: 7243 } }
  matching: { rpc: { grpcPort: 7235, membershipPort: 6935, bindOnLocalHost: true } }
  history: { rpc: { grpcPort: 7234, membershipPort: 6934, bindOnLocalHost: true } }
  worker: { rpc: { grpcPort: 7239, membershipPort: 6939, bindOnLocalHost: true } }
clusterMetadata:
  currentClusterName: active
  clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: frontend, rpcAddress: "localhost:7233" } }
archival: { history: { state: enabled } }
dynamicConfigClient: { filepath: config/dynamicconfig/development-sql.yaml, pollInterval: 10s }
`;

describe('Temporal node configurations', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-cluster-config-'));
    fs.mkdirSync(path.join(dir, 'module', 'config', 'dynamicconfig'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'module', 'config', 'development-postgres12.yaml'), SAMPLE);
    fs.writeFileSync(path.join(dir, 'module', 'config', 'dynamicconfig', 'development-sql.yaml'), 'limit.maxIDLength:\n  - value: 255\n');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('share one store and give each node its own ports', () => {
    const store = storeOf('postgres://postgres@127.0.0.1:5432')!;
    const ports = planPorts({ base: 7300, nodes: 2, webs: 2, workers: 2, temporalProxy: 7233, webProxy: 3000 });
    const configs = ports.nodes.map((nodePorts, i) => {
      const root = writeNodeConfig(path.join(dir, `node${i}`), path.join(dir, 'module'), nodePorts, store, '127.0.0.1:7233');
      return YAML.parse(fs.readFileSync(path.join(root, 'config', 'cluster.yaml'), 'utf8'));
    });
    const listened = configs.flatMap((c) => [
      ...Object.values(c.services as Record<string, { rpc: Record<string, unknown> }>).flatMap(({ rpc }) => [rpc.grpcPort, rpc.membershipPort, rpc.httpPort].filter((p) => p !== undefined)),
      Number(String(c.global.metrics.prometheus.listenAddress).split(':')[1]),
    ]);
    expect(listened).toHaveLength(20);
    expect(new Set(listened).size).toBe(20);
    expect(listened).not.toContain(7233);
    for (const [i, c] of configs.entries()) {
      expect(c.services.frontend.rpc.grpcPort).toBe(ports.nodes[i].frontend);
      expect(c.persistence.numHistoryShards).toBe(HISTORY_SHARDS);
      expect(c.persistence.datastores['postgres-default'].sql).toMatchObject({ databaseName: 'guichet_temporal', user: 'postgres', password: '', connectAddr: '127.0.0.1:5432', pluginName: 'postgres12' });
      expect(c.persistence.datastores['postgres-visibility'].sql.databaseName).toBe('guichet_temporal_visibility');
      expect(c.clusterMetadata.clusterInformation.active.rpcAddress).toBe('127.0.0.1:7233');
      expect(c.global.pprof).toBeUndefined();
      expect(c.archival).toEqual({ history: { state: 'disabled' }, visibility: { state: 'disabled' } });
      expect(fs.existsSync(c.dynamicConfigClient.filepath)).toBe(true);
    }
  });

  it('reads the PostgreSQL address, and refuses what is not one', () => {
    expect(storeOf('postgres://temporal:s%40crei@db.mairie.example:6543')).toMatchObject({ host: 'db.mairie.example', port: 6543, user: 'temporal', password: 's@crei' });
    expect(storeOf('mysql://root@127.0.0.1')).toBeNull();
    expect(storeOf('pas une adresse')).toBeNull();
  });
});
