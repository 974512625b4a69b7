// An HTTP/1.1 connection driven byte by byte, for what fetch cannot do: send half a
// request and finish it later, hold a kept-alive connection idle, see whether the server
// answered, closed, or cut it.
import net from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export class RawConnection {
  private readonly socket: net.Socket;
  private received = '';
  private closedFlag = false;
  private readonly changed = new Set<() => void>();
  readonly connected: Promise<void>;
  /** The server ended the connection (FIN or reset). */
  readonly closed: Promise<void>;

  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.on('error', () => undefined);
    this.socket.on('data', (chunk: Buffer) => {
      this.received += chunk.toString('utf8');
      this.changed.forEach((f) => f());
    });
    this.connected = new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('error', reject);
    });
    this.closed = new Promise((resolve) => this.socket.once('close', () => {
      this.closedFlag = true;
      this.changed.forEach((f) => f());
      resolve();
    }));
  }

  write(text: string): void {
    this.socket.write(text);
  }

  /** Resolves once `test` holds on what was received, or rejects if the connection closes first. */
  private until<T>(test: () => T | null): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = test();
        if (value !== null) {
          this.changed.delete(check);
          resolve(value);
        } else if (this.closedFlag) {
          this.changed.delete(check);
          reject(new Error(`connection closed; received: ${JSON.stringify(this.received.slice(0, 300))}`));
        }
      };
      this.changed.add(check);
      check();
    });
  }

  /** The interim « 100 Continue »: the server has read the headers and handed the request to the app. */
  continued(): Promise<void> {
    return this.until(() => (/^HTTP\/1\.1 100 Continue\r\n\r\n/.test(this.received) ? undefined : null));
  }

  /** The next final answer, read whole (by its Content-Length), and taken off what was received. */
  answer(): Promise<RawAnswer> {
    return this.until(() => {
      const text = this.received.replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, '');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) {
        return null;
      }
      const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      const length = Number(headers['content-length'] ?? 0);
      const body = Buffer.from(text.slice(end + 4), 'utf8');
      if (body.length < length) {
        return null;
      }
      this.received = body.subarray(length).toString('utf8');
      return { status: Number(statusLine.split(' ')[1]), headers, body: body.subarray(0, length).toString('utf8') };
    });
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Whether a new connection to the port is refused. */
export function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}
