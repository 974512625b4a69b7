import { isSeeded, seedDemoRequests, seedReferenceData, DEMO_PARTNER_KEY, DEMO_PASSWORD, DEMO_AGENTS } from '../seed/demo';
import type { Runtime } from '../runtime';
import { seedDemoForms } from '../seed/demoForms';

/**
 * `npm start`: everything in one process on the embedded default, plus the parts
 * not configured otherwise. The demo municipality is seeded on the embedded SQLite only.
 */
export async function start(runtime: Runtime): Promise<void> {
  const { config } = runtime;
  const db = await runtime.openDatabase();
  const embeddedDb = !config.databaseUrl;
  const seed = embeddedDb && !(await isSeeded(db));
  if (seed) {
    await seedReferenceData(db);
  }
  await runtime.openTemporal(true);
  await runtime.startWorker();
  await runtime.startWeb();
  if (seed) {
    // The forms first: the demo requests are filed with their fields, and their answers
    // are shown under the fields' labels (filed before, they had none: raw keys showed).
    await seedDemoForms(db);
    await seedDemoRequests(runtime.ctx);
  }
  console.log(`\nGuichet is ready on ${config.publicUrl}`);
  console.log(`  citizens: ${config.publicUrl}/formulaires (online forms), ${config.publicUrl}/suivi (tracking)`);
  console.log(`  database: ${config.databaseUrl ? 'MySQL/MariaDB (DATABASE_URL)' : `SQLite in ${config.dataDir}`}`);
  console.log(`  e-mail:   ${config.smtpUrl ? 'SMTP (SMTP_URL)' : `kept in the database: ${config.publicUrl}/dev/boite-mail (administrators only; account links masked)`}`);
  if (embeddedDb) {
    console.log(`  demo agents (password ${DEMO_PASSWORD}): ${DEMO_AGENTS.map((a) => a.code).join(', ')}; partner key ${DEMO_PARTNER_KEY}`);
  }
  console.log('Ctrl-C stops everything.');
}
