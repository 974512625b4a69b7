import { Command, CommanderError } from 'commander';
import { AdminError, createAgent, createAgentToken } from '../admin';
import { changeDelays } from '../commands/changeDelays';
import { createAgentAccount } from '../commands/admin/createAgentAccount';
import { sendDigests } from '../accounts/digest';
import { createTransport } from '../mail/transport';
import { CommandError } from '../commands/errors';
import { loadConfig } from '../config';
import { keptSessionSecret, sessionSecretOf } from '../accounts/sessionSecret';
import type { Delays } from '../../workflows/definitions';
import { Runtime } from '../runtime';
import { createScopedKey, listPartnerKeys, revokePartnerKey } from '../partners/keys';
import { requireDelay } from '../durations';
import { COMMAND_LINE } from '../policies';
import { start } from './start';

function untilSignal(runtime: Runtime): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      return;
    }
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    runtime.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
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
  const cli = new Command('guichet').description('Guichet : le back-office des téléformulaires de la mairie').exitOverride();

  cli.command('start').description('tout-en-un : base SQLite, serveur Temporal de développement, worker et web (par défaut)')
    .action(async () => {
      const config = loadConfig();
      // The one-command demo needs no setting: its secret is made once and kept in DATA_DIR.
      const runtime = new Runtime({ ...config, sessionSecret: config.sessionSecret ?? keptSessionSecret(config.dataDir) });
      untilSignal(runtime);
      await start(runtime);
    });

  cli.command('web').description('le serveur web seul (production : plusieurs instances possibles)').action(async () => {
    const config = loadConfig();
    // In production, never a secret of our own choosing: refused before anything opens.
    sessionSecretOf(config);
    const runtime = new Runtime(config);
    untilSignal(runtime);
    await runtime.openDatabase();
    await runtime.openTemporal(false);
    await runtime.startWeb();
    console.log(`Guichet web on http://localhost:${runtime.config.port}`);
  });

  cli.command('worker').description('le worker Temporal seul (production : plusieurs instances possibles)').action(async () => {
    const runtime = new Runtime(loadConfig());
    untilSignal(runtime);
    await runtime.openDatabase();
    await runtime.openTemporal(false);
    await runtime.startWorker();
    console.log(`Guichet worker polling task queue ${runtime.config.taskQueue} on ${runtime.address}`);
  });

  cli.command('migrate').description('crée ou met à jour les tables').action(async () => {
    await withDatabase(async () => console.log('migrations à jour'));
  });

  const agent = cli.command('agent').description('agents');
  agent.command('create <code>').description('crée un agent')
    .requiredOption('--name <name>', 'nom affiché')
    .requiredOption('--email <email>', 'adresse électronique')
    .option('--service <slug...>', 'service(s) de l\'agent', [])
    .option('--admin', 'administrateur', false)
    .option('--password <password>', 'mot de passe (sinon, un lien d\'activation lui est envoyé par courriel)')
    .action(async (code: string, o: { name: string; email: string; service: string[]; admin: boolean; password?: string }) => {
      await withDatabase(async ({ db, config }) => {
        const props = { code, name: o.name, email: o.email, services: o.service, admin: o.admin };
        if (o.password !== undefined) {
          await createAgent(db, COMMAND_LINE, { ...props, password: o.password });
          console.log(`agent ${code} créé`);
          return;
        }
        await createAgentAccount({ db, config }, COMMAND_LINE, props);
        console.log(`agent ${code} créé ; lien d'activation envoyé à ${o.email}`);
      });
    });

  cli.command('digest').description('résumé quotidien des nouvelles demandes')
    .command('send').description('envoie maintenant le résumé des dernières 24 heures aux agents qui l\'ont choisi (une fois par jour et par agent)')
    .action(async () => {
      await withDatabase(async ({ db, config }) => {
        const transport = createTransport(config.smtpUrl);
        try {
          console.log(`${await sendDigests(db, transport, config, Date.now())} résumé(s) envoyé(s)`);
        } finally {
          transport.close();
        }
      });
    });

  cli.command('token').description('jetons d\'API des agents')
    .command('create <agentCode>').description('crée un jeton d\'API pour un agent et l\'affiche')
    .action(async (code: string) => {
      await withDatabase(async ({ db }) => console.log(await createAgentToken(db, COMMAND_LINE, code)));
    });

  const apiKey = cli.command('api-key').description('clés d\'API des partenaires');
  apiKey.command('create <name>').description('crée une clé d\'API partenaire pour des démarches et l\'affiche (une seule fois)')
    .option('--form-types <slugs>', 'démarches permises, séparées par des virgules (ex. acte-naissance,acte-mariage)')
    .action(async (name: string, o: { formTypes?: string }) => {
      const formTypes = (o.formTypes ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      await withDatabase(async ({ db }) => {
        console.log((await createScopedKey(db, name, formTypes)).secret);
        if (formTypes.length === 0) {
          console.error('attention : cette clé ne permet aucune démarche (option --form-types)');
        }
      });
    });
  apiKey.command('revoke <id>').description('révoque une clé d\'API partenaire (son numéro dans api-key list)')
    .action(async (id: string) => {
      if (!/^\d+$/.test(id)) {
        throw new AdminError(`numéro de clé invalide « ${id} »`);
      }
      await withDatabase(async ({ db }) => {
        const key = await revokePartnerKey(db, Number(id));
        console.log(`clé ${key.id} « ${key.name} » révoquée`);
      });
    });
  apiKey.command('list').description('liste les clés d\'API partenaires et leurs démarches')
    .action(async () => {
      await withDatabase(async ({ db }) => {
        for (const key of await listPartnerKeys(db)) {
          const state = key.revokedAt === null ? 'active' : `révoquée le ${new Date(key.revokedAt).toISOString().slice(0, 10)}`;
          console.log(`${key.id}\t${key.name}\t${key.formTypes.map((f) => f.slug).join(',') || '(aucune démarche)'}\t${state}`);
        }
      });
    });

  cli.command('form-type').description('démarches')
    .command('delays <slug>').description('règle les délais d\'une démarche (s\'applique aussi aux demandes en cours)')
    .option('--unprocessed-reminder <duration>', 'première relance d\'une demande non traitée')
    .option('--reminder-every <duration>', 'relances suivantes')
    .option('--deletion <duration>', 'suppression d\'une demande non traitée')
    .option('--deletion-warning <duration>', 'avertissement avant la suppression')
    .option('--in-progress-reminder <duration>', 'relance d\'une demande en cours')
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
        console.log(`délais de ${slug} : ${JSON.stringify(result.delays)} ; ${result.signalled} demande(s) en cours prévenue(s)`);
      } finally {
        await runtime.close();
      }
    });

  cli.command('bench').description('mesures de performance (npm run bench)')
    .option('--only <phase>', 'une seule phase : intake ou backoffice')
    .action(async (opts: { only?: string }) => {
      // require, not import(): bin/guichet.js registers tsx for CommonJS only, and Node's
      // ESM loader cannot resolve an extensionless .ts path. Lazy, so other commands do not load autocannon.
      const { runBench } = require('../../bench/run') as typeof import('../../bench/run');
      await runBench(opts.only);
    });
  cli.command('chaos').description('essai sous pannes (npm run chaos) : demandes en flux, worker, Temporal et web tués puis relancés')
    .option('--requests <n>', 'nombre de parcours (demandes)', '1000')
    .option('--duration <s>', 'durée de la charge en secondes (par défaut 0,24 s par demande, au moins 90)')
    .option('--outage <s>', 'durée de la panne du serveur Temporal en secondes', '30')
    .option('--settle <s>', 'attente maximale après la charge, en secondes', '180')
    .option('--seed <n>', 'graine des parcours (rejouer un tirage)')
    .option('--keep', 'garder le dossier de données (base, état Temporal) pour examen', false)
    .option('--no-faults', 'la même charge sans aucune panne (référence)')
    .action(async (o: { requests: string; duration?: string; outage: string; settle: string; seed?: string; keep: boolean; faults: boolean }) => {
      // Lazy require, as for bench: other commands do not load the chaos harness.
      const { runChaos, defaultDuration, failed } = require('../../bench/chaos/run') as typeof import('../../bench/chaos/run');
      const positive = (raw: string, name: string) => {
        const n = Number(raw);
        if (!Number.isInteger(n) || n <= 0) {
          throw new AdminError(`${name} : entier positif attendu (reçu « ${raw} »)`);
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
