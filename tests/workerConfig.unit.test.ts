// The worker's pace and tuning settings (src/config.ts): a wrong value is said in French
// before the worker starts.
import { loadConfig } from '../src/config';

describe('worker settings', () => {
  it('leave the SDK its defaults and the reminders unpaced when unset', () => {
    const config = loadConfig({});
    expect(config.remindersPerSecond).toBeNull();
    expect(config.workerTuning).toEqual({ workflowTasks: null, activities: null, cachedWorkflows: null });
  });

  it('read a rate (fractions allowed) and whole counts', () => {
    const config = loadConfig({ REMINDERS_PER_SECOND: '0.5', WORKER_WORKFLOW_TASKS: '10', WORKER_ACTIVITIES: '50', WORKER_CACHED_WORKFLOWS: '5000' });
    expect(config.remindersPerSecond).toBe(0.5);
    expect(config.workerTuning).toEqual({ workflowTasks: 10, activities: 50, cachedWorkflows: 5000 });
  });

  it.each([
    [{ REMINDERS_PER_SECOND: 'vite' }, 'REMINDERS_PER_SECOND doit être un nombre strictement positif, par seconde (reçu « vite »)'],
    [{ REMINDERS_PER_SECOND: '0' }, 'REMINDERS_PER_SECOND doit être un nombre strictement positif'],
    [{ WORKER_WORKFLOW_TASKS: '2.5' }, 'WORKER_WORKFLOW_TASKS doit être un nombre entier strictement positif (reçu « 2.5 »)'],
    [{ WORKER_CACHED_WORKFLOWS: '-1' }, 'WORKER_CACHED_WORKFLOWS doit être un nombre entier strictement positif'],
  ])('refuse %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
