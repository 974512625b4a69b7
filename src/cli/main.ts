import os from 'node:os';
import { Command, CommanderError } from 'commander';
import { AdminError, createAgent, createAgentToken } from '../admin';
import { changeDelays } from '../commands/changeDelays';
import { createAgentAccount } from '../commands/admin/createAgentAccount';
import { sendDigests } from '../accounts/digest';
import { createTransport } from '../mail/transport';
import { CommandError } from '../commands/errors';
import { loadConfig } from '../config';
import { keptSessionSecret, sessionSecretOf } from '../accounts/sessionSecret';
import { priorityOf, type Delays } from '../../workflows/definitions';
import { setDefaultPriority } from '../commands/admin/defaultPriority';
import { Runtime } from '../runtime';
import { createScopedKey, listPartnerKeys, revokePartnerKey } from '../partners/keys';
import { requireDelay } from '../durations';
import { COMMAND_LINE } from '../policies';
import { groupCommands } from './groups';
import { telephonyCommands } from './telephony';
import { attachmentCommands } from './attachments';
import { clusterCommand } from './cluster';
import { start } from './start';
import { t } from '../i18n';
import { frenchDate } from '../dates';
import { logger, readableLogs } from '../ops/logger';

/**
 * The first SIGTERM or SIGINT drains (web first, then worker, then the dev server: see
 * Runtime.close); a second one exits at once, for whoever will not wait.
 */
function untilSignal(runtime: Runtime, signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn(`${signal} again: exiting without waiting`);
      process.exit(128 + os.constants.signals[signal]);
    }
    stopping = true;
    logger.info(`${signal}: stopping…`);
    runtime.close().then(() => process.exit(0), () => process.exit(1));
  };
  for (const signal of signals) {
    process.on(signal, () => stop(signal));
  }
}

/** Opens the database only, runs `fn`, closes. */
async function withDatabase<T>(fn: (runtime: Runtime) => Promise<T>): Promise<T> {
  const runtime = new Runtime(loadConfig());
  try {
    await runtime.openDatabase();
    return await fn(runtime);
  } finally {
    await runtime.close();
  }
}

export function program(): Command {
  const cli = new Command('guichet').description(t('cli.description')).exitOverride();

  cli.command('start').description(t('cli.start'))
    .action(async () => {
      readableLogs();
      const config = loadConfig();
      // The one-command demo needs no setting: its secret is made once and kept in DATA_DIR.
      const runtime = new Runtime({ ...config, sessionSecret: config.sessionSecret ?? keptSessionSecret(config.dataDir) });
      // A closed terminal too: its dev server, in a process group of its own, must not outlive it.
      untilSignal(runtime, ['SIGINT', 'SIGTERM', 'SIGHUP']);
      await start(runtime);
    });

  cli.command('web').description(t('cli.web')).action(async () => {
    const config = loadConfig();
    // In production, never a secret of our own choosing: refused before anything opens.
    sessionSecretOf(config);
    const runtime = new Runtime(config);
    untilSignal(runtime);
    await runtime.openDatabase();
    await runtime.openTemporal(false);
    await runtime.startWeb();
    logger.info(`Guichet web on http://localhost:${runtime.config.port}`);
  });

  cli.command('worker').description(t('cli.worker')).action(async () => {
    const runtime = new Runtime(loadConfig());
    untilSignal(runtime);
    await runtime.openDatabase();
    await runtime.openTemporal(false);
    await runtime.startWorker();
    if (runtime.config.metricsPort !== null) {
      await runtime.serveWorkerOps(runtime.config.metricsPort);
      logger.info(`Guichet worker metrics on http://localhost:${runtime.config.metricsPort}/metrics`);
    }
    logger.info(`Guichet worker polling task queue ${runtime.config.taskQueue} on ${runtime.address}`);
  });

  cli.command('migrate').description(t('cli.migrate')).action(async () => {
    await withDatabase(async () => console.log(t('cli.migrated')));
  });

  const agent = cli.command('agent').description(t('cli.agent.description'));
  agent.command('create <code>').description(t('cli.agent.create'))
    .requiredOption('--name <name>', t('cli.agent.name'))
    .requiredOption('--email <email>', t('cli.agent.email'))
    .option('--service <slug...>', t('cli.agent.service'), [])
    .option('--admin', t('cli.agent.admin'), false)
    .option('--password <password>', t('cli.agent.password'))
    .action(async (code: string, o: { name: string; email: string; service: string[]; admin: boolean; password?: string }) => {
      await withDatabase(async ({ db, config }) => {
        const props = { code, name: o.name, email: o.email, services: o.service, admin: o.admin };
        if (o.password !== undefined) {
          await createAgent(db, COMMAND_LINE, { ...props, password: o.password });
          console.log(t('cli.agent.created', { code }));
          return;
        }
        await createAgentAccount({ db, config }, COMMAND_LINE, props);
        console.log(t('cli.agent.createdWithLink', { code, email: o.email }));
      });
    });

  cli.command('digest').description(t('cli.digest.description'))
    .command('send').description(t('cli.digest.send'))
    .action(async () => {
      await withDatabase(async ({ db, config }) => {
        const transport = createTransport(config.smtpUrl);
        try {
          console.log(t('cli.digest.sent', { count: await sendDigests(db, transport, config, Date.now()) }));
        } finally {
          transport.close();
        }
      });
    });

  cli.command('token').description(t('cli.token.description'))
    .command('create <agentCode>').description(t('cli.token.create'))
    .action(async (code: string) => {
      await withDatabase(async ({ db }) => console.log(await createAgentToken(db, COMMAND_LINE, code)));
    });

  const apiKey = cli.command('api-key').description(t('cli.apiKey.description'));
  apiKey.command('create <name>').description(t('cli.apiKey.create'))
    .option('--form-types <slugs>', t('cli.apiKey.formTypes'))
    .action(async (name: string, o: { formTypes?: string }) => {
      const formTypes = (o.formTypes ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      await withDatabase(async ({ db }) => {
        console.log((await createScopedKey(db, name, formTypes)).secret);
        if (formTypes.length === 0) {
          console.error(t('cli.apiKey.noFormType'));
        }
      });
    });
  apiKey.command('revoke <id>').description(t('cli.apiKey.revoke'))
    .action(async (id: string) => {
      if (!/^\d+$/.test(id)) {
        throw new AdminError(t('cli.apiKey.invalidId', { id }));
      }
      await withDatabase(async ({ db }) => {
        const key = await revokePartnerKey(db, Number(id));
        console.log(t('cli.apiKey.revoked', { id: key.id, name: key.name }));
      });
    });
  apiKey.command('list').description(t('cli.apiKey.list'))
    .action(async () => {
      await withDatabase(async ({ db }) => {
        for (const key of await listPartnerKeys(db)) {
          const state = key.revokedAt === null ? t('cli.apiKey.active') : t('cli.apiKey.revokedOn', { day: frenchDate(key.revokedAt, 'day') });
          console.log(`${key.id}\t${key.name}\t${key.formTypes.map((f) => f.slug).join(',') || t('cli.apiKey.none')}\t${state}`);
        }
      });
    });

  const formType = cli.command('form-type').description(t('cli.formType.description'));
  formType.command('priority <slug> <priority>').description(t('cli.formType.priority'))
    .action(async (slug: string, priority: string) => {
      const runtime = new Runtime(loadConfig());
      try {
        await runtime.openDatabase();
        const rank = await setDefaultPriority(runtime.ctx.db, COMMAND_LINE, slug, priority);
        console.log(t('cli.formType.priorityChanged', { slug, priority: priorityOf(rank) }));
      } finally {
        await runtime.close();
      }
    });
  formType.command('delays <slug>').description(t('cli.formType.delays'))
    .option('--unprocessed-reminder <duration>', t('cli.formType.unprocessedReminder'))
    .option('--reminder-every <duration>', t('cli.formType.reminderEvery'))
    .option('--deletion <duration>', t('cli.formType.deletion'))
    .option('--deletion-warning <duration>', t('cli.formType.deletionWarning'))
    .option('--in-progress-reminder <duration>', t('cli.formType.inProgressReminder'))
    .action(async (slug: string, o: Record<string, string | undefined>) => {
      const delays: Partial<Delays> = {};
      const set = (key: keyof Delays, option: string, value: string | undefined) => {
        if (value !== undefined) {
          delays[key] = requireDelay(value, option);
        }
      };
      set('unprocessedReminderMs', '--unprocessed-reminder', o.unprocessedReminder);
      set('reminderEveryMs', '--reminder-every', o.reminderEvery);
      set('deletionMs', '--deletion', o.deletion);
      set('deletionWarningMs', '--deletion-warning', o.deletionWarning);
      set('inProgressReminderMs', '--in-progress-reminder', o.inProgressReminder);
      const runtime = new Runtime(loadConfig());
      try {
        await runtime.openDatabase();
        await runtime.openTemporal(false);
        const result = await changeDelays(runtime.ctx, slug, delays);
        console.log(t('cli.formType.changed', { slug, delays: JSON.stringify(result.delays), count: result.signalled }));
      } finally {
        await runtime.close();
      }
    });

  groupCommands(cli, (fn) => withDatabase(({ db }) => fn(db)));
  telephonyCommands(cli, (fn) => withDatabase(({ db }) => fn(db)), () => loadConfig().publicUrl);
  attachmentCommands(cli, (fn) => withDatabase(({ db, config }) => fn(db, config)));
  clusterCommand(cli);

  cli.command('bench').description(t('cli.bench.description'))
    .option('--only <phase>', t('cli.bench.only'))
    .action(async (opts: { only?: string }) => {
      // require, not import(): bin/guichet.js registers tsx for CommonJS only, and Node's
      // ESM loader cannot resolve an extensionless .ts path. Lazy, so other commands do not load autocannon.
      const { runBench } = require('../../bench/run') as typeof import('../../bench/run');
      await runBench(opts.only);
    });
  cli.command('chaos').description(t('cli.chaos.description'))
    .option('--requests <n>', t('cli.chaos.requests'), '1000')
    .option('--duration <s>', t('cli.chaos.duration'))
    .option('--outage <s>', t('cli.chaos.outage'), '30')
    .option('--settle <s>', t('cli.chaos.settle'), '180')
    .option('--seed <n>', t('cli.chaos.seed'))
    .option('--keep', t('cli.chaos.keep'), false)
    .option('--no-faults', t('cli.chaos.noFaults'))
    .option('--cluster', t('cluster.chaosOption'), false)
    .action(async (o: { requests: string; duration?: string; outage: string; settle: string; seed?: string; keep: boolean; faults: boolean; cluster: boolean }) => {
      // Lazy require, as for bench: other commands do not load the chaos harness.
      const { runChaos, defaultDuration, failed } = require('../../bench/chaos/run') as typeof import('../../bench/chaos/run');
      const positive = (raw: string, name: string) => {
        const n = Number(raw);
        if (!Number.isInteger(n) || n <= 0) {
          throw new AdminError(t('cli.chaos.positive', { name, raw }));
        }
        return n;
      };
      const requests = positive(o.requests, '--requests');
      const summary = await runChaos({
        requests,
        durationS: o.duration ? positive(o.duration, '--duration') : defaultDuration(requests),
        outageS: positive(o.outage, '--outage'),
        settleS: positive(o.settle, '--settle'),
        seed: o.seed ? positive(o.seed, '--seed') : Math.floor(Math.random() * 2 ** 31),
        keep: o.keep,
        faults: o.faults,
        cluster: o.cluster,
      });
      // exitCode rather than exit(): a piped stdout is written asynchronously and must drain first.
      process.exitCode = failed(summary) ? 1 : 0;
      setTimeout(() => process.exit(), 5_000).unref();
    });
  return cli;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exit(err.exitCode === 0 ? 0 : 2);
    }
    if (err instanceof AdminError || err instanceof CommandError) {
      console.error(`guichet : ${err.message}`);
      process.exit(2);
    }
    console.error(`guichet : ${(err as Error).message}`);
    process.exit(1);
  }
}
