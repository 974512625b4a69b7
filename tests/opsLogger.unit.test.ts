import { readable, safeError } from '../src/ops/logger';
import { requestIdOf } from '../src/ops/requestLog';

// What `npm start` prints, and what the log keeps of an error or a caller's request id.
test('a JSON line becomes a readable one; anything else passes as it is', () => {
  const line = JSON.stringify({ level: 'info', time: '2026-11-30T14:03:07.123Z', pid: 1, reqId: 'abc', agentId: 2, msg: 'POST /x 200' });
  expect(readable(`${line}\n`)).toBe('14:03:07 INFO  POST /x 200  reqId=abc agentId=2\n');
  expect(readable('not json\n')).toBe('not json\n');
});

test('a database error keeps its code, never its message (it quotes the values)', () => {
  const err = Object.assign(new Error("insert into `request_personal` … - Duplicate entry 'jeanne.dupre@example.org' for key"), { code: 'ER_DUP_ENTRY', sql: 'insert …' });
  const kept = safeError(err);
  expect(kept).toMatchObject({ type: 'Error', code: 'ER_DUP_ENTRY', message: 'database error ER_DUP_ENTRY' });
  expect(JSON.stringify(kept)).not.toContain('jeanne');
  expect(safeError(new Error('pas de réponse de Temporal'))).toMatchObject({ message: 'pas de réponse de Temporal' });
});

test('a sane X-Request-Id is kept, anything else replaced', () => {
  expect(requestIdOf('lb-7f3a.42')).toBe('lb-7f3a.42');
  for (const odd of ['', 'a b', 'x'.repeat(65), 'jean@example.org', '<script>']) {
    expect(requestIdOf(odd)).toMatch(/^[0-9a-f-]{36}$/);
  }
  expect(requestIdOf(undefined)).toMatch(/^[0-9a-f-]{36}$/);
});
