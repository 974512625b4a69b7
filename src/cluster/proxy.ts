// One address in front of several copies of a service: a TCP (layer 4) proxy, so the
// same one serves HTTP (the web processes) and gRPC over HTTP/2 (the Temporal
// frontends). Each new client connection goes to the next backend in turn; a backend
// that refuses the connection is skipped (and left aside for a moment), the next one
// tried. When a backend dies, its connections are closed: the client reconnects through
// the proxy and lands on a living one (the Temporal SDK does so by itself).
import net from 'node:net';

export interface Backend {
  host: string;
  port: number;
}

/** How long a backend that refused a connection is passed over before being tried again. */
const REST_MS = 1_000;
/** A backend that neither accepts nor refuses within this is treated as refusing. */
const CONNECT_TIMEOUT_MS = 3_000;

export class TcpProxy {
  private server: net.Server | null = null;
  private next = 0;
  private readonly restingUntil = new Map<number, number>();
  private readonly sockets = new Set<net.Socket>();
  /** connections handed to each backend, by index: for tests and the cluster's status */
  readonly served: number[];

  constructor(readonly label: string, private readonly backends: Backend[]) {
    this.served = backends.map(() => 0);
  }

  async listen(port: number, host = '127.0.0.1'): Promise<number> {
    const server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    return (server.address() as net.AddressInfo).port;
  }

  /** The backends in the order to try them: round-robin, resting ones last. */
  order(): number[] {
    const n = this.backends.length;
    const start = this.next;
    this.next = (this.next + 1) % n;
    const all = Array.from({ length: n }, (_, i) => (start + i) % n);
    const now = Date.now();
    const awake = all.filter((i) => (this.restingUntil.get(i) ?? 0) <= now);
    return [...awake, ...all.filter((i) => !awake.includes(i))];
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private accept(client: net.Socket): void {
    this.track(client);
    client.pause();
    client.on('error', () => client.destroy());
    const candidates = this.order();
    const tryNext = (): void => {
      const index = candidates.shift();
      if (index === undefined || client.destroyed) {
        client.destroy();
        return;
      }
      const { host, port } = this.backends[index];
      const upstream = net.connect({ host, port });
      this.track(upstream);
      upstream.setTimeout(CONNECT_TIMEOUT_MS);
      const refused = () => {
        upstream.destroy();
        this.restingUntil.set(index, Date.now() + REST_MS);
        tryNext();
      };
      upstream.once('timeout', refused);
      upstream.once('error', refused);
      upstream.once('connect', () => {
        upstream.off('timeout', refused).off('error', refused).setTimeout(0);
        this.restingUntil.delete(index);
        this.served[index] += 1;
        this.pipe(client, upstream);
      });
    };
    tryNext();
  }

  /** Both ways; either side closing or failing closes the other. */
  private pipe(client: net.Socket, upstream: net.Socket): void {
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  }

  /** Stops listening and cuts every connection. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets) {
      socket.destroy();
    }
    if (server) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}
