import { wholeLife } from '../bench/wholeLife';
import { startHarness, type Harness } from './support/harness';

// The Temporal actions of one request's whole life, read from its real history: a change
// that adds a workflow task, an activity or a timer to every request shows here.
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

test('one request\'s whole life costs the pinned Temporal actions', async () => {
  const life = await wholeLife(h.api, h.ctx.client, h.partnerKey, h.tokens.amartin);
  // The receipt, a projection per step, the acknowledgement (its own retries, out of the agent's wait), the closing notice and the purge.
  expect(life.activities).toEqual(['recordTransition', 'sendEmail', 'recordTransition', 'recordTransition', 'recordTransition', 'recordTransition', 'sendThenPurge']);
  // Before issue 16: 15 workflow tasks, 9 activities, 4 timers, 92 events. The one timer left is
  // the deletion's: the reminders are the sweep's (src/reminders/sweeper.ts).
  expect(life.count).toEqual({ workflowTasks: 13, activities: 7, localActivities: 1, timers: 1, signals: 0, updates: 5, events: 83 });
});
