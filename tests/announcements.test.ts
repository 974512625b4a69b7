import { announcerWorkflowId, ensureAnnouncerWorkflow } from '../src/accounts/digestSchedule';
import { agentsOfGroup } from '../src/db/agents';
import { claimBatch } from '../src/db/announcements';
import { wantsImmediate } from '../src/db/notificationPrefs';
import { isReachable } from '../src/db/presence';
import { submitRequest } from './support/factories';
import { startHarness, waitFor, type Harness } from './support/harness';

// The agents' information e-mails on new requests go in batches (NEW_REQUEST_BATCH_SECONDS):
// one e-mail per agent and batch listing the requests, after each citizen's receipt.
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { NEW_REQUEST_BATCH_SECONDS: '2' } });
});
afterAll(async () => {
  await h?.ctx.client.workflow.getHandle(announcerWorkflowId(h.config.taskQueue)).terminate().catch(() => undefined);
  await h?.close();
});

const citizen = { firstName: 'Rosa', lastName: 'Bonheur', email: 'rosa.bonheur@example.org' };

/** The agents who get the information e-mail at once: those of État civil who chose it and are not absent. */
async function recipients(): Promise<number[]> {
  const group = (await h.db('form_types').where({ slug: 'acte-naissance' }).first('group_id')).group_id;
  return (await agentsOfGroup(h.db, group)).filter((a) => wantsImmediate(a) && isReachable(a)).map((a) => Number(a.id)).sort();
}

const marked = async (ids: number[]) => (await h.db('requests').whereIn('id', ids).where({ announced_in: 0 })).length === ids.length;

test('several new requests give each agent one e-mail listing them, sent after every receipt', async () => {
  const agents = await recipients();
  expect(agents.length).toBeGreaterThanOrEqual(2);
  // Filed before the batches start: the first batch finds all three waiting.
  const filed = [
    await submitRequest(h, { formType: 'acte-naissance', citizen }),
    await submitRequest(h, { formType: 'acte-mariage', citizen }),
    await submitRequest(h, { formType: 'acte-naissance', citizen }),
  ];
  const ids = filed.map((f) => f.id);
  await waitFor(() => marked(ids), 30000, 'the requests waiting for their batch');
  // No information e-mail yet: only the receipts went out.
  expect(await h.db('emails').whereIn('kind', ['NEW_REQUEST', 'NEW_REQUESTS']).count({ n: '*' }).first()).toEqual({ n: 0 });
  expect((await h.db('emails').whereIn('request_id', ids).where({ kind: 'RECEIPT', status: 'SENT' })).length).toBe(3);

  await ensureAnnouncerWorkflow(h.ctx);
  const sent = await waitFor(async () => {
    const rows = await h.db('emails as e').join('email_contents as c', 'c.email_id', 'e.id')
      .where({ 'e.kind': 'NEW_REQUESTS', 'e.status': 'SENT' }).select('e.agent_id', 'e.created_at', 'c.body_text', 'e.idempotency_key');
    return rows.length === agents.length ? rows : null;
  }, 30000, 'one batch e-mail per agent');
  expect(sent.map((r) => Number(r.agent_id)).sort()).toEqual(agents);
  for (const row of sent) {
    for (const f of filed) {
      expect(row.body_text).toContain(f.reference);
    }
  }
  expect(await h.db('emails').where({ kind: 'NEW_REQUEST' }).count({ n: '*' }).first()).toEqual({ n: 0 });
  // Every receipt was handed to SMTP before any batch e-mail was recorded.
  const receipts = await h.db('emails').whereIn('request_id', ids).where({ kind: 'RECEIPT' }).pluck('sent_at');
  expect(Math.max(...receipts.map(Number))).toBeLessThanOrEqual(Math.min(...sent.map((r) => Number(r.created_at))));
  const order = h.mails.map((m) => m.messageId);
  const lastReceipt = Math.max(...filed.map((f) => order.indexOf(`<${f.reference}:RECEIPT@guichet>`)));
  const firstBatch = Math.min(...sent.map((r) => order.indexOf(`<${String(r.idempotency_key)}@guichet>`)));
  expect(lastReceipt).toBeGreaterThanOrEqual(0);
  expect(lastReceipt).toBeLessThan(firstBatch);

  // A request alone in its batch: the usual e-mail about it, one per agent.
  const alone = await submitRequest(h, { formType: 'acte-naissance', citizen });
  const single = await waitFor(async () => {
    const rows = await h.db('emails').where({ kind: 'NEW_REQUEST', request_id: alone.id, status: 'SENT' }).pluck('agent_id');
    return rows.length === agents.length ? rows : null;
  }, 30000, 'the e-mails about the request alone');
  expect(single.map(Number).sort()).toEqual(agents);
  expect((await h.db('emails').where({ kind: 'NEW_REQUESTS' })).length).toBe(agents.length);
  await h.ctx.client.workflow.getHandle(announcerWorkflowId(h.config.taskQueue)).terminate();
});

test('a batch run again (a retry after a crash) lists the requests it first claimed, not those arrived since', async () => {
  const first = await submitRequest(h, { formType: 'acte-naissance', citizen });
  await h.db('requests').where({ id: first.id }).update({ announced_in: 0 });
  const batch = 1;
  expect((await claimBatch(h.db, batch)).map((r) => r.id)).toEqual([first.id]);
  const later = await submitRequest(h, { formType: 'acte-naissance', citizen });
  await h.db('requests').where({ id: later.id }).update({ announced_in: 0 });
  expect((await claimBatch(h.db, batch)).map((r) => r.id)).toEqual([first.id]);
  expect(Number((await h.db('requests').where({ id: later.id }).first('announced_in')).announced_in)).toBe(0);
});
