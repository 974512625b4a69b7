// `npx guichet telephonie …`: the telephony connector's keys and agents' lines, and a
// simulator that drives the connector as a telephone system would (ringing, answered,
// hangup), so that a town hall can try the call panel without a telephone system.
import type { Command } from 'commander';
import { AdminError } from '../admin';
import { assignPhoneLine, createTelephonyKey, revokeTelephonyKey } from '../calls/keys';
import type { Db } from '../db/connection';
import { telephonyKeys } from '../db/telephonyKeys';
import { frenchDate } from '../dates';
import { t } from '../i18n';

interface SimulateOptions {
  agent?: string;
  ligne?: string;
  numero: string;
  url: string;
  cle?: string;
  duree: string;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves after `ms`, or earlier when Enter is pressed on a terminal. */
function untilEnterOr(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      if (process.stdin.isTTY) process.stdin.pause();
      resolve();
    };
    const timer = setTimeout(done, ms);
    if (process.stdin.isTTY) {
      process.stdin.resume();
      process.stdin.once('data', done);
    }
  });
}

/** One report to the connector; a refusal stops the simulation with its French message. */
async function report(url: string, key: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await fetch(`${url.replace(/\/$/, '')}/api/telephonie/appels`, {
    method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const answer = (await res.json().catch(() => ({}))) as { error?: { message?: string } } & Record<string, unknown>;
  if (!res.ok) {
    throw new AdminError(t('cli.telephony.refused', { status: String(res.status), message: answer.error?.message ?? '' }));
  }
  return answer;
}

async function simulate(o: SimulateOptions, key: string): Promise<void> {
  const who = o.agent ? { agent: o.agent } : { line: o.ligne };
  const seconds = Number(o.duree);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 3600) {
    throw new AdminError(t('cli.telephony.badDuration', { value: o.duree }));
  }
  const call = { callId: `simulation-${Date.now()}`, caller: o.numero, ...who };
  await report(o.url, key, { ...call, event: 'ringing' });
  console.log(t('cli.telephony.ringing', { number: o.numero }));
  await pause(1000);
  await report(o.url, key, { ...call, event: 'answered' });
  console.log(t('cli.telephony.answered', { seconds: String(seconds) }));
  await untilEnterOr(seconds * 1000);
  const ended = await report(o.url, key, { ...call, event: 'hangup' });
  console.log(t('cli.telephony.hungUp', { seconds: String(ended.durationSeconds ?? 0) }));
}

export function telephonyCommands(cli: Command, withDb: <T>(fn: (db: Db) => Promise<T>) => Promise<T>, defaultUrl: () => string): void {
  const telephony = cli.command('telephonie').description(t('cli.telephony.description'));
  const key = telephony.command('cle').description(t('cli.telephony.key'));
  key.command('create <name>').description(t('cli.telephony.keyCreate'))
    .action(async (name: string) => withDb(async (db) => console.log((await createTelephonyKey(db, name)).secret)));
  key.command('list').description(t('cli.telephony.keyList'))
    .action(async () => withDb(async (db) => {
      for (const k of await telephonyKeys(db)) {
        console.log(`${k.id}\t${k.name}\t${k.revoked_at === null ? t('cli.apiKey.active') : t('cli.apiKey.revokedOn', { day: frenchDate(k.revoked_at, 'day') })}`);
      }
    }));
  key.command('revoke <id>').description(t('cli.telephony.keyRevoke'))
    .action(async (id: string) => {
      if (!/^\d+$/.test(id)) throw new AdminError(t('cli.apiKey.invalidId', { id }));
      await withDb(async (db) => console.log(t('cli.telephony.revoked', { name: (await revokeTelephonyKey(db, Number(id))).name })));
    });
  telephony.command('ligne <agent> [line]').description(t('cli.telephony.line'))
    .action(async (agent: string, line: string | undefined) => withDb(async (db) => {
      await assignPhoneLine(db, agent, line ?? '');
      console.log(t('cli.telephony.lineSet', { agent, line: line || t('cli.telephony.noLine') }));
    }));

  telephony.command('simuler').description(t('cli.telephony.simulate'))
    .requiredOption('--numero <numero>', t('cli.telephony.number'))
    .option('--agent <code>', t('cli.telephony.agent'))
    .option('--ligne <ligne>', t('cli.telephony.lineOption'))
    .option('--url <url>', t('cli.telephony.url'), defaultUrl())
    .option('--cle <cle>', t('cli.telephony.keyOption'), process.env.GUICHET_TELEPHONY_KEY)
    .option('--duree <secondes>', t('cli.telephony.duration'), '10')
    .action(async (o: SimulateOptions) => {
      if (Boolean(o.agent) === Boolean(o.ligne)) throw new AdminError(t('cli.telephony.agentOrLine'));
      if (o.cle) {
        await simulate(o, o.cle);
        return;
      }
      // No key given: one for this simulation only, revoked when it ends.
      const made = await withDb((db) => createTelephonyKey(db, t('cli.telephony.simulatorKey')));
      try {
        await simulate(o, made.secret);
      } finally {
        await withDb((db) => revokeTelephonyKey(db, made.id));
      }
    });
}
