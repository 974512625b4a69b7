import { spawn } from 'node:child_process';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { AddressInfo } from 'node:net';
import { changeDelays } from '../src/commands/changeDelays';
import { connect } from '../src/db/connection';
import { captureLogs, logger } from '../src/ops/logger';
import { retryInterceptors, startOnce } from '../src/temporal/client';
import { freePort } from '../src/temporal/devServer';
import { closeWebApp, createWebApp, listenWeb } from '../src/web/server';
import type { Ctx } from '../src/commands/context';
import type { Delays } from '../workflows/definitions';
import { requestWorkflow } from '../workflows/request';
import { agentByCode, submitRequest } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';
import { webClient } from './support/webClient';

// The operators' side: /healthz, /readyz, /metrics and the logs, on the real web app,
// the real worker and the test's Temporal server.
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function samples(text: string): Sample[] {
  return text.split('\n').filter((l) => l && !l.startsWith('#')).map((line) => {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line)!;
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    return { name: m[1], labels, value: Number(m[3]) };
  });
}

/** The sum of the series `name` whose labels include `labels`. */
function value(text: string, name: string, labels: Record<string, string> = {}): number {
  return samples(text)
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

async function scrape(headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${h.baseUrl}/metrics`, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return res.text();
}

/** The web app on a context of our choosing (a closed database, an unreachable Temporal). */
async function webOn(ctx: Ctx): Promise<{ url: string; close(): Promise<void> }> {
  const app = createWebApp(ctx);
  await (app.locals.sessionStore as { ready: Promise<unknown> }).ready;
  const server = await listenWeb(app, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      closeWebApp(app);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const HOUR = 3600_000;
const slowDelays: Delays = { unprocessedReminderMs: HOUR, reminderEveryMs: HOUR, deletionMs: 10 * HOUR, deletionWarningMs: HOUR, inProgressReminderMs: HOUR };

describe('health and readiness', () => {
  test('/healthz answers without a session, with a request id', async () => {
    const res = await fetch(`${h.baseUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('/readyz is 200 when the database and Temporal answer', async () => {
    const res = await fetch(`${h.baseUrl}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ready: true, checks: { database: 'ok', temporal: 'ok' } });
  });

  test('/readyz is 503 and names the database when its pool is closed', async () => {
    const db = connect(h.config);
    const web = await webOn({ ...h.ctx, db });
    await db.destroy();
    try {
      const res = await fetch(`${web.url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ ready: false, checks: { database: 'down', temporal: 'ok' } });
      // The process itself lives.
      expect((await fetch(`${web.url}/healthz`)).status).toBe(200);
    } finally {
      await web.close();
    }
  });

  test('/readyz is 503 and names Temporal when it does not answer', async () => {
    // Not closed by the test: the client's retries of the probe may outlive its answer.
    const connection = Connection.lazy({ address: '127.0.0.1:1' });
    const web = await webOn({ ...h.ctx, client: new Client({ connection }) });
    try {
      const res = await fetch(`${web.url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ ready: false, checks: { database: 'ok', temporal: 'down' } });
    } finally {
      await web.close();
    }
  });
});

describe('/metrics', () => {
  test('answers this machine directly, not what a proxy relays, nor the wrong token', async () => {
    await scrape();
    const relayed = await fetch(`${h.baseUrl}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(relayed.status).toBe(403);
    expect(((await relayed.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');

    const web = await webOn({ ...h.ctx, config: { ...h.config, metricsToken: 'secret-metrics-token' } });
    try {
      expect((await fetch(`${web.url}/metrics`)).status).toBe(403);
      expect((await fetch(`${web.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(403);
      const allowed = await fetch(`${web.url}/metrics`, { headers: { authorization: 'Bearer secret-metrics-token', 'x-forwarded-for': '203.0.113.9' } });
      expect(allowed.status).toBe(200);
    } finally {
      await web.close();
    }
  });

  test('takes accepted and refused, the e-mail sent and the HTTP latency move their series', async () => {
    const before = await scrape();
    const { reference } = await submitRequest(h, { formType: 'acte-naissance' });
    expect((await h.api('POST', `/api/requests/${reference}/take`, h.tokens.amartin, { notifyCitizen: true })).status).toBe(200);
    expect((await h.api('POST', `/api/requests/${reference}/take`, h.tokens.bdurand, { notifyCitizen: false })).status).toBe(409);
    await waitFor(() => h.mails.some((m) => m.subject.includes(reference) && m.to.includes('jeanne.dupre@example.org') && /prise en compte/i.test(m.subject)), 20000, 'the acknowledgement');
    const after = await waitFor(async () => {
      const text = await scrape();
      return value(text, 'guichet_emails', { status: 'SENT' }) > value(before, 'guichet_emails', { status: 'SENT' }) ? text : null;
    }, 10000, 'the sent e-mail counted');

    const take = (outcome: string, text: string) => value(text, 'guichet_agent_actions_total', { action: 'take', channel: 'api', outcome });
    expect(take('accepted', after)).toBe(take('accepted', before) + 1);
    expect(take('refused', after)).toBe(take('refused', before) + 1);

    const route = { route: '/api/requests/:reference/take', method: 'POST' };
    expect(value(after, 'guichet_http_request_duration_seconds_count', { ...route, status: '200' })).toBe(value(before, 'guichet_http_request_duration_seconds_count', { ...route, status: '200' }) + 1);
    expect(value(after, 'guichet_http_request_duration_seconds_count', { ...route, status: '409' })).toBe(value(before, 'guichet_http_request_duration_seconds_count', { ...route, status: '409' }) + 1);
    // The route's pattern, never the reference itself.
    expect(after).not.toContain(reference);

    for (const series of ['guichet_emails', 'guichet_email_oldest_unsent_age_seconds', 'guichet_webhook_deliveries', 'guichet_workflow_start_failures_total', 'guichet_timer_lateness_seconds', 'process_cpu_seconds_total']) {
      expect(after).toContain(`# TYPE ${series}`);
    }
    expect(samples(after).some((s) => s.name === 'guichet_webhook_deliveries' && s.labels.status === 'pending')).toBe(true);
    expect(value(after, 'guichet_email_oldest_unsent_age_seconds')).toBeGreaterThanOrEqual(0);
  });

  test('an action on the request page is counted too, refused when it is not the agent\'s to do', async () => {
    const before = await scrape();
    const { reference } = await submitRequest(h, { formType: 'signalement-voirie' });
    const web = webClient(h.baseUrl, '203.0.113.61');
    expect((await web.login('amartin')).status).toBe(303);
    // Voirie is not Anne Martin's service.
    const page = await web.call('POST', `/demandes/${reference}/take`, { _csrf: await web.csrf('/') });
    expect([403, 404]).toContain(page.status);
    const after = await scrape();
    const refused = (text: string) => value(text, 'guichet_agent_actions_total', { action: 'take', channel: 'web', outcome: 'refused' });
    expect(refused(after)).toBe(refused(before) + 1);
  });

  test('a timer that fires observes its lateness', async () => {
    const slow = slowDelays;
    const count = (text: string) => value(text, 'guichet_timer_lateness_seconds_count', { timer: 'UNPROCESSED_REMINDER' });
    const before = count(await scrape());
    await changeDelays(h.ctx, 'acte-mariage', { ...slow, unprocessedReminderMs: 1500 });
    const { reference } = await submitRequest(h, { formType: 'acte-mariage' });
    await waitFor(() => h.mails.some((m) => m.subject.includes(reference) && m.subject.startsWith('Relance')), 20000, 'the reminder');
    const after = await scrape();
    expect(count(after)).toBeGreaterThan(before);
    expect(value(after, 'guichet_timer_lateness_seconds_bucket', { timer: 'UNPROCESSED_REMINDER', le: '+Inf' })).toBe(count(after));
    await changeDelays(h.ctx, 'acte-mariage', slow);
  });

  test('a workflow that cannot be started is counted', async () => {
    const before = value(await scrape(), 'guichet_workflow_start_failures_total', { workflow: 'requestWorkflow' });
    const connection = Connection.lazy({ address: '127.0.0.1:1', interceptors: retryInterceptors() });
    try {
      await expect(startOnce(new Client({ connection }), requestWorkflow, { workflowId: 'request-never', taskQueue: h.config.taskQueue, args: [{ requestId: 0, reference: 'never', submittedAt: 0, delays: slowDelays, priority: 2, groupId: null }] })).rejects.toThrow();
    } finally {
      await connection.close();
    }
    expect(value(await scrape(), 'guichet_workflow_start_failures_total', { workflow: 'requestWorkflow' })).toBe(before + 1);
  });
});

describe('logs', () => {
  const NAME = 'Zéphyrin-Opslog';
  const SURNAME = 'Quasimodowska';
  const EMAIL = 'zephyrin.opslog@example.org';

  let lines: string[] = [];
  let stop: () => void = () => undefined;
  let level = 'warn';
  beforeEach(() => {
    lines = [];
    level = logger.level;
    logger.level = 'info';
    stop = captureLogs((line) => lines.push(line));
  });
  afterEach(() => {
    stop();
    logger.level = level;
  });

  test('a line per request, with its request id, the agent and the workflow, and nothing the citizen wrote', async () => {
    const filed = await fetch(`${h.baseUrl}/api/requests`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.partnerKey}`, 'content-type': 'application/json', 'x-request-id': 'partner-filing-1' },
      body: JSON.stringify({ formType: 'acte-naissance', citizen: { firstName: NAME, lastName: SURNAME, email: EMAIL, phone: '0611223344' }, answers: { copies: 2 } }),
    });
    expect(filed.status).toBe(201);
    expect(filed.headers.get('x-request-id')).toBe('partner-filing-1');
    const { reference } = (await filed.json()) as { reference: string };

    const taken = await fetch(`${h.baseUrl}/api/requests/${reference}/take`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.tokens.amartin}`, 'content-type': 'application/json', 'x-request-id': 'take-42' },
      body: JSON.stringify({ notifyCitizen: true }),
    });
    expect(taken.status).toBe(200);
    // An id that is not sane is replaced.
    const odd = await fetch(`${h.baseUrl}/api/requests/${reference}`, { headers: { authorization: `Bearer ${h.tokens.amartin}`, 'x-request-id': `${EMAIL} <script>` } });
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    // An agent searches by the citizen's name and e-mail, in the UI: query strings are never logged.
    const web = webClient(h.baseUrl, '203.0.113.62');
    expect((await web.login('amartin')).status).toBe(303);
    expect((await web.call('GET', `/recherche?nom=${encodeURIComponent(SURNAME)}&email=${encodeURIComponent(EMAIL)}`)).status).toBe(200);
    expect((await web.call('GET', `/demandes/${reference}`)).status).toBe(200);
    // A refused filing (its e-mail is malformed) is logged without its body either.
    expect((await h.api('POST', '/api/requests', h.partnerKey, { formType: 'acte-naissance', citizen: { firstName: NAME, lastName: SURNAME, email: `${SURNAME}@` }, answers: {} })).status).toBe(400);

    await waitFor(() => lines.some((l) => l.includes('"take-42"')), 5000, 'the line of the take');
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const amartin = await agentByCode(h, 'amartin');

    const take = entries.find((e) => e.reqId === 'take-42')!;
    expect(take).toMatchObject({
      level: 'info', reqId: 'take-42', agentId: amartin.id, workflowId: `request-${reference}`,
      route: '/api/requests/:reference/take', res: { status: 200 },
    });
    expect(typeof take.responseTime).toBe('number');
    expect(typeof take.time).toBe('string');
    expect(entries.find((e) => e.reqId === 'partner-filing-1')).toMatchObject({ route: '/api/requests', res: { status: 201 }, partnerKeyId: expect.any(Number) });
    expect(entries.some((e) => e.route === '/demandes/:reference' && e.agentId === amartin.id)).toBe(true);

    const all = lines.join('\n').toLowerCase();
    for (const personal of [NAME, SURNAME, EMAIL, 'zephyrin', 'quasimodowska', '0611223344']) {
      expect(all).not.toContain(personal.toLowerCase());
    }
    // Nor the caller's credentials or cookies.
    expect(all).not.toContain(h.tokens.amartin.toLowerCase());
    expect(all).not.toContain('guichet.sid');
  });
});

describe('guichet worker with METRICS_PORT', () => {
  test('serves its metrics, with the Temporal SDK\'s, and its readiness; it logs JSON lines', async () => {
    const port = await freePort();
    const lines: string[] = [];
    const child = spawn(process.execPath, [path.join(__dirname, '../bin/guichet.js'), 'worker'], {
      // A task queue of its own: it must not take the in-process worker's tasks.
      env: { ...h.env, METRICS_PORT: String(port), TEMPORAL_TASK_QUEUE: `${h.config.taskQueue}-metrics`, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout!.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    try {
      // It bundles the workflows first, as in production: tens of seconds on a busy machine.
      await waitFor(() => lines.some((l) => l.includes('Guichet worker polling')), 180000, 'the worker polling');
      const base = `http://127.0.0.1:${port}`;
      const text = await waitFor(async () => {
        const res = await fetch(`${base}/metrics`);
        const body = await res.text();
        return res.status === 200 && /^temporal_\w+/m.test(body) ? body : null;
      }, 20000, 'the SDK\'s metrics');
      expect(text).toContain('# TYPE guichet_emails gauge');
      expect(text).toMatch(/^temporal_num_pollers\{/m);
      expect((await fetch(`${base}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } })).status).toBe(403);
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ ready: true, checks: { database: 'ok', temporal: 'ok', worker: 'ok' } });
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      for (const line of lines) {
        expect(JSON.parse(line)).toMatchObject({ level: expect.any(String), time: expect.any(String), msg: expect.any(String) });
      }
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }, 300000);
});
