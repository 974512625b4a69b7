// A transaction that InnoDB picks as a deadlock's victim is rolled back whole and run again
// (retryingDeadlocks, which the intake's rows go through: src/commands/submit.ts).
import { isMysql } from '../src/db/connection';
import { isDeadlock, retryingDeadlocks } from '../src/db/transaction';
import { startHarness, type Harness } from './support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ worker: false });
  await h.db.schema.createTable('deadlock_probe', (t) => {
    t.integer('id').primary();
    t.integer('v').notNullable();
  });
  await h.db('deadlock_probe').insert([{ id: 1, v: 0 }, { id: 2, v: 0 }]);
}, 120_000);
afterAll(async () => {
  await h?.db.schema.dropTableIfExists('deadlock_probe');
  await h?.close();
});

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

const onMariaDb = process.env.DATABASE_URL ? test : test.skip;

onMariaDb('a transaction that loses a deadlock runs again, and its writes land once (MariaDB only: SQLite serialises its writers and has no deadlock)', async () => {
  expect(isMysql(h.db)).toBe(true);
  const firstHeld = deferred();
  const secondHeld = deferred();
  // The first transaction writes more rows, so that InnoDB rolls back the lighter one, the second.
  const first = h.db.transaction(async (trx) => {
    await trx('deadlock_probe').insert(Array.from({ length: 50 }, (_, i) => ({ id: 100 + i, v: 0 })));
    await trx('deadlock_probe').where({ id: 1 }).increment('v', 1);
    firstHeld.resolve();
    await secondHeld.promise;
    await trx('deadlock_probe').where({ id: 2 }).increment('v', 1);
  });
  let attempts = 0;
  const errors: unknown[] = [];
  const second = retryingDeadlocks(() => h.db.transaction(async (trx) => {
    attempts += 1;
    await trx('deadlock_probe').where({ id: 2 }).increment('v', 10);
    secondHeld.resolve();
    await firstHeld.promise;
    await trx('deadlock_probe').where({ id: 1 }).increment('v', 10);
  }).catch((err: unknown) => {
    errors.push(err);
    throw err;
  }));
  await Promise.all([first, second]);
  expect({ attempts, deadlocks: errors.filter(isDeadlock).length }).toEqual({ attempts: 2, deadlocks: 1 });
  // Each transaction's increments once: the victim's first attempt left nothing.
  expect(await h.db('deadlock_probe').whereIn('id', [1, 2]).orderBy('id').select('id', 'v')).toEqual([{ id: 1, v: 11 }, { id: 2, v: 11 }]);
});

test('any other failure (a unique key taken) is not run again; a deadlock at every attempt is given up after the third', async () => {
  let attempts = 0;
  const taken = Object.assign(new Error("Duplicate entry '1' for key 'PRIMARY'"), { code: 'ER_DUP_ENTRY' });
  await expect(retryingDeadlocks(async () => {
    attempts += 1;
    throw taken;
  })).rejects.toBe(taken);
  expect(attempts).toBe(1);
  let tries = 0;
  const deadlock = Object.assign(new Error('Deadlock found when trying to get lock; try restarting transaction'), { code: 'ER_LOCK_DEADLOCK' });
  await expect(retryingDeadlocks(async () => {
    tries += 1;
    throw deadlock;
  })).rejects.toBe(deadlock);
  expect(tries).toBe(3);
});
