import { citizenReply } from '../src/commands/citizenReply';
import { replyToken } from '../src/messages/secureLink';
import { stateQuery, workflowIdOf } from '../workflows/definitions';
import { startHarness, type Harness } from './support/harness';

// « Waiting for the citizen » is part of the hold the workflow accepted: its state holds
// it, its transition writes it to the projection, and any status but EN_ATTENTE ends it.
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function heldRequest(waitingForCitizen: boolean | undefined) {
  const filed = await h.api('POST', '/api/requests', h.partnerKey, { formType: 'acte-naissance', citizen: { firstName: 'Paul', lastName: 'Patient', email: 'paul@example.org' }, answers: {} });
  const reference: string = filed.body.reference;
  expect((await h.api('POST', `/api/requests/${reference}/take`, h.tokens.amartin, { notifyCitizen: false })).status).toBe(200);
  const hold = await h.api('POST', `/api/requests/${reference}/hold`, h.tokens.amartin, { reason: 'Pièce manquante', ...(waitingForCitizen === undefined ? {} : { waitingForCitizen }) });
  expect(hold.status).toBe(200);
  const { id, tracking_code: trackingCode } = await h.db('requests').where({ reference }).first('id', 'tracking_code');
  return { reference, id: Number(id), trackingCode: trackingCode as string, held: hold.body };
}

const workflowState = (reference: string) => h.ctx.client.workflow.getHandle(workflowIdOf(reference)).query(stateQuery);
const projection = async (id: number) => {
  const row = await h.db('requests').where({ id }).first('status', 'waiting_for_citizen');
  return { status: row.status, waiting: Boolean(row.waiting_for_citizen) };
};
const reply = (r: { id: number; trackingCode: string }, text: string) =>
  citizenReply(h.ctx, r.trackingCode, replyToken(h.config.sessionSecret, r.id), text);

test('a hold waiting for the citizen: the workflow holds the flag, its transition writes it, and the reply resumes the request', async () => {
  const r = await heldRequest(true);
  expect(await workflowState(r.reference)).toMatchObject({ status: 'EN_ATTENTE', waitingForCitizen: true });
  // The Update's answer comes after recordTransition: the projection already agrees.
  expect(await projection(r.id)).toEqual({ status: 'EN_ATTENTE', waiting: true });

  expect(await reply(r, 'Voici la pièce.')).toEqual({ resumed: true });
  expect(await workflowState(r.reference)).toMatchObject({ status: 'EN_COURS', waitingForCitizen: false, holdUntil: null });
  expect(await projection(r.id)).toEqual({ status: 'EN_COURS', waiting: false });
  expect(await h.db('events').where({ request_id: r.id, type: 'RESUMED' }).first('agent_id')).toEqual({ agent_id: null });
});

test('a hold without it: the reply is kept and the request stays on hold', async () => {
  const r = await heldRequest(undefined);
  expect(await workflowState(r.reference)).toMatchObject({ status: 'EN_ATTENTE', waitingForCitizen: false });
  expect(await projection(r.id)).toEqual({ status: 'EN_ATTENTE', waiting: false });
  expect(await reply(r, 'Une question.')).toEqual({ resumed: false });
  expect(await projection(r.id)).toEqual({ status: 'EN_ATTENTE', waiting: false });
  expect(await h.db('messages').where({ request_id: r.id, author: 'CITIZEN' }).count({ n: '*' }).first()).toMatchObject({ n: 1 });
});

test('the end of the hold ends the waiting: resumed by the agent, then held again without it, a reply resumes nothing', async () => {
  const r = await heldRequest(true);
  expect((await h.api('POST', `/api/requests/${r.reference}/resume`, h.tokens.amartin, {})).status).toBe(200);
  expect(await projection(r.id)).toEqual({ status: 'EN_COURS', waiting: false });
  expect((await h.api('POST', `/api/requests/${r.reference}/hold`, h.tokens.amartin, { reason: 'Autre pièce', waitingForCitizen: false })).status).toBe(200);
  expect(await workflowState(r.reference)).toMatchObject({ status: 'EN_ATTENTE', waitingForCitizen: false });
  expect(await reply(r, 'Encore moi.')).toEqual({ resumed: false });
  expect(await projection(r.id)).toEqual({ status: 'EN_ATTENTE', waiting: false });
});
