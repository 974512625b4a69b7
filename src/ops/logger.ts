// The process's log: one JSON object a line (pino), for `guichet web` and `guichet worker`
// whose output a log collector reads; `guichet start` switches it to readable lines.
// Never log a citizen's name, e-mail address or answers: ids, references, codes only.
import pino, { type Logger } from 'pino';

type Sink = (line: string) => void;

const toStdout: Sink = (line) => {
  process.stdout.write(line);
};
let sink: Sink = toStdout;

/** Under jest only warnings show by default: the suite's output stays the tests'. */
function defaultLevel(): string {
  return process.env.LOG_LEVEL?.trim() || (process.env.JEST_WORKER_ID ? 'warn' : 'info');
}

/**
 * An error as the log may keep it. A database error's message quotes the statement and its
 * values (a duplicate e-mail address, a name): only its code is kept. Others keep their
 * message (ours and Temporal's carry ids and references) and stack.
 */
export function safeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) {
    return { message: String(err).slice(0, 200) };
  }
  const e = err as Error & { code?: unknown; sql?: unknown; errno?: unknown };
  const fromDatabase = e.sql !== undefined || (typeof e.code === 'string' && /^(ER_|SQLITE_)/.test(e.code));
  const frames = (e.stack ?? '').split('\n').filter((l) => l.trimStart().startsWith('at ')).slice(0, 12).join('\n');
  return {
    type: e.name,
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    message: fromDatabase ? `database error ${String(e.code ?? e.errno ?? '')}`.trim() : e.message.slice(0, 500),
    stack: frames,
  };
}

export const logger: Logger = pino(
  {
    level: defaultLevel(),
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: safeError, error: safeError },
  },
  {
    write(line: string) {
      sink(line);
    },
  },
);

/** `npm start`: a person reads the terminal, « 14:03:07 INFO  message  key=value ». */
export function readableLogs(): void {
  sink = (line) => process.stdout.write(readable(line));
}

const HIDDEN = new Set(['time', 'level', 'msg', 'pid']);

export function readable(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 19) : '';
  const level = String(entry.level ?? '').toUpperCase().padEnd(5);
  const extras = Object.entries(entry)
    .filter(([key, value]) => !HIDDEN.has(key) && value !== undefined && key !== 'err')
    .map(([key, value]) => `${key}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
  const err = entry.err as { message?: string; stack?: string } | undefined;
  const tail = err ? `\n  ${err.message ?? ''}\n${err.stack ?? ''}` : '';
  return `${time} ${level} ${String(entry.msg ?? '')}${extras.length ? `  ${extras.join(' ')}` : ''}${tail}\n`;
}

/** Tests: the lines go to `listen` instead, until the returned function is called. */
export function captureLogs(listen: Sink): () => void {
  const before = sink;
  sink = listen;
  return () => {
    sink = before;
  };
}
