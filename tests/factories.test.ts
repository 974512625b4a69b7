// The test factories do what they say: other tests build on them.
import { agentWithRole, moveTo, requestRow, submitRequest } from './support/factories';
import { startHarness, type Harness } from './support/harness';
import { projectedState, workflowState } from './support/projection';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

test('submitRequest files through the command: rows, a running workflow, the citizen and channel given', async () => {
  const filed = await submitRequest(h, { formType: 'signalement-voirie', citizen: { firstName: 'Ada', lastName: 'Lovelace' }, channel: 'phone' });
  expect(filed.reference).toMatch(new RegExp(`^${h.config.referencePrefix}-\\d{4}-\\d{6}$`));
  expect(await requestRow(h, filed.reference)).toMatchObject({
    id: filed.id, tracking_code: filed.trackingCode, status: 'NON_TRAITEE', form_type_slug: 'signalement-voirie', service_slug: 'voirie', channel: 'phone', citizen_has_email: expect.anything(),
  });
  expect(Boolean((await requestRow(h, filed.reference)).citizen_has_email)).toBe(false);
  expect(await workflowState(h, filed.reference)).toMatchObject({ status: 'NON_TRAITEE', seq: 1 });
});

test.each(['NON_TRAITEE', 'EN_COURS', 'EN_ATTENTE', 'CLOTUREE'] as const)('moveTo %s goes through the commands; workflow and projection agree', async (status) => {
  const { reference } = await submitRequest(h, { formType: 'declaration-travaux' });
  const row = await moveTo(h, reference, status, { hold: { reason: 'plan manquant', waitingForCitizen: true } });
  expect(row.status).toBe(status);
  // The service's first seeded agent acted: Bruno Durand for urbanisme.
  expect(row.assignee_code).toBe(status === 'NON_TRAITEE' ? null : 'bdurand');
  const state = await workflowState(h, reference);
  expect(await projectedState(h, reference, state)).toEqual(state);
  expect(state.status).toBe(status);
  const events = (await h.api('GET', `/api/requests/${reference}`, h.tokens.bdurand)).body.events.map((e: { type: string }) => e.type);
  expect(events).toEqual({ NON_TRAITEE: ['SUBMITTED'], EN_COURS: ['SUBMITTED', 'TAKEN'], EN_ATTENTE: ['SUBMITTED', 'TAKEN', 'HELD'], CLOTUREE: ['SUBMITTED', 'TAKEN', 'CLOSED'] }[status]);
});

test('agentWithRole: each role reaches what its role allows, through its token and its web session', async () => {
  const { reference } = await submitRequest(h);
  const roles = {
    agent: await agentWithRole(h, 'agent'),
    admin: await agentWithRole(h, 'admin'),
    adminAgent: await agentWithRole(h, 'adminAgent', { service: 'etat-civil' }),
    noService: await agentWithRole(h, 'noService'),
    otherService: await agentWithRole(h, 'agent', { service: 'voirie' }),
  };
  const seen: Record<string, { request: number; admin: number }> = {};
  for (const [name, a] of Object.entries(roles)) {
    const web = await a.web();
    seen[name] = { request: (await h.api('GET', `/api/requests/${reference}`, a.token)).status, admin: (await web.call('GET', '/admin')).status };
  }
  expect(seen).toEqual({
    agent: { request: 200, admin: 403 },
    admin: { request: 403, admin: 200 },
    // An administrator with services works as an agent until they choose to administer.
    adminAgent: { request: 200, admin: 403 },
    noService: { request: 403, admin: 403 },
    otherService: { request: 403, admin: 403 },
  });
  expect(roles.adminAgent.agent).toMatchObject({ isAdmin: true, serviceIds: roles.agent.agent.serviceIds });
  expect(roles.admin.agent).toMatchObject({ isAdmin: true, serviceIds: [] });
  expect(roles.noService.agent).toMatchObject({ isAdmin: false, serviceIds: [] });
  // Acting goes through the same rule.
  expect((await h.api('POST', `/api/requests/${reference}/take`, roles.noService.token, { notifyCitizen: false })).status).toBe(403);
  expect((await h.api('POST', `/api/requests/${reference}/take`, roles.agent.token, { notifyCitizen: false })).body.assignee).toEqual({ code: roles.agent.code, name: roles.agent.agent.name });
});
